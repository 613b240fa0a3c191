"""VideoSDK-style API keys: an `apiKey` + `secret` per account, and the HS256 tokens signed with them.

A token is a JWT whose `apikey` claim names the key and whose signature is an HMAC over the key's secret,
with `permissions` (a list: `allow_join`, `allow_mod`, `ask_join`) and `exp`. An optional `roomId` claim
limits it to that room. The secret is stored as given because verifying an HMAC needs it (a hash would
not do); it is as sensitive as the server's own signing key in the data folder.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import jwt
from sqlalchemy.orm import Session

from parley.errors import NotFound, Unauthorized
from parley.models import App, VideoSDKKey

# Not a scrypt hash, so `secret_matches` refuses every secret: no Symbl token is ever issued for it.
UNUSABLE_SECRET = "!videosdk"
PERMISSIONS = ("allow_join", "allow_mod", "ask_join")


@dataclass(frozen=True)
class NewKey:
    api_key: str
    secret: str
    app_id: str


@dataclass(frozen=True)
class Grant:
    """What a verified token allows: the account, the key, its permissions and its room (if limited)."""

    app_id: str
    api_key: str
    permissions: tuple[str, ...]
    room_id: str | None


def create(session: Session, *, app_id: str | None = None, name: str = "videosdk") -> NewKey:
    """A key for an existing app (its conversations then show in the Symbl face too) or for a new one."""
    if app_id is None:
        app = App(id=secrets.token_hex(16), name=f"videosdk: {name}", secret_hash=UNUSABLE_SECRET)
        session.add(app)
        app_id = app.id
    elif session.get(App, app_id) is None:
        raise NotFound(f"no app {app_id} exists; `parley apps list` shows them")
    key = VideoSDKKey(id=secrets.token_hex(16), app_id=app_id, secret=secrets.token_hex(32))
    session.add(key)
    session.flush()
    return NewKey(api_key=key.id, secret=key.secret, app_id=app_id)


def get(session: Session, *, api_key: str) -> VideoSDKKey | None:
    return session.get(VideoSDKKey, api_key)


def verify(session: Session, token: str | None) -> Grant:
    """The grant of a valid token; `Unauthorized` saying what is wrong with any other."""
    if not token:
        raise Unauthorized("send the JWT in the Authorization header, with no 'Bearer' or other prefix")
    token = token.strip()
    if token.lower().startswith(("bearer ", "basic ")):
        raise Unauthorized("send the JWT in the Authorization header without a prefix such as 'Bearer '")
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise Unauthorized("the Authorization token is not a JWT") from None
    api_key = unverified.get("apikey")
    if not isinstance(api_key, str) or not api_key:
        raise Unauthorized("the token has no `apikey` claim naming the API key it was signed with")
    key = get(session, api_key=api_key)
    if key is None:
        raise Unauthorized("the token's apikey is not a key of this server")
    claims = _checked_claims(token, key.secret)
    return Grant(
        app_id=key.app_id,
        api_key=key.id,
        permissions=tuple(claims["permissions"]),
        room_id=claims.get("roomId") if isinstance(claims.get("roomId"), str) else None,
    )


def _checked_claims(token: str, secret: str) -> dict[str, object]:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp"]})
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the token has expired; sign a new one") from None
    except jwt.MissingRequiredClaimError:
        raise Unauthorized("the token has no `exp` claim; tokens must expire") from None
    except jwt.InvalidSignatureError:
        raise Unauthorized("the token's signature does not match its apikey's secret") from None
    except jwt.PyJWTError as error:
        raise Unauthorized(f"the token is not valid: {error}") from None
    permissions = claims.get("permissions")
    if not isinstance(permissions, list) or not permissions:
        raise Unauthorized(
            f'the token needs a `permissions` list, e.g. ["allow_join"] ({", ".join(PERMISSIONS)})'
        )
    unknown = [item for item in permissions if item not in PERMISSIONS]
    if unknown:
        raise Unauthorized(f"unknown permission {unknown[0]!r}; expected {', '.join(PERMISSIONS)}")
    return claims


def sign(api_key: str, secret: str, *, ttl_seconds: int = 3600, **claims: object) -> str:
    """A token as VideoSDK's guides make one (CLI, tests); `claims` add to or replace the defaults."""
    issued = int(time.time())
    payload: dict[str, object] = {
        "apikey": api_key,
        "permissions": ["allow_join"],
        "iat": issued,
        "exp": issued + ttl_seconds,
    }
    payload.update(claims)
    return jwt.encode(payload, secret, algorithm="HS256")
