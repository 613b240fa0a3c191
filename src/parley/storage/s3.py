"""Media in any S3-compatible store (AWS, MinIO, Ceph, ...): `PARLEY_STORAGE_URL=s3://bucket/prefix`.

Uploads stream from disk in multipart chunks; decoding needs a seekable local file (MP4 keeps its index at
the end), so a worker downloads the job's media once into its scratch folder and drops it when the job ends.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, cast
from urllib.parse import urlsplit

# Parts of 64 MiB: a 2 GiB upload is 32 parts, well under S3's 10,000-part limit.
PART_BYTES = 64 * 1024**2
DELETE_BATCH = 1000  # the most keys one DeleteObjects call accepts


def parse_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` -> ("bucket", "some/prefix")."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"PARLEY_STORAGE_URL must look like s3://bucket/prefix, not {url!r}")
    return parts.netloc, parts.path.strip("/")


class S3BlobStore:
    def __init__(
        self,
        url: str,
        *,
        scratch_dir: Path,
        endpoint_url: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        region: str | None = None,
    ) -> None:
        import boto3  # heavy import, only where S3 is configured
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config

        self.bucket, self.prefix = parse_s3_url(url)
        self.scratch_dir = scratch_dir
        # Path-style addressing works with every S3-compatible server; AWS itself still accepts it.
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"} if endpoint_url else {},
            retries={"max_attempts": 5, "mode": "standard"},
        )
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region or "us-east-1",
            config=config,
        )
        self._transfer = TransferConfig(multipart_threshold=PART_BYTES, multipart_chunksize=PART_BYTES)
        self._copies: dict[str, Path] = {}
        self._lock = threading.Lock()

    def object_key(self, key: str) -> str:
        parts = PurePosixPath(key).parts
        if not parts or ".." in parts or key.startswith("/"):
            raise ValueError(f"blob key escapes the store: {key!r}")
        return f"{self.prefix}/{key}" if self.prefix else key

    def put_file(self, key: str, source: Path, *, keep_local: bool = False) -> None:
        self.client.upload_file(str(source), self.bucket, self.object_key(key), Config=self._transfer)
        if not keep_local:
            source.unlink(missing_ok=True)
            return
        # The caller reads it next: the uploaded file becomes the local copy instead of a download.
        copy = self._new_copy_path(key)
        shutil.move(source, copy)
        with self._lock:
            self._copies[key] = copy

    def open(self, key: str) -> BinaryIO:
        body = self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))["Body"]
        return cast(BinaryIO, body)

    def local_path(self, key: str) -> Path:
        with self._lock:
            copy = self._copies.get(key)
            if copy is not None and copy.exists():
                return copy
            copy = self._new_copy_path(key)
            self.client.download_file(self.bucket, self.object_key(key), str(copy), Config=self._transfer)
            self._copies[key] = copy
            return copy

    def _new_copy_path(self, key: str) -> Path:
        # A folder of its own per copy: two processes sharing the scratch folder never collide.
        copy = self.scratch_dir / "s3" / uuid.uuid4().hex / PurePosixPath(key).name
        copy.parent.mkdir(parents=True, exist_ok=True)
        return copy

    def drop_local_copy(self, key: str) -> None:
        with self._lock:
            copy = self._copies.pop(key, None)
        if copy is not None:
            shutil.rmtree(copy.parent, ignore_errors=True)

    def presigned_put_url(self, key: str, expires_seconds: int) -> str | None:
        params = {"Bucket": self.bucket, "Key": self.object_key(key)}
        return str(self.client.generate_presigned_url("put_object", Params=params, ExpiresIn=expires_seconds))

    def delete_prefix(self, prefix: str) -> None:
        """Delete the object `prefix` and everything under `prefix/` (not `prefix2/...`)."""
        exact = self.object_key(prefix)
        keys = [exact, *self._keys_under(exact + "/")]
        for start in range(0, len(keys), DELETE_BATCH):
            batch: list[Any] = [{"Key": key} for key in keys[start : start + DELETE_BATCH]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})

    def _keys_under(self, prefix: str) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]
