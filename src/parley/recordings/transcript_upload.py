"""The transcript a client may upload with a recording (seed 003), and its conversion to core text messages.

Segment times are seconds into the media; the messages carry them as instants from the recording's time
origin (the meeting start, else the recording's creation), and the job measures from that same origin,
so the stored message offsets are the segment times exactly.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import Field, field_validator, model_validator

from parley.jobs.options import WireModel
from parley.models import WorkspaceUser


class Segment(WireModel):
    start: float = Field(ge=0, description="seconds from the start of the media")
    end: float = Field(ge=0)
    speakerId: str = Field(min_length=1, max_length=200)
    text: str = Field(max_length=100_000)

    @field_validator("text")
    @classmethod
    def _has_words(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("a segment's text must not be blank")
        return text

    @model_validator(mode="after")
    def _ends_after_start(self) -> Segment:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        return self


class TranscriptSpeaker(WireModel):
    speakerId: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=300)
    email: str | None = Field(default=None, max_length=300)
    isRecorder: bool = False


class UploadedTranscript(WireModel):
    langIso2: str | None = Field(default=None, pattern=r"^[a-zA-Z]{2}$", description="two-letter code")
    segments: list[Segment] = Field(min_length=1, max_length=100_000)
    speakers: list[TranscriptSpeaker] | None = None

    @model_validator(mode="after")
    def _speakers_agree(self) -> UploadedTranscript:
        if self.speakers is None:
            return self
        ids = [speaker.speakerId for speaker in self.speakers]
        if len(ids) != len(set(ids)):
            raise ValueError("speakers: each speakerId may appear only once")
        if sum(speaker.isRecorder for speaker in self.speakers) > 1:
            raise ValueError("speakers: at most one speaker can be the recorder (isRecorder)")
        known = set(ids)
        for index, segment in enumerate(self.segments):
            if segment.speakerId not in known:
                raise ValueError(
                    f"segments.{index}.speakerId: {segment.speakerId!r} is not in the speakers list"
                )
        return self

    @property
    def recorder(self) -> TranscriptSpeaker | None:
        return next((speaker for speaker in self.speakers or [] if speaker.isRecorder), None)


class TranscriptUpload(WireModel):
    """The body of `PUT upload.metaUrl`."""

    transcript: UploadedTranscript


def to_text_messages(
    transcript: UploadedTranscript, *, origin: datetime, author: WorkspaceUser
) -> list[dict[str, Any]]:
    """One core text message per segment; the recorder speaker takes the author's identity."""
    senders = {speaker.speakerId: _sender(speaker, author) for speaker in transcript.speakers or []}
    return [
        {
            "payload": {"content": segment.text},
            "from": senders.get(segment.speakerId)
            or {"name": f"Speaker {segment.speakerId}", "userId": segment.speakerId},
            "duration": {
                "startTime": _instant(origin, segment.start),
                "endTime": _instant(origin, segment.end),
            },
        }
        for segment in transcript.segments
    ]


def _sender(speaker: TranscriptSpeaker, author: WorkspaceUser) -> dict[str, Any]:
    if speaker.isRecorder:
        return {"name": author.name, "email": author.email, "userId": speaker.speakerId}
    sender = {"name": speaker.name, "userId": speaker.speakerId}
    return sender | {"email": speaker.email} if speaker.email else sender


def _instant(origin: datetime, seconds: float) -> str:
    return (origin + timedelta(seconds=seconds)).isoformat()
