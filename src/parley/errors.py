"""The error tree every layer raises; the HTTP faces turn it into a status code and a message.

ParleyError (500)
├── BadRequest (400)
├── Unauthorized (401)
├── Forbidden (403)
├── NotFound (404)
├── Conflict (409)
├── PayloadTooLarge (413)
├── UnsupportedMediaType (415)
└── TooManyJobs (429)
"""

from __future__ import annotations


class ParleyError(Exception):
    status_code = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(ParleyError):
    status_code = 400


class Unauthorized(ParleyError):
    status_code = 401


class Forbidden(ParleyError):
    status_code = 403


class NotFound(ParleyError):
    status_code = 404


class Conflict(ParleyError):
    status_code = 409


class PayloadTooLarge(ParleyError):
    status_code = 413


class UnsupportedMediaType(ParleyError):
    status_code = 415


class TooManyJobs(ParleyError):
    status_code = 429
