"""This face's error shape, `{"statusCode": 401, "error": "Unauthorized", "message": "..."}`.

VideoSDK's public docs (seed 004) do not show an error body; this is the shape of its Node backend's
framework, and it keeps the Symbl face's `{"statusCode", "message"}` readable by the same clients.
The app's handlers ask `owns(path)` and render every error under /v2/ and /rooms/ this way.
"""

from __future__ import annotations

from http import HTTPStatus

from fastapi.responses import JSONResponse

PREFIXES = ("/v2/", "/rooms/")


def owns(path: str) -> bool:
    return path.startswith(PREFIXES)


def response(status_code: int, message: str) -> JSONResponse:
    try:
        phrase = HTTPStatus(status_code).phrase
    except ValueError:
        phrase = "Error"
    return JSONResponse(
        {"statusCode": status_code, "error": phrase, "message": message}, status_code=status_code
    )
