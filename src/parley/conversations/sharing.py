"""Share links: a signed, expiring, read-only grant to one conversation's summary page.

A token is `base64url(app:conversation:expires).base64url(HMAC-SHA256)`, keyed by the runtime's token key,
so nothing is stored: it cannot be revoked one by one before it expires (deleting the conversation, or
changing PARLEY_SECRET_KEY, ends every link to it). The web face serves the page a token opens; the live
path mails links to it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from dataclasses import dataclass

from parley.errors import Forbidden

LIFETIMES_DAYS = (1, 7, 30)
# Unchanged since the signer lived in the web face, so links issued then still open.
_PURPOSE = b"parley.web.share\x00"


@dataclass(frozen=True)
class SharedConversation:
    app_id: str
    conversation_id: str
    expires: int  # Unix seconds


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: str, payload: bytes) -> bytes:
    return hmac.new(key.encode(), _PURPOSE + payload, hashlib.sha256).digest()


def sign(key: str, shared: SharedConversation) -> str:
    payload = f"{shared.app_id}:{shared.conversation_id}:{shared.expires}".encode()
    return f"{_b64(payload)}.{_b64(_signature(key, payload))}"


def verify(key: str, token: str, *, now: float) -> SharedConversation:
    """The conversation a token opens; Forbidden (with the reason) if it is tampered with or expired."""
    try:
        encoded_payload, encoded_signature = token.split(".")
        payload, signature = _unb64(encoded_payload), _unb64(encoded_signature)
    except (ValueError, binascii.Error):
        raise Forbidden("this share link is not valid; ask for a new one") from None
    if not hmac.compare_digest(signature, _signature(key, payload)):
        raise Forbidden("this share link is not valid; ask for a new one")
    app_id, conversation_id, expires = payload.decode().split(":")
    if int(expires) <= now:
        raise Forbidden("this share link has expired; ask for a new one")
    return SharedConversation(app_id, conversation_id, int(expires))


def new_link(key: str, *, app_id: str, conversation_id: str, days: int) -> str:
    expires = int(time.time()) + days * 86_400
    return sign(key, SharedConversation(app_id, conversation_id, expires))


def share_url(base_url: str, token: str) -> str:
    """Where a token's page is, under the base URL clients reach this server at."""
    return f"{base_url.rstrip('/')}/share/{token}"
