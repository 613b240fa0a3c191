"""Real servers for the scale-out tests: PostgreSQL databases of their own, a private Redis, RabbitMQ virtual
hosts, a moto S3 server, and `parley worker` processes that can be killed whole."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import psycopg
import redis

from parley.config import Settings
from parley.db import get_engine

BIN = Path(sys.executable).parent
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
RABBITMQ = ("127.0.0.1", 5672)
BUCKET = "parley-media"
S3_KEY = "test"  # moto accepts any credentials


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check, what: str, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # not up yet
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what} did not come up within {timeout:.0f} s")


def postgres_up() -> bool:
    try:
        psycopg.connect(POSTGRES_ADMIN, connect_timeout=3).close()
        return True
    except psycopg.OperationalError:
        return False


def start_postgres() -> None:
    versions = os.listdir("/etc/postgresql")
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", versions[0], "main", "start"], check=False)
    for _ in range(30):
        if postgres_up():
            return
        time.sleep(1)
    raise RuntimeError("PostgreSQL at 127.0.0.1:5432 is down and could not be started")


@contextmanager
def fresh_postgres(prefix: str = "parley_scale") -> Iterator[str]:
    """A database of its own on the local PostgreSQL server, dropped afterwards."""
    if not postgres_up():
        start_postgres()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        yield url
    finally:
        get_engine(url).dispose()
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(database_url: str, sql: str, *params: object) -> list[tuple]:
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        return connection.execute(sql, params).fetchall()


class PrivateRedis:
    """A redis-server of the test's own on a free port, with no persistence: a restart loses every queue,
    the worst case a broker restart can be. Parallel test sessions never take each other's messages."""

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
        wait_until(lambda: redis.Redis(port=self.port).ping(), "redis-server")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()


@contextmanager
def private_redis(folder: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


def _rabbitmq_up() -> bool:
    try:
        socket.create_connection(RABBITMQ, timeout=3).close()
        return True
    except OSError:
        return False


def start_rabbitmq() -> None:
    """Start the local RabbitMQ through its init script, as the machine's other services are started."""
    subprocess.run(["service", "rabbitmq-server", "start"], check=False, capture_output=True, timeout=120)
    wait_until(_rabbitmq_up, "RabbitMQ on 127.0.0.1:5672 (down; `service rabbitmq-server start` ran)", 60)


@contextmanager
def rabbitmq_vhost() -> Iterator[str]:
    """A virtual host of its own on the local RabbitMQ, deleted afterwards with every queue in it, so no
    message of one test run reaches another; yields its broker URL."""
    if not _rabbitmq_up():
        start_rabbitmq()
    name = f"parley_test_{uuid.uuid4().hex[:10]}"
    _rabbitmqctl("add_vhost", name)
    try:
        _rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        yield f"amqp://guest:guest@{RABBITMQ[0]}:{RABBITMQ[1]}/{name}"
    finally:
        _rabbitmqctl("delete_vhost", name)


def queued_messages(vhost_url: str) -> dict[str, int]:
    """Every queue of a RabbitMQ virtual host and its messages, ready and unacknowledged together."""
    vhost = vhost_url.rsplit("/", 1)[1]
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_queues", "-p", vhost, "--no-table-headers", "name", "messages"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return {name: int(count) for name, count in (line.split() for line in listed.splitlines() if line)}


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
        wait_until(lambda: httpx.get(endpoint, timeout=1).status_code < 500, "moto_server")
        yield endpoint
    finally:
        process.terminate()
        process.wait(10)


def s3_client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=S3_KEY,
        aws_secret_access_key=S3_KEY,
        region_name="us-east-1",
    )


@dataclass(frozen=True)
class Backends:
    """What a scaled-out Parley keeps its state in: a PostgreSQL database, an S3 bucket, a broker."""

    database_url: str
    s3_endpoint: str
    broker_url: str

    def overrides(self) -> dict[str, Any]:
        """Settings beyond the database (for `make_settings`): the celery runner on this broker, S3 media."""
        return {
            "runner": "celery",
            "broker_url": self.broker_url,
            "storage_url": f"s3://{BUCKET}/parley",
            "s3_endpoint_url": self.s3_endpoint,
            "s3_access_key_id": S3_KEY,
            "s3_secret_access_key": S3_KEY,
        }


@contextmanager
def scaled_backends(folder: Path, broker_url: str) -> Iterator[Backends]:
    """A fresh PostgreSQL database and a moto S3 server holding an empty bucket, beside the given broker."""
    with fresh_postgres() as database_url, moto_s3(folder / "moto.log") as endpoint:
        s3_client(endpoint).create_bucket(Bucket=BUCKET)
        yield Backends(database_url, endpoint, broker_url)


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment under which a `parley` process reads exactly `settings`."""
    values = settings.model_dump(exclude_none=True)
    return dict(os.environ) | {f"PARLEY_{name.upper()}": str(value) for name, value in values.items()}


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
        wait_until(self._ready, f"parley worker (log {self.log})", timeout=90)
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


@contextmanager
def running_worker(settings: Settings, log: Path, *args: str) -> Iterator[Worker]:
    """One `parley worker` reading `settings`, ready to take jobs, stopped afterwards."""
    worker = Worker.launch(settings_env(settings), log, *args)
    try:
        yield worker.wait_ready()
    finally:
        worker.stop()
