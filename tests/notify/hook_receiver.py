"""A real webhook receiver on 127.0.0.1 that records what it gets and answers from a script."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    # Wall-clock seconds: the outbox schedules retries by UTC timestamps (shared across processes), so
    # back-off gaps are measured on that clock; monotonic time drifts from it while NTP slews the clock.
    at: float

    @property
    def payload(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    port: int
    received: list[Received] = field(default_factory=list)
    # Per path, the statuses to answer in turn; 200 once a script runs out.
    script: dict[str, list[int]] = field(default_factory=dict)
    delay_s: float = 0.0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def at(self, path: str) -> list[Received]:
        return [request for request in self.received if request.path == path]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The requests received once there are at least `count` of them (fewer if `timeout` ran out)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.received)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        time.sleep(receiver.delay_s)
        with self.server.lock:
            statuses = receiver.script.get(self.path)
            status = statuses.pop(0) if statuses else 200
            receiver.received.append(Received(self.path, dict(self.headers), body, status, time.time()))
        self.send_response(status)
        if status == 429:
            self.send_header("Retry-After", "0")
        self.send_header("Content-Length", "0")
        self.end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.lock = threading.Lock()
        self.receiver = Receiver(port=self.server_address[1])


@contextmanager
def running(port: int = 0) -> Iterator[Receiver]:
    """A receiver on `port` (0: any free one), for as long as the block runs."""
    server = _Server(port)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield server.receiver
    finally:
        server.shutdown()
        server.server_close()
