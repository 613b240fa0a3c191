"""`parley workspaces`: a workspace made on the command line works with the Recordings API."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parley.cli import cli
from parley.config import get_settings
from tests.conftest import make_settings, open_api, parley_env

PARLEY = str(Path(sys.executable).parent / "parley")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The same settings for the `parley` process and for commands run in-process (faster to start)."""
    values = parley_env(tmp_path / "data", f"sqlite:///{tmp_path / 'p.db'}")
    for name, value in values.items():
        if name.startswith("PARLEY_"):
            monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield values
    get_settings.cache_clear()


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["workspaces", *args])
    return result.exit_code, result.output


def test_a_workspace_created_on_the_command_line_has_a_working_key(env: dict[str, str]) -> None:
    members = ["--member", "ada@example.com:admin", "--member", "vic@example.com:viewer"]
    done = subprocess.run(
        [PARLEY, "workspaces", "create", "Acme", *members, "--channel", "Sales", "--crm", "attio", "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)
    assert set(created) == {"workspaceId", "apiKey", "channels"}
    assert [channel["name"] for channel in created["channels"]] == ["Sales"]
    workspace = created["workspaceId"]
    code, output = _run("add-channel", workspace, "Demos", "--json")
    demo = json.loads(output)
    assert code == 0 and demo["name"] == "Demos"
    assert _run("add-member", workspace, "bob@example.com", "--name", "Bob")[0] == 0
    second_key = json.loads(_run("create-key", workspace, "--json")[1])["apiKey"]
    code, output = _run("add-member", workspace, "eve@example.com:owner")
    assert code == 2 and "role must be one of admin, member, viewer" in output
    assert _run("add-channel", "no-such-workspace", "X")[0] == 2

    for api in open_api(make_settings(Path(env["PARLEY_DATA_DIR"]), env["PARLEY_DATABASE_URL"])):
        for key in (created["apiKey"], second_key):
            body = {"authorEmail": "bob@example.com", "channelId": demo["id"], "title": "Demo"}
            response = api.client.post("/v1/recordings", json=body, headers={"X-Claap-Key": key})
            assert response.status_code == 200, response.text
            recording = response.json()["result"]["recording"]
            assert recording["recorder"]["name"] == "Bob" and recording["channel"]["name"] == "Demos"
        viewer = api.client.post(
            "/v1/recordings", json={"authorEmail": "vic@example.com"}, headers={"X-Claap-Key": second_key}
        )
        assert viewer.status_code == 403
        meeting = {"startedAt": "2025-03-01T09:00:00Z", "endedAt": "2025-03-01T10:00:00Z"}
        deal = {"authorEmail": "ada@example.com", "deal": {"id": "d-1", "type": "attio"}, "meeting": meeting}
        headers = {"X-Claap-Key": second_key}
        assert api.client.post("/v1/recordings", json=deal, headers=headers).status_code == 200
