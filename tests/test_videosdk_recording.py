"""Recording a room end to end in process: a program joins over real WebRTC (aiortc) with real speech,
the recording is started and ended through the API, then stored, PUT to a presigned URL, transcribed with
the participant's name as the speaker, and summarised by the configured LLM with the request's prompt."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import pytest
from fastapi.testclient import TestClient

from parley.app import create_app
from tests.conftest import make_settings
from tests.rooms.synthetic import ColourTrack, SpeechTrack
from tests.support import shared, wer
from tests.videosdk_helpers import Key, ProgramParticipant, Receiver, new_key


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver(reply="Ada asked what everyone can do for their country. Nothing was decided.")
    yield receiver
    receiver.close()


@pytest.fixture
def client(tmp_path: Path, sqlite_url: str, receiver: Receiver) -> Iterator[TestClient]:
    settings = make_settings(tmp_path / "data", sqlite_url, llm_base_url=receiver.url + "/v1")
    with TestClient(create_app(settings)) as client:
        yield client


def _wait_for(
    client: TestClient, key: Key, recording_id: str, done: Any, timeout: float = 90
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = client.get(f"/v2/recordings/{recording_id}", headers=key.headers).json()
        if done(shown):
            return shown
        time.sleep(0.3)
    raise AssertionError(f"recording {recording_id} did not get there: {shown}")


def test_audio_recording_is_uploaded_transcribed_by_name_and_summarised_with_the_prompt(
    client: TestClient, receiver: Receiver, tmp_path: Path
) -> None:
    key = new_key(client.app.state.runtime)  # type: ignore[attr-defined]
    room_id = client.post("/v2/rooms", headers=key.headers).json()["roomId"]

    def post_offer(offer: dict[str, Any]) -> dict[str, Any]:
        body = offer | {"token": key.token(), "name": "Ada"}
        answer = client.post(f"/rooms/{room_id}/participants", json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()

    ada = ProgramParticipant(
        post_offer, [SpeechTrack(shared("asr_short/jfk.wav"), lead=0.5), ColourTrack((0, 200, 0))]
    )
    try:
        state = client.get(f"/rooms/{room_id}/state", params={"token": key.token()}).json()
        assert [p["name"] for p in state["participants"]] == ["Ada"]
        start = {
            "roomId": room_id,
            "transcription": {"enabled": True, "summary": {"enabled": True, "prompt": "Say who asked what."}},
            "config": {"mode": "audio"},
            "webhookUrl": receiver.url + "/hook",
            "preSignedUrl": receiver.url + "/upload/ada.m4a?X-Amz-Signature=abc",
            "templateUrl": "https://www.example.com/?meetingId=x&participantId=RECORDER_ID",
        }
        started = client.post("/v2/recordings/start", headers=key.headers, json=start)
        assert started.status_code == 200 and started.json() == "Recording started successfully"
        again = client.post("/v2/recordings/start", headers=key.headers, json={"roomId": room_id})
        assert again.status_code == 409
        time.sleep(2.0)
        assert (
            client.get(f"/rooms/{room_id}/state", params={"token": key.token()}).json()["recording"] is True
        )
        time.sleep(10.5)  # JFK's 11 s sentence
        ended = client.post("/v2/recordings/end", headers=key.headers, json={"roomId": room_id})
        assert ended.status_code == 200, ended.text
    finally:
        ada.leave()

    listed = client.get("/v2/recordings", headers=key.headers, params={"roomId": room_id}).json()
    recording_id = listed["data"][0]["id"]
    shown = _wait_for(
        client, key, recording_id, lambda r: r["transcription"]["state"] in ("completed", "failed")
    )
    assert shown["state"] == "completed" and shown["file"]["type"] == "audio"
    assert shown["participants"][0]["name"] == "Ada"
    assert shown["templateUrl"] == start["templateUrl"]
    assert len(shown["notes"]) == 1 and "templateUrl" in shown["notes"][0], shown["notes"]
    assert "renders no page" in shown["notes"][0]
    assert 11.0 <= shown["file"]["meta"]["duration"] <= 16.0
    transcription = shown["transcription"]
    assert transcription["state"] == "completed", transcription
    assert {message["speaker"] for message in transcription["transcript"]} == {"Ada"}
    spoken = " ".join(message["text"] for message in transcription["transcript"])
    assert wer(shared("asr_short/jfk.txt").read_text(), spoken) < 0.3, spoken
    assert transcription["summary"].startswith("Ada asked what everyone can do")
    assert "notes" not in transcription  # an LLM is configured

    chat = receiver.of("POST", "/v1/chat/completions")
    assert chat and chat[-1].json()["messages"][0]["content"] == "Say who asked what."
    assert "Ada:" in chat[-1].json()["messages"][1]["content"]

    upload = receiver.of("PUT", "/upload/ada.m4a?X-Amz-Signature=abc")
    assert len(upload) == 1 and upload[0].headers["Content-Type"] == "audio/mp4"
    stored = client.get(f"/v2/recordings/{recording_id}/file", headers=key.headers)
    assert stored.status_code == 200 and stored.content == upload[0].body
    target = tmp_path / "got.m4a"
    target.write_bytes(upload[0].body)
    with av.open(str(target)) as container:
        assert [stream.type for stream in container.streams] == ["audio"]

    deadline = time.monotonic() + 10
    while "summary-completed" not in receiver.webhook_types() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert receiver.webhook_types() == [
        "recording-started",
        "recording-stopped",
        "transcription-completed",
        "summary-completed",
    ]
    stopped = receiver.of("POST", "/hook")[1].json()["data"]
    assert stopped["meetingId"] == room_id and stopped["fileUrl"].endswith(
        f"/v2/recordings/{recording_id}/file"
    )
