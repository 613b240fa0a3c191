"""A room recording scaled out: the API (PARLEY_RUNNER=celery) captures the room, and a real `parley worker`
(Redis broker, PostgreSQL, media in S3) delivers the file, transcribes it and sends the webhooks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from parley.app import create_app
from parley.config import Settings
from parley.models import Job
from tests.rooms.synthetic import SpeechTrack
from tests.support import shared
from tests.videosdk_helpers import ProgramParticipant, Receiver, new_key

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.close()


def test_a_worker_delivers_and_transcribes_a_recording_and_sends_its_webhooks(
    scaled_settings: Settings, tmp_path: Path, receiver: Receiver
) -> None:
    settings = scaled_settings.model_copy(update={"data_dir": tmp_path / "data"})
    with TestClient(create_app(settings)) as client:
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        key = new_key(runtime)
        room_id = client.post("/v2/rooms", headers=key.headers).json()["roomId"]

        def post_offer(offer: dict[str, Any]) -> dict[str, Any]:
            answer = client.post(
                f"/rooms/{room_id}/participants", json=offer | {"token": key.token(), "name": "Ada"}
            )
            assert answer.status_code == 200, answer.text
            return answer.json()

        ada = ProgramParticipant(post_offer, [SpeechTrack(shared("asr_short/jfk.wav"), lead=0.5)])
        try:
            start = {
                "roomId": room_id,
                "transcription": {"enabled": True, "summary": {"enabled": True}},
                "config": {"mode": "audio"},
                "webhookUrl": receiver.url + "/hook",
                "preSignedUrl": receiver.url + "/upload/ada.m4a",
            }
            assert client.post("/v2/recordings/start", headers=key.headers, json=start).status_code == 200
            time.sleep(12)  # JFK's 11 s sentence
            ended = client.post("/v2/recordings/end", headers=key.headers, json={"roomId": room_id})
            assert ended.status_code == 200, ended.text
        finally:
            ada.leave()

        deadline = time.monotonic() + 180
        while "summary-completed" not in receiver.webhook_types() and time.monotonic() < deadline:
            time.sleep(0.3)
        with runtime.session() as session:
            ran = session.execute(select(Job.kind, Job.status, Job.worker_id).where(Job.app_id == key.app_id))
            jobs = sorted((kind, status, worker_id.split(":")[0]) for kind, status, worker_id in ran)

    assert jobs == [("audio", "completed", "celery"), ("room", "completed", "celery")]
    assert receiver.webhook_types() == [
        "recording-started",
        "recording-stopped",
        "transcription-completed",
        "summary-completed",
    ]
    transcribed, summarised = (request.json()["data"] for request in receiver.of("POST", "/hook")[2:])
    assert {message["speaker"] for message in transcribed["transcript"]} == {"Ada"}
    assert "country" in " ".join(message["text"] for message in transcribed["transcript"])
    assert summarised["summary"] and summarised["summaryKind"] == "extractive"
    assert len(receiver.of("PUT", "/upload/ada.m4a")) == 1
