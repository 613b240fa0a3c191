"""This face's one error shape, `{"error": {"code": ..., "message": ...}}` with the HTTP status.

The app's handlers ask `owns(path)` and render every error under /v1/recordings this way (validation,
auth, 404, 413, 429, 500), leaving the Symbl face's `{"statusCode", "message"}` untouched.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

PATH_PREFIX = "/v1/recordings"

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "quota_exceeded",
    500: "internal_error",
}

DESCRIPTIONS = {
    400: "A body field or parameter is missing or invalid; the message names it",
    401: "The X-Claap-Key header is missing or is not a key of any workspace",
    403: "The author may not create recordings, or the upload URL is tampered with, expired or used",
    404: "No such recording in this workspace",
    409: "The recording is not Ready yet (the message says its state)",
    413: "The upload is larger than the configured limit",
    429: "The author has reached the recording quota; the message says when the next slot frees",
}


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorDetail


def owns(path: str) -> bool:
    return path == PATH_PREFIX or path.startswith(PATH_PREFIX + "/")


def response(status_code: int, message: str) -> JSONResponse:
    code = CODES.get(status_code, "error")
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status_code)


def documented(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status with this face's error model."""
    return {
        status: {"model": ErrorResponse, "description": DESCRIPTIONS[status]}
        for status in (400, 401, *status_codes)
    }
