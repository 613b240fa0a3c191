from __future__ import annotations

import re
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from media_host import BODY, PUBLIC_NAME, SMALL, MediaServer, fake_resolve

from parley.net.fetch import FetchError, download

MiB = 1024 * 1024


def fetch(url: str, dest: Path, **options: Any) -> Path:
    """download() as the tests call it: the test hostname trusted and resolved to loopback."""
    settings: dict[str, Any] = {
        "max_bytes": 16 * MiB,
        "timeout_s": 5.0,
        "allow_private": False,
        "allow_hosts": {PUBLIC_NAME},
        "resolve": fake_resolve,
    }
    return download(url, dest, **(settings | options))


def test_streams_the_body_to_a_file_and_reports_progress(media_server: MediaServer, tmp_path: Path) -> None:
    progress: list[int] = []

    path = fetch(media_server.url("/media/talk.bin"), tmp_path, on_progress=progress.append)

    assert path.parent == tmp_path
    assert path.suffix == ".bin"
    assert path.read_bytes() == BODY
    assert list(tmp_path.iterdir()) == [path]  # no .part file left behind
    assert progress == sorted(progress)
    assert progress[-1] == len(BODY)
    assert len(progress) > 1


def test_memory_stays_flat_while_streaming(media_server: MediaServer, tmp_path: Path) -> None:
    tracemalloc.start()
    try:
        fetch(media_server.url("/media/talk.bin"), tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < len(BODY) / 3


def test_suffix_comes_from_the_content_type_when_the_path_has_none(
    media_server: MediaServer, tmp_path: Path
) -> None:
    path = fetch(media_server.url("/download?id=1"), tmp_path)

    assert path.suffix == ".mp3"
    assert path.read_bytes() == SMALL


def test_http_error_status_is_reported(media_server: MediaServer, tmp_path: Path) -> None:
    url = media_server.url("/missing")

    with pytest.raises(FetchError) as caught:
        fetch(url, tmp_path)

    assert caught.value.status_code == 404
    assert str(caught.value) == f"GET {url} answered HTTP 404"
    assert list(tmp_path.iterdir()) == []


def test_announced_length_over_the_cap_fails_before_reading(
    media_server: MediaServer, tmp_path: Path
) -> None:
    with pytest.raises(FetchError) as caught:
        fetch(media_server.url("/announced-big"), tmp_path, max_bytes=1 * MiB)

    assert str(caught.value) == "download exceeded the 1 MiB size limit (the server announced 10 MiB)"
    assert caught.value.status_code is None
    assert list(tmp_path.iterdir()) == []


def test_chunked_body_over_the_cap_fails_and_leaves_no_file(
    media_server: MediaServer, tmp_path: Path
) -> None:
    progress: list[int] = []

    with pytest.raises(FetchError, match=r"^download exceeded the 1 MiB size limit$"):
        fetch(media_server.url("/endless-chunked"), tmp_path, max_bytes=1 * MiB, on_progress=progress.append)

    assert 0 < progress[-1] <= 1 * MiB  # it did write a partial file...
    assert list(tmp_path.iterdir()) == []  # ...and removed it


@pytest.mark.parametrize("path", ["/stall-headers", "/stall-body", "/stall-until-close", "/drip"])
def test_whole_download_is_capped_in_time(media_server: MediaServer, tmp_path: Path, path: str) -> None:
    started = time.monotonic()

    with pytest.raises(FetchError, match=r"^download took longer than 0.5 s$"):
        fetch(media_server.url(path), tmp_path, timeout_s=0.5)

    assert time.monotonic() - started < 1.5
    assert list(tmp_path.iterdir()) == []


def test_time_cap_cuts_a_body_that_stalls_late(media_server: MediaServer, tmp_path: Path) -> None:
    started = time.monotonic()

    # The body has no length, so the cut connection must not pass for a complete download.
    with pytest.raises(FetchError, match=r"^download took longer than 1 s$"):
        fetch(media_server.url("/drip-then-stall"), tmp_path, timeout_s=1.0)

    assert time.monotonic() - started < 1.5
    assert list(tmp_path.iterdir()) == []


def test_follows_redirects_up_to_the_limit(media_server: MediaServer, tmp_path: Path) -> None:
    path = fetch(media_server.url("/redirect/10"), tmp_path)

    assert path.read_bytes() == SMALL


def test_too_many_redirects_fail(media_server: MediaServer, tmp_path: Path) -> None:
    url = media_server.url("/redirect/11")

    with pytest.raises(FetchError) as caught:
        fetch(url, tmp_path)

    assert str(caught.value) == f"GET {url} redirected more than 10 times"
    assert list(tmp_path.iterdir()) == []


def test_redirect_to_a_private_address_is_refused(media_server: MediaServer, tmp_path: Path) -> None:
    url = media_server.url("/to-loopback")

    with pytest.raises(FetchError) as caught:
        fetch(url, tmp_path)

    message = str(caught.value)
    assert message.startswith(f"{url} redirected to a URL Parley will not fetch: refusing to connect to")
    assert "127.0.0.1 is a loopback address" in message
    assert "/secret" not in media_server.paths
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/to-metadata", "the cloud metadata address"), ("/to-ftp", "only http and https URLs are allowed")],
)
def test_every_redirect_hop_is_checked(
    media_server: MediaServer, tmp_path: Path, path: str, reason: str
) -> None:
    with pytest.raises(FetchError, match=reason):
        fetch(media_server.url(path), tmp_path)


def test_refused_url_is_never_requested(media_server: MediaServer, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=r"refusing to connect to .*loopback"):
        fetch(media_server.url("/small.bin?refused", host="127.0.0.1"), tmp_path)

    assert "/small.bin?refused" not in media_server.paths


def test_allow_private_reaches_loopback(media_server: MediaServer, tmp_path: Path) -> None:
    url = media_server.url("/small.bin", host="127.0.0.1")

    path = download(url, tmp_path, max_bytes=MiB, timeout_s=5, allow_private=True)

    assert path.read_bytes() == SMALL


def test_connection_refused_is_reported(free_port: int, tmp_path: Path) -> None:
    url = f"http://{PUBLIC_NAME}:{free_port}/talk.mp3"

    with pytest.raises(FetchError, match=rf"^could not connect to {re.escape(PUBLIC_NAME)}: .*refused"):
        fetch(url, tmp_path)


def test_unknown_host_is_reported(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=r"^could not connect to nowhere\.example\.test: .*not known"):
        fetch("http://nowhere.example.test/talk.mp3", tmp_path)
