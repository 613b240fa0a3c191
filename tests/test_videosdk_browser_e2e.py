"""The issue's end-to-end test: two headless Chromium participants (fake camera, real speech as their
microphone) join a room on a real `parley serve`; a GRID recording with transcription and a summary is
started and ended through the API; the file, the per-speaker transcript, the summary, the presigned
upload, the S3 object under awsDirPath and the webhooks are all checked."""

from __future__ import annotations

import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import boto3
import httpx
import numpy as np
import pytest

from parley.rooms.layout import PALETTES, RecordingConfig, tile_rects
from tests.conftest import ServerProcess, parley_env, start_server, stop_server
from tests.scale_support import moto_s3
from tests.support import read_mono, shared, wer
from tests.videosdk_helpers import Receiver, cli_key

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
LEAD_SECONDS = 6.0  # the browsers start "speaking" this long after their capture starts
BOB_FILES = ("sb_spk2_snt1.wav", "sb_spk2_snt2.wav", "sb_spk2_snt4.wav")
BOB_TEXT = "We are sure that one war is enough. What joy there is in living. Mend the coat before you go out."


def _speech_wav(target: Path, sources: list[Path]) -> Path:
    """16-bit PCM mono 16 kHz (what Chromium's fake capture reads): lead silence, the sources with short
    pauses, then enough silence that its loop does not come round within the recording."""
    pause = np.zeros(8_000, dtype=np.int16)
    parts = [np.zeros(int(LEAD_SECONDS * 16_000), dtype=np.int16)]
    for source in sources:
        parts += [read_mono(source), pause]
    parts.append(np.zeros(30 * 16_000, dtype=np.int16))
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes(np.concatenate(parts).tobytes())
    return target


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def s3_endpoint(tmp_path: Path) -> Iterator[str]:
    with moto_s3(tmp_path / "moto.log") as url:
        _s3(url).create_bucket(Bucket="parley-media")
        _s3(url).create_bucket(Bucket="customer-recordings")
        yield url


def _s3(endpoint: str) -> Any:
    return boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="k", aws_secret_access_key="s", region_name="us-east-1"
    )


@pytest.fixture
def server(tmp_path: Path, s3_endpoint: str) -> Iterator[ServerProcess]:
    env = parley_env(
        tmp_path / "data",
        f"sqlite:///{tmp_path / 'parley.db'}",
        PARLEY_STORAGE_URL="s3://parley-media/parley",
        PARLEY_S3_ENDPOINT_URL=s3_endpoint,
        PARLEY_S3_ACCESS_KEY_ID="k",
        PARLEY_S3_SECRET_ACCESS_KEY="s",
    )
    server = start_server(env, tmp_path / "server.log")
    yield server
    stop_server(server)


def _join(playwright: Any, page_url: str, wav: Path) -> Any:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}",
            "--disable-features=WebRtcHideLocalIpsWithMdns",
        ],
    )
    page = browser.new_page()
    page.goto(page_url)
    page.wait_for_selector("body[data-joined=true]", timeout=30_000)
    return browser


def _wait_for_recording(api: httpx.Client, recording_id: str, timeout: float = 150) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = api.get(f"/v2/recordings/{recording_id}").json()
        if shown["state"] == "failed" or shown["transcription"]["state"] in ("completed", "failed"):
            return shown
        time.sleep(0.5)
    raise AssertionError(f"recording {recording_id} did not finish: {shown}")


def _check_two_tiles(video: Path, seconds: float) -> None:
    """In the middle of the recording the GRID holds two tiles of camera picture on the theme's background."""
    with av.open(str(video)) as container:
        frame = next(f for f in container.decode(video=0) if f.time is not None and f.time >= seconds)
        picture = frame.to_ndarray(format="rgb24").astype(np.int16)
    height, width = picture.shape[:2]
    config = RecordingConfig(layout="GRID", quality="low", theme="DARK")
    rects = tile_rects(2, config, width, height)
    background = np.array(PALETTES["DARK"].background)
    assert rects[0].x + rects[0].width < rects[1].x  # side by side
    for rect in rects:
        tile = picture[rect.y : rect.y + rect.height, rect.x : rect.x + rect.width]
        assert (np.abs(tile - background).max(axis=2) > 30).mean() > 0.5  # filled with camera picture
    left_margin = picture[:, : rects[0].x - 1]
    assert (np.abs(left_margin - background).max(axis=2) <= 12).mean() > 0.9


def _watch_speakers(api: httpx.Client, room_id: str, token: str, until: float) -> set[str]:
    """Names the room's state showed as speaking while polled like the join page does, until `until`."""
    heard: set[str] = set()
    while time.monotonic() < until:
        state = api.get(f"/rooms/{room_id}/state", params={"token": token}).json()
        heard |= {p["name"] for p in state["participants"] if p["speaking"]}
        time.sleep(0.3)
    return heard


