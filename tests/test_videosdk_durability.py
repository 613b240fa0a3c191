"""A room recording survives its server being killed (SIGKILL), on a real `parley serve` restarted over the
same database and data folder: killed while delivering, the recording is delivered once after the restart;
killed while still capturing, it ends `failed` with a reason, announced once."""

from __future__ import annotations

import signal
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ServerProcess, parley_env, start_server, stop_server
from tests.rooms.synthetic import SpeechTrack
from tests.support import shared, wer
from tests.videosdk_helpers import Key, ProgramParticipant, Receiver, cli_key

pytestmark = pytest.mark.slow

SUMMARY = "Ada asked what everyone can do for their country."


@dataclass
class Site:
    """One data folder and database, served by one `parley serve` at a time."""

    folder: Path
    env: dict[str, str]
    server: ServerProcess
    key: Key
    starts: int = 1

    @property
    def api(self) -> httpx.Client:
        """A client of the server running now (a restarted one listens on another port)."""
        return httpx.Client(base_url=self.server.base_url, headers=self.key.headers, timeout=30)

    def kill(self) -> None:
        self.server.process.send_signal(signal.SIGKILL)
        self.server.process.wait(10)

    def restart(self) -> None:
        self.starts += 1
        self.server = start_server(self.env, self.folder / f"server{self.starts}.log")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.folder / "parley.db") as connection:
            return connection.execute(sql).fetchall()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver(reply=SUMMARY)
    yield receiver
    receiver.close()


@pytest.fixture
def site(tmp_path: Path, receiver: Receiver) -> Iterator[Site]:
    env = parley_env(
        tmp_path / "data",
        f"sqlite:///{tmp_path / 'parley.db'}",
        PARLEY_JOB_LEASE_SECONDS="3",  # a killed holder's job is claimed again 3 s later
        PARLEY_LLM_BASE_URL=receiver.url + "/v1",
    )
    built = Site(tmp_path, env, start_server(env, tmp_path / "server1.log"), cli_key(env))
    yield built
    stop_server(built.server)


def _record_ada(site: Site, body: dict[str, Any]) -> tuple[str, str, ProgramParticipant]:
    """Ada joins with JFK's sentence and the recording starts; returns the room, the recording and Ada."""
    room_id = site.api.post("/v2/rooms").json()["roomId"]
    ada = ProgramParticipant.over_http(
        site.server.base_url, room_id, site.key, "Ada", [SpeechTrack(shared("asr_short/jfk.wav"), lead=0.5)]
    )
    started = site.api.post("/v2/recordings/start", json={"roomId": room_id} | body)
    assert started.status_code == 200, started.text
    recording_id = site.api.get("/v2/recordings", params={"roomId": room_id}).json()["data"][0]["id"]
    return room_id, recording_id, ada


def _wait_for(site: Site, recording_id: str, done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        shown = site.api.get(f"/v2/recordings/{recording_id}").json()
        if done(shown):
            return shown
        time.sleep(0.3)
    raise AssertionError(f"recording {recording_id} did not get there: {shown}")


def _settled_webhooks(receiver: Receiver, last: str) -> list[str]:
    """The webhook types received once `last` came, and a few seconds more for any duplicate to show."""
    deadline = time.monotonic() + 20
    while last not in receiver.webhook_types() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(4)
    return receiver.webhook_types()


def test_a_server_killed_while_uploading_delivers_once_after_restart(site: Site, receiver: Receiver) -> None:
    receiver.hold_next_put()
    upload = "/upload/ada.m4a?X-Amz-Signature=abc"
    room_id, recording_id, ada = _record_ada(
        site,
        {
            "transcription": {"enabled": True, "summary": {"enabled": True, "prompt": "Who asked what?"}},
            "config": {"mode": "audio"},
            "webhookUrl": receiver.url + "/hook",
            "preSignedUrl": receiver.url + upload,
        },
    )
    time.sleep(12)  # JFK's 11 s sentence
    assert site.api.post("/v2/recordings/end", json={"roomId": room_id}).status_code == 200
    # The file is stored and the delivery under way: its PUT has reached the receiver, which holds it.
    assert receiver.put_held.wait(30)
    during = site.api.get(f"/v2/recordings/{recording_id}").json()
    assert during["state"] == "processing" and during["uploads"] == {} and during["file"] is not None
    site.kill()
    receiver.release()  # the killed server's PUT is dropped unread: that upload never happened
    ada.leave()
    site.restart()

    shown = _wait_for(site, recording_id, lambda r: r["transcription"]["state"] in ("completed", "failed"))
    assert shown["state"] == "completed", shown
    assert shown["uploads"] == {"preSignedUrl": {"status": 200}}
    transcription = shown["transcription"]
    assert transcription["state"] == "completed", transcription
    assert {message["speaker"] for message in transcription["transcript"]} == {"Ada"}
    spoken = " ".join(message["text"] for message in transcription["transcript"])
    assert wer(shared("asr_short/jfk.txt").read_text(), spoken) < 0.3, spoken
    assert transcription["summary"] == SUMMARY

    assert _settled_webhooks(receiver, "summary-completed") == [
        "recording-started",
        "recording-stopped",
        "transcription-completed",
        "summary-completed",
    ]
    assert len(receiver.held) == 1  # the interrupted attempt
    uploaded = receiver.of("PUT", upload)
    assert len(uploaded) == 1, "the upload arrived more than once"
    assert uploaded[0].body == site.api.get(f"/v2/recordings/{recording_id}/file").content
    jobs = sorted(site.rows("SELECT kind, status, attempts FROM jobs"))
    assert jobs == [("audio", "completed", 1), ("room", "completed", 2)]


def test_a_server_killed_while_recording_ends_the_recording_failed_after_restart(
    site: Site, receiver: Receiver
) -> None:
    room_id, recording_id, ada = _record_ada(site, {"webhookUrl": receiver.url + "/hook"})
    time.sleep(2)
    site.kill()
    ada.leave()
    site.restart()

    shown = _wait_for(site, recording_id, lambda r: r["state"] != "recording")
    assert shown["state"] == "failed", shown
    assert "stopped (killed or crashed) before the recording was ended" in shown["error"]
    assert shown["file"] is None and shown["end"] is not None
    assert _settled_webhooks(receiver, "recording-failed") == ["recording-started", "recording-failed"]
    failed = receiver.of("POST", "/hook")[1].json()
    assert failed["data"]["recordingId"] == recording_id and "killed" in failed["data"]["error"]
    assert site.rows("SELECT kind, status FROM jobs") == [("room", "failed")]
    ended = site.api.post("/v2/recordings/end", json={"roomId": room_id})
    assert ended.status_code == 400 and "not being recorded" in ended.text


def test_a_server_stopped_normally_ends_its_recordings_as_if_asked_to(site: Site, receiver: Receiver) -> None:
    _, recording_id, ada = _record_ada(
        site, {"webhookUrl": receiver.url + "/hook", "config": {"mode": "audio"}}
    )
    time.sleep(3)
    stop_server(site.server)  # SIGTERM: the recording is ended and stored on the way out
    ada.leave()
    site.restart()  # delivers it, if the stopping server did not get to it

    shown = _wait_for(site, recording_id, lambda r: r["state"] not in ("recording", "processing"))
    assert shown["state"] == "completed", shown
    assert 2.5 <= shown["file"]["meta"]["duration"] <= 6, shown["file"]
    assert site.api.get(f"/v2/recordings/{recording_id}/file").content[4:8] == b"ftyp"
    assert _settled_webhooks(receiver, "recording-stopped") == ["recording-started", "recording-stopped"]
