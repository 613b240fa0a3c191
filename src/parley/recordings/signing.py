"""Upload URLs: signed (HMAC-SHA256 with the runtime's token key), expiring, for one recording and purpose.

The signature covers the recording id, the purpose ("media" or "transcript") and the expiry, so a URL
cannot be moved to another recording, another payload or a later deadline. Single use is kept on the
recording row (see `service.receive_media`), not here.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from parley.errors import Forbidden

Purpose = Literal["media", "transcript"]


@dataclass(frozen=True)
class SignedUpload:
    expires: int  # unix seconds
    signature: str


def _digest(key: str, recording_id: str, purpose: str, expires: int) -> str:
    message = f"recording-upload\n{recording_id}\n{purpose}\n{expires}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def sign(*, key: str, recording_id: str, purpose: Purpose, now: datetime, ttl_seconds: int) -> SignedUpload:
    expires = int(now.timestamp()) + ttl_seconds
    return SignedUpload(expires=expires, signature=_digest(key, recording_id, purpose, expires))


def check(
    *,
    key: str,
    recording_id: str,
    purpose: Purpose,
    expires: int | None,
    signature: str | None,
    now: datetime,
) -> None:
    """Raise Forbidden, saying why, unless the URL was signed by us for this recording and purpose and is
    still valid."""
    if expires is None or not signature:
        raise Forbidden("the upload URL is incomplete: use the upload URL exactly as it was returned")
    expected = _digest(key, recording_id, purpose, expires)
    if not hmac.compare_digest(expected, signature):
        raise Forbidden("the upload URL's signature does not match: use the upload URL exactly as returned")
    if now.timestamp() > expires:
        deadline = datetime.fromtimestamp(expires, UTC).isoformat(timespec="seconds")
        raise Forbidden(
            f"the upload URL expired at {deadline}; get the recording again for fresh upload URLs"
        )
