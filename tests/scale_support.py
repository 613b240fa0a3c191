"""Real servers for the scale-out tests: a private Redis, a moto S3 server, a fresh PostgreSQL database,
and `parley worker` processes that can be killed whole."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import redis

from tests.conftest import POSTGRES_ADMIN, _postgres_up, _start_postgres, free_port

BIN = Path(sys.executable).parent


def _wait(check, what: str, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # not up yet
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what} did not come up within {timeout:.0f} s")


class PrivateRedis:
    """A redis-server of the test's own on a free port, with no persistence: a restart loses every queue,
    the worst case a broker restart can be."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        server = shutil.which("redis-server")
        assert server, "redis-server is not installed (apt-get install redis-server)"
        command = [
            server,
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.process = subprocess.Popen(
            command, cwd=self.folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait(lambda: redis.Redis(port=self.port).ping(), "redis-server")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()


@contextmanager
def moto_s3(log: Path) -> Iterator[str]:
    """moto's standalone S3-compatible server on a free port; yields its endpoint URL."""
    port = free_port()
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], stdout=sink, stderr=sink
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: httpx.get(endpoint, timeout=1).status_code < 500, "moto_server")
        yield endpoint
    finally:
        process.terminate()
        process.wait(10)


@contextmanager
def fresh_postgres() -> Iterator[str]:
    """A database of its own on the local PostgreSQL server, dropped afterwards."""
    if not _postgres_up():
        _start_postgres()
    name = f"parley_scale_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(database_url: str, sql: str, *params: object) -> list[tuple]:
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        return connection.execute(sql, params).fetchall()


@dataclass
class Worker:
    """A `parley worker` in its own process group, so SIGKILL takes its job processes down with it."""

    process: subprocess.Popen[bytes]
    log: Path

    @classmethod
    def launch(cls, env: dict[str, str], log: Path, *args: str) -> Worker:
        """Start it without waiting (start several, then `wait_ready` each)."""
        with log.open("ab") as sink:
            process = subprocess.Popen(
                [str(BIN / "parley"), "worker", *args],
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return cls(process, log)

    def wait_ready(self) -> Worker:
        _wait(self._ready, f"parley worker (log {self.log})", timeout=90)
        return self

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"parley worker exited early:\n{self.log.read_text()}")
        return " ready." in self.log.read_text()

    def holds(self, pid: int) -> bool:
        """Whether process `pid` (a job process) belongs to this worker."""
        try:
            return os.getpgid(pid) == self.process.pid
        except ProcessLookupError:
            return False

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.kill()
