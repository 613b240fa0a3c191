"""Copies of a finished room recording sent where the start request asked: the S3 path `awsDirPath`
and/or one PUT to `preSignedUrl`. Each returns what to show on the recording; errors are raised."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

import httpx

from parley.errors import BadRequest
from parley.net.guard import GuardedTransport
from parley.runtime import Runtime

CONTENT_TYPES = {"mp4": "video/mp4", "m4a": "audio/mp4"}


def check_s3_target(runtime: Runtime, aws_dir_path: str) -> None:
    if not runtime.settings.storage_url:
        raise BadRequest(
            "awsDirPath: this server has no S3 storage configured (PARLEY_STORAGE_URL=s3://bucket/prefix "
            "and PARLEY_S3_* settings); leave awsDirPath out or configure S3"
        )
    if ".." in aws_dir_path.split("/"):
        raise BadRequest("awsDirPath: '..' is not allowed in the path")


def to_s3(runtime: Runtime, aws_dir_path: str, name: str, source: Path) -> dict[str, str]:
    """`awsDirPath` is a folder in the configured bucket (VideoSDK's "your S3 bucket path"), or
    `s3://other-bucket/folder` reached with the same credentials. Uploading the same key again
    replaces the object, so a delivery that runs twice leaves one copy."""
    from parley.storage.s3 import S3BlobStore, parse_s3_url  # boto3 loads only where S3 is used

    settings = runtime.settings
    assert settings.storage_url is not None
    bucket, _ = parse_s3_url(settings.storage_url)
    folder = aws_dir_path
    if aws_dir_path.startswith("s3://"):
        bucket, folder = parse_s3_url(aws_dir_path)
    store = S3BlobStore(
        f"s3://{bucket}",
        scratch_dir=settings.tmp_dir,
        endpoint_url=settings.s3_endpoint_url,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=settings.s3_secret_access_key,
        region=settings.s3_region,
    )
    key = f"{folder.strip('/')}/{name}" if folder.strip("/") else name
    store.client.upload_file(str(source), bucket, key)
    return {"bucket": bucket, "key": key}


def to_presigned_url(runtime: Runtime, url: str, source: Path, file_format: str) -> dict[str, int]:
    """Stream the file to the presigned URL in one PUT, as S3, GCS and Azure presigned URLs expect."""
    transport = GuardedTransport(allow_private=runtime.settings.allow_private_urls)
    headers = {"Content-Type": CONTENT_TYPES[file_format], "Content-Length": str(source.stat().st_size)}
    with (
        httpx.Client(transport=transport, trust_env=False, timeout=600) as client,
        source.open("rb") as body,
    ):
        response = client.put(url, content=_chunks(body), headers=headers)
    if response.status_code >= 300:
        raise RuntimeError(f"{urlsplit(url).netloc} answered {response.status_code}: {response.text[:200]}")
    return {"status": response.status_code}


def _chunks(body: BinaryIO, size: int = 1024 * 1024) -> Iterator[bytes]:
    while chunk := body.read(size):
        yield chunk
