"""The shareable summary page: a signed, expiring, read-only link to one conversation.

A token is `base64url(app:conversation:expires).base64url(HMAC-SHA256)`, keyed by the runtime's token key,
so nothing is stored: it cannot be revoked one by one before it expires (deleting the conversation, or
changing PARLEY_SECRET_KEY, ends every link to it). A tampered or expired token answers 403.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from parley.api.deps import RuntimeDep
from parley.conversations import service as conversations
from parley.conversations.overview import media_key
from parley.errors import Forbidden, NotFound
from parley.web import conversation_view
from parley.web.media import media_response
from parley.web.templating import page

router = APIRouter()

LIFETIMES_DAYS = (1, 7, 30)
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


@router.get("/share/{token}", response_class=HTMLResponse)
def shared_page(token: str, request: Request, runtime: RuntimeDep) -> Response:
    shared = verify(runtime.token_key, token, now=time.time())
    with runtime.session() as session:
        conversation = conversations.get(
            session, app_id=shared.app_id, conversation_id=shared.conversation_id
        )
        if conversation is None:
            raise NotFound("the conversation this link shares was deleted")
        view = conversation_view.build(session, conversation)
        return page(
            request,
            "conversation.html",
            {
                "view": view,
                "read_only": True,
                "media_url": f"/share/{token}/media",
                "expires": shared.expires,
            },
            session=None,
            # the token is the key to the page: never send it on to other sites
            headers={"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"},
        )


@router.get("/share/{token}/media")
def shared_media(token: str, request: Request, runtime: RuntimeDep) -> Response:
    shared = verify(runtime.token_key, token, now=time.time())
    with runtime.session() as session:
        if conversations.get(session, app_id=shared.app_id, conversation_id=shared.conversation_id) is None:
            raise NotFound("the conversation this link shares was deleted")
        key = media_key(session, conversation_id=shared.conversation_id)
    if key is None:
        raise NotFound("this conversation has no media to play")
    return media_response(request, runtime.blobs, key)
