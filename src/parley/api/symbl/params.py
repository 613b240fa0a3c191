"""Turning Symbl request parameters (JSON body or query string) into validated `JobOptions`."""

from __future__ import annotations

import json
from typing import Any

from parley.errors import BadRequest
from parley.jobs.options import JobOptions
from parley.validation import validate

# Query-string values that carry JSON (objects, or lists of objects).
_JSON_FIELDS = {"entities", "channelMetadata", "trackers", "features", "metadata"}
_LIST_FIELDS = {"customVocabulary"}


def parse_json_object(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        raise BadRequest("the request body is empty; send a JSON object")
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as error:
        raise BadRequest(f"the request body is not valid JSON: {error}") from None
    if not isinstance(parsed, dict):
        raise BadRequest("the request body must be a JSON object")
    return parsed


def options_from_query(items: list[tuple[str, str]]) -> JobOptions:
    """Raw-media uploads carry their parameters in the query string (lists repeated or comma-separated)."""
    return validate(JobOptions, query_parameters(items))


def query_parameters(items: list[tuple[str, str]]) -> dict[str, Any]:
    """Query-string parameters as the JSON body would carry them (Symbl's clients send some there)."""
    data: dict[str, Any] = {}
    for key, value in items:
        if key in _LIST_FIELDS:
            data.setdefault(key, []).extend(_list_value(key, value))
        elif key in _JSON_FIELDS:
            data[key] = _json_value(key, value)
        else:
            data[key] = value
    return data


def _list_value(key: str, value: str) -> list[Any]:
    if value.lstrip().startswith("["):
        parsed = _json_value(key, value)
        if not isinstance(parsed, list):
            raise BadRequest(f"{key}: expected a list")
        return parsed
    return [part for part in (piece.strip() for piece in value.split(",")) if part]


def _json_value(key: str, value: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        raise BadRequest(f"{key}: expected JSON in the query string, got {value[:80]!r}") from None
