"""Streaming stored media to a player with HTTP Range support (RFC 9110 §14): browsers need 206 partial
responses to seek, and to start playing before a long file has been sent whole."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from parley.storage.blobs import BlobStore

CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive, as Content-Range writes it

    @property
    def length(self) -> int:
        return self.end - self.start + 1


class Unsatisfiable(Exception):
    """The range starts past the end of the file: 416."""


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one byte range asked for, or None to send the whole file (no header, a malformed one, or
    several ranges, which a server may answer in full)."""
    if not header:
        return None
    match = _RANGE.match(header.strip().replace(" ", ""))
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # "bytes=-500": the last 500 bytes
        suffix = int(last)
        if suffix == 0:
            raise Unsatisfiable
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size:
        raise Unsatisfiable
    if end < start:
        return None
    return ByteRange(start, end)


def _seekable(blobs: BlobStore, key: str) -> BinaryIO:
    stream = blobs.open(key)
    if stream.seekable():
        return stream
    # An object store's body only reads forward: play from the local copy, fetched once per process.
    stream.close()
    return blobs.local_path(key).open("rb")


def _read(stream: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    """A sync generator: Starlette iterates it in a worker thread, so file reads never block the loop."""
    with stream:
        stream.seek(start)
        left = length
        while left > 0:
            chunk = stream.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


def media_response(request: Request, blobs: BlobStore, key: str) -> Response:
    stream = _seekable(blobs, key)
    size = stream.seek(0, 2)
    media_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "private, max-age=3600"}
    try:
        wanted = parse_range(request.headers.get("range"), size)
    except Unsatisfiable:
        stream.close()
        return Response(status_code=416, headers=headers | {"Content-Range": f"bytes */{size}"})
    if wanted is None:
        headers["Content-Length"] = str(size)
        return StreamingResponse(_read(stream, 0, size), media_type=media_type, headers=headers)
    headers |= {
        "Content-Range": f"bytes {wanted.start}-{wanted.end}/{size}",
        "Content-Length": str(wanted.length),
    }
    return StreamingResponse(
        _read(stream, wanted.start, wanted.length), status_code=206, media_type=media_type, headers=headers
    )
