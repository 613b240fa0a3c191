"""Where media lives: a local folder by default, any S3-compatible store by setting (storage/s3.py).

Keys are slash-separated (`{app}/{conversation}/{job}.mp4`); a conversation's media shares one prefix
so deleting the conversation removes all of it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import BinaryIO, Protocol


class BlobStore(Protocol):
    def local_path(self, key: str) -> Path:
        """A file on this machine holding the blob, readable until `drop_local_copy(key)`."""
        ...

    def drop_local_copy(self, key: str) -> None:
        """The caller is done with `local_path(key)`: remove it if it was a downloaded copy."""
        ...

    def put_file(self, key: str, source: Path, *, keep_local: bool = False) -> None:
        """Store `source` (a temporary file the store takes over) under `key`; with `keep_local`, it also
        serves as `local_path(key)` until `drop_local_copy(key)`, where the store is remote."""
        ...

    def open(self, key: str) -> BinaryIO:
        """Read the blob as a stream, without holding it whole in memory."""
        ...

    def presigned_put_url(self, key: str, expires_seconds: int) -> str | None:
        """A URL a client can PUT the blob to directly; None where uploads must go through Parley."""
        ...

    def delete_prefix(self, prefix: str) -> None: ...


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def local_path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"blob key escapes the store: {key!r}")
        return path

    def put_file(self, key: str, source: Path, *, keep_local: bool = False) -> None:
        target = self.local_path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source, target)

    def drop_local_copy(self, key: str) -> None:
        """The stored file is the local copy: it stays."""

    def open(self, key: str) -> BinaryIO:
        return self.local_path(key).open("rb")

    def presigned_put_url(self, key: str, expires_seconds: int) -> str | None:
        return None

    def delete_prefix(self, prefix: str) -> None:
        path = self.local_path(prefix)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
