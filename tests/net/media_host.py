"""A real HTTP server on 127.0.0.1 that plays the media hosts a download can meet, good and bad."""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PUBLIC_NAME = "media.example.test"
BODY = random.Random(7).randbytes(3 * 1024 * 1024)
SMALL = b"small body\n"


def fake_resolve(host: str, port: int) -> list[str]:
    """Resolves the test hostname to loopback; everything else fails like an unknown name."""
    if host == PUBLIC_NAME:
        return ["127.0.0.1"]
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@dataclass
class MediaServer:
    port: int
    paths: list[str] = field(default_factory=list)

    def url(self, path: str, host: str = PUBLIC_NAME) -> str:
        return f"http://{host}:{self.port}{path}"


class _MediaHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.media.paths.append(self.path)
        route = self.path.partition("?")[0]
        try:
            if route.startswith("/redirect/"):
                left = int(route.rpartition("/")[2])
                self._redirect(f"/redirect/{left - 1}" if left > 1 else "/small.bin")  # n redirects
            elif route == "/to-loopback":
                self._redirect(f"http://127.0.0.1:{self.server.media.port}/secret")
            elif route == "/to-metadata":
                self._redirect("http://169.254.169.254/latest/meta-data/")
            elif route == "/to-ftp":
                self._redirect("ftp://files.example.test/talk.mp3")
            else:
                routes = {
                    "/media/talk.bin": self._talk,
                    "/small.bin": self._small,
                    "/download": self._download,
                    "/announced-big": self._announced_big,
                    "/endless-chunked": self._endless_chunked,
                    "/stall-headers": self._stall_headers,
                    "/stall-body": self._stall_body,
                    "/stall-until-close": self._stall_until_close,
                    "/drip": self._drip,
                    "/drip-then-stall": self._drip_then_stall,
                }
                routes.get(route, self._missing)()
        except (BrokenPipeError, ConnectionResetError):  # the client hung up on purpose
            self.close_connection = True

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _headers(self, status: int = 200, **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()

    def _missing(self) -> None:
        self._headers(404, Content_Length="0")

    def _talk(self) -> None:
        self._headers(Content_Type="application/octet-stream", Content_Length=str(len(BODY)))
        for start in range(0, len(BODY), 64 * 1024):
            self.wfile.write(BODY[start : start + 64 * 1024])

    def _small(self) -> None:
        self._headers(Content_Length=str(len(SMALL)))
        self.wfile.write(SMALL)

    def _download(self) -> None:
        self._headers(Content_Type="audio/mpeg", Content_Length=str(len(SMALL)))
        self.wfile.write(SMALL)

    def _announced_big(self) -> None:
        self._headers(Content_Length=str(10 * 1024 * 1024))
        self.wfile.write(b"x" * 1024)

    def _endless_chunked(self) -> None:
        self._headers(Transfer_Encoding="chunked")
        chunk = b"x" * 64 * 1024
        for _ in range(1600):  # 100 MiB: far past any cap a test sets
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))

    def _stall_headers(self) -> None:
        self.server.stopping.wait(5)

    def _stall_body(self) -> None:
        self._headers(Content_Length="1000")
        self.wfile.write(b"x" * 10)
        self.wfile.flush()
        self.server.stopping.wait(5)

    def _stall_until_close(self) -> None:
        # No length and no chunking: the body ends when the connection closes.
        self.close_connection = True
        self._headers(Connection="close")
        self.wfile.write(b"x" * 10)
        self.wfile.flush()
        self.server.stopping.wait(5)

    def _drip_then_stall(self) -> None:
        # Bytes keep coming for 0.8 s, so a per-read timeout started at the request would fire only at 1.8 s.
        self.close_connection = True
        self._headers(Connection="close")
        for _ in range(16):
            self.wfile.write(b"x")
            self.wfile.flush()
            if self.server.stopping.wait(0.05):
                return
        self.server.stopping.wait(5)

    def _drip(self) -> None:
        self._headers(Transfer_Encoding="chunked")
        for _ in range(100):
            self.wfile.write(b"1\r\nx\r\n")
            self.wfile.flush()
            if self.server.stopping.wait(0.05):
                return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _MediaHandler)
        self.stopping = threading.Event()
        self.media = MediaServer(port=self.server_address[1])


@contextmanager
def running() -> Iterator[MediaServer]:
    server = _Server()
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield server.media
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
