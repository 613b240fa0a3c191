"""Where media lives: a local folder by default, behind a small interface so S3 is a setting later.

Keys are slash-separated (`{app}/{conversation}/{job}.mp4`); a conversation's media shares one prefix
so deleting the conversation removes all of it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Protocol


class BlobStore(Protocol):
    def local_path(self, key: str) -> Path: ...
    def put_file(self, key: str, source: Path) -> None: ...
    def delete_prefix(self, prefix: str) -> None: ...


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def local_path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"blob key escapes the store: {key!r}")
        return path

    def put_file(self, key: str, source: Path) -> None:
        target = self.local_path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source, target)

    def delete_prefix(self, prefix: str) -> None:
        path = self.local_path(prefix)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
