"""Supplied transcripts (used instead of ASR, processing waits for both payloads) and downloadUrl media."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from parley.config import Settings
from parley.intel.model import Analysis, Assignee, Insight, SummarySentence, Topic
from parley.models import ConversationAnalysis, MessageRow, Recording
from tests.recordings_helpers import AUTHOR, Claap, claap_over
from tests.support import file_server, make_mp4, shared, wer

MEETING = {"startedAt": "2025-03-01T09:00:00Z", "endedAt": "2025-03-01T09:30:00Z"}
TRANSCRIPT: dict[str, Any] = {
    "transcript": {
        "langIso2": "en",
        "segments": [
            {
                "speakerId": "1",
                "start": 0.5,
                "end": 3.25,
                "text": "Ask not what your country can do for you.",
            },
            {"speakerId": "2", "start": 4.0, "end": 6.5, "text": "Can you send me the slides by Friday?"},
            {"speakerId": "1", "start": 7.0, "end": 10.0, "text": "Ask what you can do for your country."},
        ],
        "speakers": [
            {"speakerId": "1", "name": "Recorder", "isRecorder": True},
            {"speakerId": "2", "name": "Marc", "email": "marc@example.com"},
        ],
    }
}


@pytest.fixture
def claap(stack_settings: Settings) -> Iterator[Claap]:
    yield from claap_over(stack_settings)


def test_a_supplied_transcript_replaces_asr_once_both_payloads_are_in(claap: Claap) -> None:
    created = claap.created_recording(meeting=MEETING, transcript={"type": "upload"})
    assert created["recorder"]["attended"] is False
    media = claap.put_file(created["upload"]["url"], shared("asr_short/jfk.mp3"), "audio/mpeg")
    assert media.status_code == 200, media.text
    assert claap.recording(created["id"])["state"] == "Empty"  # still waiting for the transcript
    assert set(claap.recording(created["id"])["upload"]) == {"metaUrl"}

    sent = claap.api.client.put(created["upload"]["metaUrl"], json=TRANSCRIPT)
    assert sent.status_code == 200, sent.text
    ready = claap.wait(created["id"])
    assert ready["state"] == "Ready", ready
    assert ready["recorder"]["attended"] is True  # a speaker is marked isRecorder

    transcript = claap.get(f"/v1/recordings/{created['id']}/transcript").json()["result"]["transcript"]
    assert transcript["langIso2"] == "en"
    assert [(s["start"], s["end"]) for s in transcript["segments"]] == [(0.5, 3.25), (4.0, 6.5), (7.0, 10.0)]
    speakers = [segment["speaker"] for segment in transcript["segments"]]
    assert speakers[0] == {"id": "1", "name": "ada", "email": AUTHOR}  # the recorder is the author
    assert speakers[1] == {"id": "2", "name": "Marc", "email": "marc@example.com"}
    assert transcript["segments"][1]["text"] == "Can you send me the slides by Friday?"
    txt = claap.get(f"/v1/recordings/{created['id']}/transcript", params={"format": "txt"}).text
    assert txt.splitlines()[1] == "Marc: Can you send me the slides by Friday?"
    _check_insights_mapping(claap, created["id"])
    # The media is kept for playback although it was not transcribed.
    assert claap.get(ready["media"]["url"]).content == shared("asr_short/jfk.mp3").read_bytes()
    assert claap.api.client.put(created["upload"]["metaUrl"], json=TRANSCRIPT).status_code == 403


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t["segments"][0].update(end=0.2),
            "transcript.segments.0: end (0.2) must be after start (0.5)",
        ),
        (
            lambda t: t["segments"][1].update(speakerId="9"),
            "segments.1.speakerId: '9' is not in the speakers",
        ),
        (lambda t: t.update(langIso2="eng"), "transcript.langIso2"),
        (lambda t: t["segments"][2].pop("text"), "transcript.segments.2.text: Field required"),
        (lambda t: t["segments"][0].update(text="  "), "transcript.segments.0.text"),
        (lambda t: t["speakers"][1].update(isRecorder=True), "at most one speaker can be the recorder"),
        (lambda t: t.update(segments=[]), "transcript.segments"),
        (lambda t: t.update(words=[]), "transcript.words: is not a parameter"),
    ],
)
def test_bad_transcripts_are_400_with_the_field_path(claap: Claap, change: Any, message: str) -> None:
    created = claap.created_recording(transcript={"type": "upload"})
    document = copy.deepcopy(TRANSCRIPT)
    change(document["transcript"])
    response = claap.api.client.put(created["upload"]["metaUrl"], json=document)
    assert response.status_code == 400, response.text
    assert message in response.json()["error"]["message"]
    assert claap.api.client.put(created["upload"]["metaUrl"], content=b"{not json").status_code == 400


def test_download_url_media_is_fetched_and_transcribed(claap: Claap, tmp_path: Path) -> None:
    make_mp4(shared("asr_short/jfk.wav"), tmp_path / "talk.mp4")
    with file_server(tmp_path) as base:
        created = claap.created_recording(downloadUrl=f"{base}/talk.mp4")
        assert "upload" not in created and created["state"] in ("Empty", "Uploaded")
        ready = claap.wait(created["id"])
        missing = claap.created_recording(downloadUrl=f"{base}/gone.mp4")
        failed = claap.wait(missing["id"])
    assert ready["state"] == "Ready", ready
    segments = claap.get(f"/v1/recordings/{created['id']}/transcript").json()["result"]["transcript"][
        "segments"
    ]
    assert wer(shared("asr_short/jfk.txt").read_text(), " ".join(s["text"] for s in segments)) < 0.15
    assert failed["state"] == "Failed" and "answered HTTP 404" in failed["failureReason"]
    assert "media" not in failed


def test_download_url_with_a_transcript_waits_for_the_transcript(claap: Claap, tmp_path: Path) -> None:
    (tmp_path / "jfk.mp3").write_bytes(shared("asr_short/jfk.mp3").read_bytes())
    with file_server(tmp_path) as base:
        created = claap.created_recording(downloadUrl=f"{base}/jfk.mp3", transcript={"type": "upload"})
        assert set(created["upload"]) == {"metaUrl"}
        assert claap.recording(created["id"])["state"] == "Empty"
        assert claap.api.client.put(created["upload"]["metaUrl"], json=TRANSCRIPT).status_code == 200
        ready = claap.wait(created["id"])
    assert ready["state"] == "Ready", ready
    transcript = claap.get(f"/v1/recordings/{created['id']}/transcript").json()["result"]["transcript"]
    assert [segment["speaker"]["id"] for segment in transcript["segments"]] == ["1", "2", "1"]
    assert ready["media"]["url"].endswith(f"/v1/recordings/{created['id']}/media")


def _check_insights_mapping(claap: Claap, recording_id: str) -> None:
    """Replace the stored analysis with a known one, so the mapping is checked whatever the engines find."""
    with claap.runtime.session() as session:
        conversation_id = session.get_one(Recording, recording_id).conversation_id
        messages = (
            session.query(MessageRow).filter_by(conversation_id=conversation_id).order_by("position").all()
        )
        marc = messages[1]
        analysis = Analysis(
            insights=[
                Insight(id="q", type="question", text=marc.text, score=0.9, messageIds=[marc.id]),
                Insight(
                    id="a",
                    type="action_item",
                    text="Send the slides by Friday.",
                    score=0.8,
                    messageIds=[marc.id],
                    assignee=Assignee(memberId=marc.member_id),
                    dueBy="2025-03-07T00:00:00Z",
                ),
            ],
            topics=[Topic(id="t", text="slides", score=0.7, messageIds=[marc.id])],
            summary=[SummarySentence(id="s", text="Marc asked for the slides.", messageRefs=[])],
        )
        stored = session.get_one(ConversationAnalysis, conversation_id)
        stored.document = analysis.model_dump(mode="json", exclude_none=True)
    insights = claap.get(f"/v1/recordings/{recording_id}/insights").json()["result"]["insights"]
    marc_speaker = {"id": "2", "name": "Marc", "email": "marc@example.com"}
    assert insights["questions"] == [
        {"text": marc.text, "score": 0.9, "start": 4.0, "end": 6.5, "speaker": marc_speaker}
    ]
    assert insights["actionItems"][0]["assignee"] == marc_speaker
    assert insights["actionItems"][0]["dueBy"] == "2025-03-07T00:00:00Z"
    assert insights["followUps"] == []
    assert insights["topics"] == [{"text": "slides", "score": 0.7}]
    assert insights["summary"] == ["Marc asked for the slides."]
