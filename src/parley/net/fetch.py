"""Download a media URL to a file: streamed to disk, capped in size and time, every redirect hop re-checked.

Every failure raises :class:`FetchError`, whose message is meant for the person who submitted the URL; the
partial file is removed first.
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
import re
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterator
from pathlib import Path, PurePosixPath
from types import TracebackType

import httpx

from parley import __version__
from parley.net.guard import GuardedTransport, Resolver, UnsafeURLError, resolve_host

__all__ = ["MAX_REDIRECTS", "FetchError", "download"]

MAX_REDIRECTS = 10

_HEADERS = {"User-Agent": f"Parley/{__version__}"}
_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")
# Content types that say nothing about the format, and common ones mimetypes does not know.
_GENERIC_TYPES = frozenset({"application/octet-stream", "binary/octet-stream"})
_EXTRA_SUFFIXES = {"audio/wav": ".wav", "audio/wave": ".wav", "audio/vnd.wave": ".wav"}


class FetchError(Exception):
    """A download failed. `reason` is a sentence a person can act on; `status_code` is set for HTTP errors."""

    def __init__(self, reason: str, *, status_code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code


def download(
    url: str,
    dest_dir: Path,
    *,
    max_bytes: int,
    timeout_s: float,
    allow_private: bool,
    on_progress: Callable[[int], None] | None = None,
    allow_hosts: Collection[str] = frozenset(),
    resolve: Resolver = resolve_host,
) -> Path:
    """Download `url` into a new file in the existing directory `dest_dir` and return its path.

    Redirects are followed by hand, up to MAX_REDIRECTS, and every hop is checked like the first (see
    parley.net.guard for `allow_private`, `allow_hosts` and `resolve`). `timeout_s` caps the whole download,
    redirects included. `on_progress` gets the number of bytes written so far after each chunk. The file is
    named after the URL's extension or the Content-Type when either says something.
    """
    deadline = time.monotonic() + timeout_s
    transport = GuardedTransport(allow_private=allow_private, allow_hosts=allow_hosts, resolve=resolve)
    with (
        _fetch_errors(url, timeout_s),
        httpx.Client(transport=transport, headers=_HEADERS, trust_env=False) as client,
    ):
        response, final_url = _open(client, url, deadline, timeout_s)
        with contextlib.closing(response), _Watchdog(response, deadline - time.monotonic()) as watchdog:
            try:
                return _save(response, final_url, dest_dir, max_bytes, timeout_s, watchdog, on_progress)
            except httpx.HTTPError as exc:
                if watchdog.fired.is_set():
                    raise _timed_out(timeout_s) from exc
                raise


def _open(
    client: httpx.Client, url: str, deadline: float, timeout_s: float
) -> tuple[httpx.Response, httpx.URL]:
    """Send GET and follow redirects; return the first non-redirect response (body unread) and its URL."""
    current = httpx.URL(url)
    for hop in range(MAX_REDIRECTS + 1):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _timed_out(timeout_s)
        # httpx timeouts bound each phase; starting them at the time left keeps connect and headers in budget.
        request = client.build_request("GET", current, timeout=remaining)
        try:
            response = client.send(request, stream=True)
        except UnsafeURLError as exc:
            if hop == 0:
                raise
            raise FetchError(f"{url} redirected to a URL Parley will not fetch: {exc}") from exc
        except httpx.ConnectError as exc:
            raise FetchError(f"could not connect to {current.host}: {exc}") from exc
        if not response.is_redirect:
            return response, current
        response.close()
        try:
            current = current.join(response.headers["Location"])
        except httpx.InvalidURL as exc:
            raise FetchError(f"{current} redirected to an invalid URL: {exc}") from exc
    raise FetchError(f"GET {url} redirected more than {MAX_REDIRECTS} times")


def _save(
    response: httpx.Response,
    url: httpx.URL,
    dest_dir: Path,
    max_bytes: int,
    timeout_s: float,
    watchdog: _Watchdog,
    on_progress: Callable[[int], None] | None,
) -> Path:
    if not response.is_success:
        raise FetchError(f"GET {url} answered HTTP {response.status_code}", status_code=response.status_code)
    announced = _content_length(response)
    if announced is not None and announced > max_bytes:
        raise FetchError(
            f"download exceeded the {_format_size(max_bytes)} size limit "
            f"(the server announced {_format_size(announced)})"
        )

    suffix = _suffix(url, response.headers.get("Content-Type"))
    fd, name = tempfile.mkstemp(prefix="download-", suffix=f"{suffix}.part", dir=dest_dir)
    part = Path(name)
    try:
        received = 0
        with os.fdopen(fd, "wb") as out:
            for chunk in response.iter_bytes():
                if watchdog.fired.is_set():
                    raise _timed_out(timeout_s)
                received += len(chunk)
                if received > max_bytes:
                    raise FetchError(f"download exceeded the {_format_size(max_bytes)} size limit")
                out.write(chunk)
                if on_progress is not None:
                    on_progress(received)
        # A body without a length ends at EOF, and the watchdog's shutdown looks like one.
        if watchdog.fired.is_set():
            raise _timed_out(timeout_s)
        final = part.with_name(part.name.removesuffix(".part"))
        part.replace(final)
        return final
    except BaseException:
        part.unlink(missing_ok=True)
        raise


class _Watchdog:
    """Shuts the response's socket down when the time is up.

    httpx timeouts bound each read, not the whole body, so a server that drips bytes or stalls mid-body
    could otherwise hold a download far past its time cap. Shutting the socket down wakes the blocked read.
    """

    def __init__(self, response: httpx.Response, delay: float) -> None:
        self.fired = threading.Event()
        stream = response.extensions.get("network_stream")
        self._sock: socket.socket | None = stream.get_extra_info("socket") if stream is not None else None
        self._timer = threading.Timer(max(delay, 0.0), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._timer.cancel()

    def _fire(self) -> None:
        self.fired.set()
        if self._sock is None:
            return
        # The plain-socket shutdown, also for TLS sockets: SSLSocket.shutdown would tear down state the
        # reading thread is still using. OSError: the socket is already closed.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(self._sock, socket.SHUT_RDWR)


@contextlib.contextmanager
def _fetch_errors(url: str, timeout_s: float) -> Iterator[None]:
    """Turn httpx and guard exceptions into FetchError."""
    try:
        yield
    except UnsafeURLError as exc:
        raise FetchError(str(exc)) from exc
    except httpx.InvalidURL as exc:
        raise FetchError(f"{url} is not a valid URL: {exc}") from exc
    except httpx.TimeoutException as exc:
        raise _timed_out(timeout_s) from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"GET {url} failed: {exc}") from exc


def _timed_out(timeout_s: float) -> FetchError:
    return FetchError(f"download took longer than {timeout_s:g} s")


def _content_length(response: httpx.Response) -> int | None:
    try:
        return int(response.headers["Content-Length"])
    except (KeyError, ValueError):
        return None


def _suffix(url: httpx.URL, content_type: str | None) -> str:
    """A file suffix from the URL path when it names a known type, else from the Content-Type, else ''."""
    suffix = PurePosixPath(url.path).suffix.lower()
    if _SUFFIX.fullmatch(suffix) and mimetypes.guess_type(f"file{suffix}")[0] is not None:
        return suffix
    mime = (content_type or "").partition(";")[0].strip().lower()
    if not mime or mime in _GENERIC_TYPES:
        return ""
    return _EXTRA_SUFFIXES.get(mime) or mimetypes.guess_extension(mime) or ""


def _format_size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"
