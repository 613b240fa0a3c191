"""What the Recordings API tests share: a Parley with a workspace, its key, and polling for states."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from parley.config import Settings
from parley.models import WorkspaceRole
from parley.recordings import workspaces
from parley.runtime import Runtime
from tests.conftest import Api, make_settings, open_api

AUTHOR = "ada@example.com"


@dataclass
class Workspace:
    id: str
    key: str
    channels: list[str]

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Claap-Key": self.key}


def make_workspace(
    runtime: Runtime,
    name: str = "Acme",
    members: tuple[tuple[str, WorkspaceRole], ...] = ((AUTHOR, WorkspaceRole.member),),
    channels: tuple[str, ...] = ("General", "Sales"),
    crm: str | None = None,
) -> Workspace:
    with runtime.session() as session:
        workspace = workspaces.create(session, name=name, crm=crm)
        for email, role in members:
            workspaces.add_user(
                session, workspace=workspace, email=email, role=role, name=email.split("@")[0]
            )
        channel_ids = [workspaces.add_channel(session, workspace=workspace, name=n).id for n in channels]
        key = workspaces.create_key(session, workspace=workspace)
    return Workspace(id=workspace.id, key=key.api_key, channels=channel_ids)


@dataclass
class Claap:
    """An in-process Parley, one workspace in it, and a settable clock."""

    api: Api
    workspace: Workspace
    now: datetime | None = None
    created: list[str] = field(default_factory=list)

    @property
    def runtime(self) -> Runtime:
        return self.api.runtime

    def set_time(self, instant: datetime) -> None:
        self.now = instant
        self.runtime.clock = lambda: instant

    def create(self, workspace: Workspace | None = None, **body: Any) -> httpx.Response:
        headers = (workspace or self.workspace).headers
        return self.api.client.post("/v1/recordings", json={"authorEmail": AUTHOR} | body, headers=headers)

    def created_recording(self, **body: Any) -> dict[str, Any]:
        response = self.create(**body)
        assert response.status_code == 200, response.text
        return response.json()["result"]["recording"]

    def get(self, path: str, workspace: Workspace | None = None, **kwargs: Any) -> httpx.Response:
        return self.api.client.get(path, headers=(workspace or self.workspace).headers, **kwargs)

    def recording(self, recording_id: str) -> dict[str, Any]:
        response = self.get(f"/v1/recordings/{recording_id}")
        assert response.status_code == 200, response.text
        return response.json()["result"]["recording"]

    def put(self, url: str, content: bytes, content_type: str = "application/octet-stream") -> httpx.Response:
        """PUT where the URL points: Parley itself, or the object store that signed it."""
        headers = {"Content-Type": content_type}
        if url.startswith(str(self.api.client.base_url)):
            return self.api.client.put(url, content=content, headers=headers)
        return httpx.put(url, content=content, headers=headers, timeout=60)

    def put_file(
        self, url: str, path: Path, content_type: str = "application/octet-stream"
    ) -> httpx.Response:
        return self.put(url, path.read_bytes(), content_type)

    def wait(self, recording_id: str, timeout: float = 120.0) -> dict[str, Any]:
        """Poll until the recording is Ready or Failed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            recording = self.recording(recording_id)
            if recording["state"] in ("Ready", "Failed"):
                return recording
            time.sleep(0.1)
        raise AssertionError(f"recording did not finish within {timeout} s: {recording}")


def open_claap(tmp_path: Path, database_url: str, **overrides: Any) -> Iterator[Claap]:
    yield from claap_over(make_settings(tmp_path / "data", database_url, **overrides))


def claap_over(settings: Settings) -> Iterator[Claap]:
    for api in open_api(settings):
        yield Claap(api=api, workspace=make_workspace(api.runtime))
