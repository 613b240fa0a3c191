"""The upload URL flow: real speech to Ready, signed single-use URLs, size cap, failures, webhooks, reads."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import av
import pytest

from parley.models import Recording
from parley.notify.webhooks import verify
from parley.recordings import events, workspaces
from tests.notify.hook_receiver import Receiver, running
from tests.recordings_helpers import Claap, open_claap
from tests.support import shared, wer

CAP = 1_000_000  # bytes; jfk.wav is 352 KB


@pytest.fixture
def claap(tmp_path: Path, sqlite_url: str) -> Iterator[Claap]:
    yield from open_claap(tmp_path, sqlite_url, claap_max_upload_bytes=CAP)


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()} | changes
    return parts._replace(query=urlencode(query)).geturl()


def _media_files(claap: Claap) -> list[Path]:
    return [path for path in claap.runtime.settings.media_dir.rglob("*") if path.is_file()]


def _hook_to(claap: Claap, receiver: Receiver) -> None:
    """Send the workspace's webhooks to `receiver`, signed with "s3cret"."""
    with claap.runtime.session() as session:
        workspace = workspaces.get_required(session, workspace_id=claap.workspace.id)
        workspaces.set_webhook(workspace=workspace, url=receiver.url("/hook"), secret="s3cret")


def test_uploaded_speech_becomes_ready_with_its_transcript(claap: Claap) -> None:
    with running() as receiver:
        _hook_to(claap, receiver)
        created = claap.created_recording(title="JFK")
        assert claap.get(f"/v1/recordings/{created['id']}/transcript").status_code == 409
        uploaded = claap.put_file(created["upload"]["url"], shared("asr_short/jfk.wav"), "audio/wav")
        assert uploaded.status_code == 200, uploaded.text
        ready = claap.wait(created["id"])
        assert ready["state"] == "Ready", ready
        receiver.wait_for(2)  # delivered in the background, the last once the job's end is committed
    hooks = receiver.at("/hook")
    assert [hook.payload["recording"]["state"] for hook in hooks] == ["Uploaded", "Ready"]
    first = hooks[0]
    assert first.payload["eventType"] == "recording.state_changed"
    assert verify(
        first.body, "s3cret", first.headers["X-Parley-Timestamp"], first.headers["X-Parley-Signature"]
    )

    assert "upload" not in ready  # nothing is awaited any more
    body = claap.get(f"/v1/recordings/{created['id']}/transcript").json()["result"]["transcript"]
    text = " ".join(segment["text"] for segment in body["segments"])
    assert wer(shared("asr_short/jfk.txt").read_text(), text) < 0.1
    starts = [segment["start"] for segment in body["segments"]]
    assert starts == sorted(starts) and body["segments"][-1]["end"] <= 11.1

    srt = claap.get(f"/v1/recordings/{created['id']}/transcript", params={"format": "srt"}).text
    assert srt.startswith("1\n00:00:00,") and "country" in srt
    vtt = claap.get(f"/v1/recordings/{created['id']}/transcript", params={"format": "vtt"})
    assert vtt.text.startswith("WEBVTT") and vtt.headers["content-type"].startswith("text/vtt")
    insights = claap.get(f"/v1/recordings/{created['id']}/insights").json()["result"]["insights"]
    assert {"questions", "actionItems", "followUps", "topics"} <= set(insights)
    media = claap.get(ready["media"]["url"])
    assert media.status_code == 200 and media.content == shared("asr_short/jfk.wav").read_bytes()


