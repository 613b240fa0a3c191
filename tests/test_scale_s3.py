"""S3BlobStore against a real S3-compatible server (moto's standalone server on 127.0.0.1)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from boto3.s3.transfer import TransferConfig

from parley.storage.s3 import S3BlobStore, parse_s3_url
from tests.scale_support import moto_s3

BUCKET = "blobs"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with moto_s3(tmp_path_factory.mktemp("moto") / "moto.log") as url:
        yield url


@pytest.fixture
def store(endpoint: str, tmp_path: Path) -> S3BlobStore:
    created = S3BlobStore(
        f"s3://{BUCKET}/tenant/{tmp_path.name}",
        scratch_dir=tmp_path / "scratch",
        endpoint_url=endpoint,
        access_key_id="test",
        secret_access_key="test",
    )
    created.client.create_bucket(Bucket=BUCKET)
    return created


def _file(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_put_takes_the_file_over_and_open_streams_it_back(store: S3BlobStore, tmp_path: Path) -> None:
    source = _file(tmp_path / "talk.wav", b"RIFF" + os.urandom(5000))
    expected = source.read_bytes()
    store.put_file("app/conv/job.wav", source)
    assert not source.exists()
    with store.open("app/conv/job.wav") as stream:
        chunks = iter(lambda: stream.read(1024), b"")
        assert b"".join(chunks) == expected


def test_a_file_kept_local_is_read_without_downloading_it_again(store: S3BlobStore, tmp_path: Path) -> None:
    data = os.urandom(4000)
    store.put_file("app/conv/fetched.mp3", _file(tmp_path / "fetched.mp3", data), keep_local=True)
    # Gone from the server: only a download could fail now, and none may happen.
    store.client.delete_object(Bucket=BUCKET, Key=store.object_key("app/conv/fetched.mp3"))
    copy = store.local_path("app/conv/fetched.mp3")
    assert copy.is_relative_to(tmp_path / "scratch") and copy.read_bytes() == data
    store.drop_local_copy("app/conv/fetched.mp3")
    assert not copy.exists()


def test_multipart_upload_and_local_copy_until_dropped(store: S3BlobStore, tmp_path: Path) -> None:
    store._transfer = TransferConfig(multipart_threshold=5 * 1024**2, multipart_chunksize=5 * 1024**2)
    data = os.urandom(11 * 1024**2)  # three parts
    store.put_file("app/conv/big.mp4", _file(tmp_path / "big.mp4", data))
    copy = store.local_path("app/conv/big.mp4")
    assert copy.is_relative_to(tmp_path / "scratch") and copy.read_bytes() == data
    assert store.local_path("app/conv/big.mp4") == copy  # downloaded once per job, not per read
    store.drop_local_copy("app/conv/big.mp4")
    assert not copy.exists() and not copy.parent.exists()


def test_delete_prefix_removes_that_conversation_only(store: S3BlobStore, tmp_path: Path) -> None:
    for key in ("app/conv/a.wav", "app/conv/b.wav", "app/conv2/c.wav", "app/conv"):
        store.put_file(key, _file(tmp_path / "x", key.encode()))
    store.delete_prefix("app/conv")
    remaining = store.client.list_objects_v2(Bucket=BUCKET, Prefix=store.object_key("app"))["Contents"]
    assert [item["Key"] for item in remaining] == [store.object_key("app/conv2/c.wav")]


def test_presigned_put_url_accepts_a_plain_http_put(store: S3BlobStore) -> None:
    url = store.presigned_put_url("app/rec/upload.mp4", expires_seconds=600)
    assert url is not None and "X-Amz-Signature=" in url
    response = httpx.put(url, content=b"uploaded by a client")
    assert response.status_code == 200, response.text
    with store.open("app/rec/upload.mp4") as stream:
        assert stream.read() == b"uploaded by a client"
    # (moto does not check signatures, so a tampered URL is not tested here; AWS and MinIO refuse one.)


def test_keys_cannot_escape_the_prefix(store: S3BlobStore) -> None:
    for bad in ("../other/x", "/abs", "a/../../b", ""):
        with pytest.raises(ValueError, match="escapes"):
            store.object_key(bad)


def test_storage_url_parsing() -> None:
    assert parse_s3_url("s3://bucket/some/prefix/") == ("bucket", "some/prefix")
    assert parse_s3_url("s3://bucket") == ("bucket", "")
    with pytest.raises(ValueError, match="s3://bucket/prefix"):
        parse_s3_url("https://bucket/prefix")
