"""Fixtures: settings over SQLite or the local PostgreSQL, an in-process API client (embedded, or scaled out
onto a real worker, Redis and S3), a real server process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import symbl_rest
from fastapi.testclient import TestClient

from parley.accounts import service as accounts
from parley.app import create_app
from parley.config import Settings
from parley.runtime import Runtime
from tests.scale_support import (
    Worker,
    free_port,
    fresh_postgres,
    private_redis,
    running_worker,
    scaled_backends,
)
from tests.support import wait_for_job


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database on the local PostgreSQL server for this test session, dropped afterwards."""
    with fresh_postgres("parley_test") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'parley.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'parley.db'}"


def make_settings(data_dir: Path, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": database_url,
        "secret_key": "test-signing-key-" + "x" * 32,
        "allow_private_urls": True,
        "job_lease_seconds": 3.0,
    }
    return Settings(**(values | overrides))


@dataclass
class Api:
    """An in-process Parley with workers, and one app's credentials and token."""

    client: TestClient
    runtime: Runtime
    app_id: str
    app_secret: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def new_app(self, name: str = "other") -> tuple[str, str, str]:
        with self.runtime.session() as session:
            credentials = accounts.create(session, name=name)
        token = token_for(self.client, credentials.app_id, credentials.app_secret)
        return credentials.app_id, credentials.app_secret, token

    def job(self, job_id: str, token: str | None = None) -> dict[str, Any]:
        headers = {"x-api-key": token} if token else self.headers
        response = self.client.get(f"/v1/job/{job_id}", headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    def wait(self, job_id: str, timeout: float = 120.0) -> dict[str, Any]:
        return wait_for_job(lambda: self.job(job_id), timeout=timeout)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, headers=self.headers, **kwargs)


def token_for(client: TestClient | httpx.Client, app_id: str, app_secret: str) -> str:
    response = client.post(
        "/oauth2/token:generate", json={"type": "application", "appId": app_id, "appSecret": app_secret}
    )
    assert response.status_code == 200, response.text
    return response.json()["accessToken"]


def open_api(settings: Settings) -> Iterator[Api]:
    with TestClient(create_app(settings)) as client:
        runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
        with runtime.session() as session:
            credentials = accounts.create(session, name="tests")
        token = token_for(client, credentials.app_id, credentials.app_secret)
        yield Api(client, runtime, credentials.app_id, credentials.app_secret, token)


@contextmanager
def scaled_out(folder: Path, broker_url: str) -> Iterator[tuple[Settings, Worker]]:
    """A fresh PostgreSQL database, a moto S3 server and one real `parley worker` on `broker_url`; yields the
    settings they share (an API sharing them needs a data folder of its own) and the worker."""
    with scaled_backends(folder, broker_url) as backends:
        settings = make_settings(folder / "worker", backends.database_url, **backends.overrides())
        with running_worker(settings, folder / "worker.log", "--concurrency", "1") as worker:
            yield settings, worker


@pytest.fixture(scope="session")
def scaled_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The scaled-out configuration, started once per session, with a private Redis as the broker. Each
    test's API gets its own data folder, so media can reach the worker only through S3."""
    folder = tmp_path_factory.mktemp("scaled")
    with private_redis(folder) as broker, scaled_out(folder, broker.url) as (settings, _worker):
        yield settings


@pytest.fixture(params=["embedded", pytest.param("scaled", marks=pytest.mark.postgres)])
def stack_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Parley's settings, two ways. embedded: SQLite, jobs in the server's threads, media in its folder.
    scaled: PostgreSQL, jobs published to Redis and run by a `parley worker` process, media in S3. Settings
    changed on top of the scaled ones reach only the in-process API, never the worker."""
    if request.param == "embedded":
        return make_settings(tmp_path / "data", request.getfixturevalue("sqlite_url"))
    shared: Settings = request.getfixturevalue("scaled_settings")
    return shared.model_copy(update={"data_dir": tmp_path / "data"})


@pytest.fixture
def api(stack_settings: Settings) -> Iterator[Api]:
    """Parley in-process over both stacks (see `stack_settings`)."""
    yield from open_api(stack_settings)


@pytest.fixture
def sqlite_api(tmp_path: Path, sqlite_url: str) -> Iterator[Api]:
    """Parley in-process over SQLite only, for tests whose subject is not the database."""
    yield from open_api(make_settings(tmp_path / "data", sqlite_url))


@dataclass
class ServerProcess:
    """A real `parley serve` process."""

    process: subprocess.Popen[bytes]
    base_url: str
    env: dict[str, str]
    log: Path

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"parley serve exited early:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"parley serve did not become ready:\n{self.log.read_text()}")


def parley_env(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PARLEY_DATA_DIR": str(data_dir),
            "PARLEY_DATABASE_URL": database_url,
            "PARLEY_ALLOW_PRIVATE_URLS": "1",
            "PARLEY_SECRET_KEY": "test-signing-key-" + "y" * 32,
        }
        | extra
    )
    return env


def start_server(env: dict[str, str], log: Path) -> ServerProcess:
    port = free_port()
    parley = shutil.which("parley", path=str(Path(sys.executable).parent)) or "parley"
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [parley, "serve", "--port", str(port)], env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    server = ServerProcess(process, f"http://127.0.0.1:{port}", env, log)
    server.wait_ready()
    return server


def stop_server(server: ServerProcess) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def create_app_cli(env: dict[str, str], name: str = "tests") -> dict[str, str]:
    parley = shutil.which("parley", path=str(Path(sys.executable).parent)) or "parley"
    done = subprocess.run(
        [parley, "apps", "create", "--name", name, "--json"], env=env, capture_output=True, check=True
    )
    return json.loads(done.stdout)


@dataclass
class SymblServer:
    """One real `parley serve` shared by the tests that drive it with the official symbl-rest client."""

    server: ServerProcess
    client: symbl_rest.ApiClient

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def token(self) -> str:
        return self.client.configuration.api_key["x-api-key"]


@pytest.fixture(scope="session")
def symbl_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SymblServer]:
    root = tmp_path_factory.mktemp("symbl-server")
    env = parley_env(root / "data", f"sqlite:///{root / 'parley.db'}")
    server = start_server(env, root / "server.log")
    try:
        yield SymblServer(server=server, client=symbl_client(server.base_url, create_app_cli(env)))
    finally:
        stop_server(server)


def symbl_client(base_url: str, app: dict[str, str]) -> symbl_rest.ApiClient:
    """The official client, pointed at `base_url` and holding a fresh access token for `app`."""
    configuration = symbl_rest.Configuration()
    configuration.host = base_url
    client = symbl_rest.ApiClient(configuration)
    grant = symbl_rest.Grant(type="application", app_id=app["appId"], app_secret=app["appSecret"])
    token = symbl_rest.AuthenticationApi(client).generate_token(grant)
    assert token.expires_in > 0
    configuration.api_key["x-api-key"] = token.access_token
    return client