def test_upload_urls_are_signed_expiring_and_single_use(claap: Claap) -> None:
    created = claap.created_recording()
    url = created["upload"]["url"]
    audio = shared("asr_short/jfk.mp3").read_bytes()
    signature = parse_qs(urlsplit(url).query)["signature"][0]
    tampered = claap.put(
        _with_query(url, signature=signature[:-1] + ("0" if signature[-1] != "0" else "1")), audio
    )
    assert tampered.status_code == 403 and "signature does not match" in tampered.json()["error"]["message"]
    expires = parse_qs(urlsplit(url).query)["expires"][0]
    later = claap.put(_with_query(url, expires=str(int(expires) + 3600)), audio)
    assert later.status_code == 403  # the expiry is signed too
    other = claap.created_recording()
    moved = claap.put(url.replace(created["id"], other["id"]), audio)
    assert moved.status_code == 403  # a URL works for its own recording only

    claap.set_time(claap.runtime.clock() + timedelta(days=2))
    expired = claap.put(url, audio)
    assert expired.status_code == 403 and "expired" in expired.json()["error"]["message"]
    fresh = claap.recording(created["id"])["upload"]["url"]  # reading the recording signs new ones

    assert claap.put(fresh, audio, "audio/mpeg").status_code == 200
    reused = claap.put(fresh, audio, "audio/mpeg")
    assert reused.status_code == 403
    assert reused.json()["error"] == {
        "code": "forbidden",
        "message": "this media upload URL was already used; each upload URL works once",
    }
    assert claap.wait(created["id"])["state"] == "Ready"


def test_uploads_over_the_cap_are_413_and_leave_nothing(claap: Claap) -> None:
    created = claap.created_recording()
    too_big = b"\0" * (CAP + 1)
    declared = claap.put(created["upload"]["url"], too_big)
    assert declared.status_code == 413 and declared.json()["error"]["code"] == "payload_too_large"

    def chunks():  # no Content-Length: the cap is enforced while streaming
        yield too_big[: CAP // 2]
        yield too_big[CAP // 2 :]

    streamed = claap.api.client.put(created["upload"]["url"], content=chunks())
    assert streamed.status_code == 413
    assert _media_files(claap) == []
    assert list(claap.runtime.settings.tmp_dir.iterdir()) == []
    assert claap.recording(created["id"])["state"] == "Empty"  # the URL was not used up


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("notes.txt", b"Meeting notes: nothing to see here.\n" * 50, "not a media file"),
        ("broken.mp4", b"\0\0\0\x18ftypmp42" + b"\x13" * 4000, "truncated or corrupt"),
        ("song.flac", None, "the file is flac; send one of aac, avi, mp3, mp4, wav, webm, wmv"),
    ],
)
def test_unusable_media_fails_with_the_reason(
    claap: Claap, tmp_path: Path, name: str, content: bytes | None, reason: str
) -> None:
    if content is None:  # a real, readable file in a format Claap does not take
        with av.open(str(shared("asr_short/jfk.wav"))) as source, av.open(str(tmp_path / name), "w") as out:
            stream = out.add_stream("flac", rate=16_000)
            for frame in source.decode(audio=0):
                out.mux(stream.encode(frame))
            out.mux(stream.encode(None))
        content = (tmp_path / name).read_bytes()
    created = claap.created_recording()
    assert claap.put(created["upload"]["url"], content).status_code == 200
    failed = claap.wait(created["id"])
    assert failed["state"] == "Failed" and reason in failed["failureReason"], failed
    refused = claap.get(f"/v1/recordings/{created['id']}/insights")
    assert refused.status_code == 409 and "failed" in refused.json()["error"]["message"]


def test_a_ready_state_left_unannounced_by_a_stopped_process_is_announced_at_start(claap: Claap) -> None:
    """As if the process died between the job's commit and its listener: the next start announces it once."""
    with running() as receiver:
        _hook_to(claap, receiver)
        created = claap.created_recording(title="JFK")
        claap.put_file(created["upload"]["url"], shared("asr_short/jfk.wav"), "audio/wav")
        assert claap.wait(created["id"])["state"] == "Ready"
        receiver.wait_for(2)
        with claap.runtime.session() as session:
            session.get_one(Recording, created["id"]).announced_state = "Uploaded"

        events.announce_missed(claap.runtime)
        events.announce_missed(claap.runtime)  # a second process starting: nothing more
        receiver.wait_for(3)
        time.sleep(0.5)
    states = [hook.payload["recording"]["state"] for hook in receiver.at("/hook")]
    assert states == ["Uploaded", "Ready", "Ready"]