def _spoken_by(transcript: list[dict[str, Any]], name: str) -> str:
    return " ".join(message["text"] for message in transcript if message["speaker"] == name)


def test_two_browsers_recorded_transcribed_summarised_uploaded(
    server: ServerProcess, s3_endpoint: str, receiver: Receiver, tmp_path: Path
) -> None:
    key = cli_key(server.env)
    api = httpx.Client(base_url=server.base_url, headers=key.headers, timeout=30)
    room_id = api.post("/v2/rooms").json()["roomId"]
    alice_wav = _speech_wav(tmp_path / "alice.wav", [shared("asr_short/jfk.wav")])
    bob_wav = _speech_wav(tmp_path / "bob.wav", [shared(f"asr_short/{name}") for name in BOB_FILES])
    token = key.token()
    with playwright_api.sync_playwright() as playwright:
        browsers = [
            _join(
                playwright,
                f"{server.base_url}/rooms/{room_id}?token={token}&name=Alice%20Moore",
                alice_wav,
            ),
            _join(playwright, f"{server.base_url}/rooms/{room_id}?token={token}&name=Bob%20Stone", bob_wav),
        ]
        state = api.get(f"/rooms/{room_id}/state", params={"token": token}).json()
        assert sorted(p["name"] for p in state["participants"]) == ["Alice Moore", "Bob Stone"]
        body = {
            "roomId": room_id,
            "templateUrl": "https://www.example.com/?token=token&meetingId=abcd&participantId=RECORDER_ID",
            "transcription": {
                "enabled": True,
                "summary": {"enabled": True, "prompt": "List the sentences."},
            },
            "config": {
                "layout": {"type": "GRID", "priority": "SPEAKER", "gridSize": 4},
                "theme": "DARK",
                "mode": "video-and-audio",
                "quality": "low",
                "orientation": "landscape",
            },
            "webhookUrl": receiver.url + "/hook",
            "awsDirPath": "meetings/2026",
            "preSignedUrl": receiver.url + "/presigned/upload.mp4?sig=1",
        }
        started = api.post("/v2/recordings/start", json=body)
        assert started.status_code == 200 and started.json() == "Recording started successfully", started.text
        # Speech starts LEAD_SECONDS after each browser's capture began (before the recording did);
        # JFK speaks 11 s, Bob about 9 s. Meanwhile the room shows who speaks.
        heard_speaking = _watch_speakers(api, room_id, token, until=time.monotonic() + LEAD_SECONDS + 12.5)
        assert api.post("/v2/recordings/end", json={"roomId": room_id}).status_code == 200
        for browser in browsers:
            browser.close()
    assert heard_speaking == {"Alice Moore", "Bob Stone"}

    recording = api.get("/v2/recordings", params={"roomId": room_id}).json()["data"][0]
    shown = _wait_for_recording(api, recording["id"])
    assert shown["state"] == "completed", shown
    assert sorted(p["name"] for p in shown["participants"]) == ["Alice Moore", "Bob Stone"]
    assert shown["templateUrl"].startswith("https://www.example.com/")
    assert any("renders no page" in note for note in shown["notes"])

    video = tmp_path / "recording.mp4"
    video.write_bytes(api.get(shown["file"]["fileUrl"].removeprefix(server.base_url)).content)
    with av.open(str(video)) as container:
        assert sorted(stream.type for stream in container.streams) == ["audio", "video"]
        duration = float(container.duration / 1e6)
    assert 10 <= duration <= 30, duration
    _check_two_tiles(video, duration / 2)

    transcription = shown["transcription"]
    assert transcription["state"] == "completed", transcription
    transcript = transcription["transcript"]
    assert {message["speaker"] for message in transcript} == {"Alice Moore", "Bob Stone"}
    assert wer(shared("asr_short/jfk.txt").read_text(), _spoken_by(transcript, "Alice Moore")) < 0.35, (
        _spoken_by(transcript, "Alice Moore")
    )
    assert wer(BOB_TEXT, _spoken_by(transcript, "Bob Stone")) < 0.5, _spoken_by(transcript, "Bob Stone")
    assert transcription["summary"], transcription
    assert any("no LLM is configured" in note for note in transcription["notes"])

    uploaded = [r for r in receiver.requests if r.method == "PUT" and r.path == "/presigned/upload.mp4?sig=1"]
    assert len(uploaded) == 1 and uploaded[0].body == video.read_bytes()
    assert shown["uploads"]["s3"] == {"bucket": "parley-media", "key": f"meetings/2026/{shown['id']}.mp4"}
    s3_object = _s3(s3_endpoint).get_object(Bucket="parley-media", Key=f"meetings/2026/{shown['id']}.mp4")
    assert s3_object["Body"].read() == video.read_bytes()

    deadline = time.monotonic() + 10
    while "summary-completed" not in receiver.webhook_types() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert receiver.webhook_types() == [
        "recording-started",
        "recording-stopped",
        "transcription-completed",
        "summary-completed",
    ]
