"""Reading an upload form (multipart/form-data) as it streams in: the small fields are kept in memory
(capped), the one file goes straight to disk through `storage.uploads.receive_to_file` under the upload cap.

Fields sent before the file (the form puts the CSRF token and options first) are checked by `before_file`
before any of the file is written, so a forged or invalid request is refused without storing its body.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from parley.errors import BadRequest, UnsupportedMediaType
from parley.storage.uploads import receive_to_file

MAX_FIELDS_BYTES = 64 * 1024
Fields = dict[str, list[str]]


@dataclass
class UploadForm:
    fields: Fields
    filename: str | None  # None: no file was chosen
    content_type: str | None
    size: int

    def first(self, name: str) -> str:
        return (self.fields.get(name) or [""])[0].strip()


@dataclass
class _Parts:
    """python-multipart's callbacks, collecting fields and queueing the file's bytes for the writer."""

    fields: Fields = field(default_factory=dict)
    pending: list[bytes] = field(default_factory=list)
    filename: str | None = None
    content_type: str | None = None
    _headers: dict[bytes, bytes] = field(default_factory=dict)
    _header: tuple[bytes, bytes] = (b"", b"")
    _name: str = ""
    _data: bytearray = field(default_factory=bytearray)
    _in_file: bool = False
    _field_bytes: int = 0

    def on_part_begin(self) -> None:
        self._headers, self._data, self._in_file = {}, bytearray(), False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header = (self._header[0] + data[start:end], self._header[1])

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header = (self._header[0], self._header[1] + data[start:end])

    def on_header_end(self) -> None:
        self._headers[self._header[0].lower()] = self._header[1]
        self._header = (b"", b"")

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename", b"").decode("utf-8", "replace")
        if filename:  # browsers send an empty filename (and no bytes) when no file was chosen
            if self.filename is not None:
                raise BadRequest("send one file per upload")
            self.filename = filename
            self.content_type = self._headers.get(b"content-type", b"").decode("latin-1") or None
            self._in_file = True

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self.pending.append(data[start:end])
            return
        self._field_bytes += end - start
        if self._field_bytes > MAX_FIELDS_BYTES:
            raise BadRequest("the form's fields are too large")
        self._data.extend(data[start:end])

    def on_part_end(self) -> None:
        if not self._in_file:
            self.fields.setdefault(self._name, []).append(self._data.decode("utf-8", "replace"))

    def callbacks(self) -> dict[str, Callable[..., None]]:
        names = ("part_begin", "header_field", "header_value", "header_end", "headers_finished", "part_data")
        return {f"on_{name}": getattr(self, f"on_{name}") for name in (*names, "part_end")}


def _boundary(request: Request) -> bytes:
    content_type = request.headers.get("content-type", "")
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data" or b"boundary" not in options:
        raise UnsupportedMediaType("send the upload form as multipart/form-data")
    return options[b"boundary"]


async def receive_form(
    request: Request, target: Path, *, max_bytes: int, before_file: Callable[[Fields], None]
) -> UploadForm:
    """Parse the form, writing its file to `target`; `before_file` sees the fields sent before the file
    (or all of them when no file is sent) and raises to refuse the request."""
    parts = _Parts()
    parser = MultipartParser(_boundary(request), parts.callbacks())  # type: ignore[arg-type]
    checked = False

    async def file_bytes() -> AsyncIterator[bytes]:
        nonlocal checked
        try:
            async for chunk in request.stream():
                parser.write(chunk)
                if parts.filename is not None and not checked:
                    before_file(parts.fields)
                    checked = True
                written, parts.pending = parts.pending, []
                for piece in written:
                    yield piece
            parser.finalize()
        except FormParserError:
            raise BadRequest("the upload form is malformed; send it again") from None

    size = await receive_to_file(target, file_bytes(), max_bytes=max_bytes)
    if not checked:
        before_file(parts.fields)
    return UploadForm(parts.fields, parts.filename, parts.content_type, size)
