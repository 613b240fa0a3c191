"""Hashing app secrets (scrypt, salted) and signing access tokens (JWT, HS256)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time

import jwt

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
TOKEN_AUDIENCE = "parley"


def hash_secret(secret: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def secret_matches(secret: str, stored: str) -> bool:
    try:
        scheme, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(secret.encode(), salt=base64.b64decode(salt_b64), **_SCRYPT)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


def issue_token(app_id: str, *, key: str, ttl_seconds: int) -> str:
    now = int(time.time())
    claims = {
        "sub": app_id,
        "aud": TOKEN_AUDIENCE,
        "iat": now,
        "exp": now + ttl_seconds,
        "type": "application",
    }
    return jwt.encode(claims, key, algorithm="HS256")


def token_app_id(token: str, *, key: str) -> str | None:
    """The app a valid, unexpired token was issued to; None for anything else."""
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"], audience=TOKEN_AUDIENCE)
    except jwt.PyJWTError:
        return None
    subject = claims.get("sub")
    return subject if isinstance(subject, str) else None
