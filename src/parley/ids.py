"""Identifier shapes clients expect: Symbl conversation and message ids are 16-digit strings."""

from __future__ import annotations

import secrets
import uuid


def numeric_id() -> str:
    return str(10**15 + secrets.randbelow(9 * 10**15))


def uuid_id() -> str:
    return str(uuid.uuid4())
