from __future__ import annotations

import socket
from collections.abc import Iterator

import media_host
import pytest


@pytest.fixture(scope="module")
def media_server() -> Iterator[media_host.MediaServer]:
    with media_host.running() as server:
        yield server


@pytest.fixture
def free_port() -> int:
    """A port on 127.0.0.1 with nothing listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
