"""The Recordings API's wire formats (seed 003): the creation body and the answers' models."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, HttpUrl, model_validator

from parley.jobs.options import WireModel


class Participant(WireModel):
    name: str | None = Field(default=None, max_length=300)
    email: str | None = Field(default=None, max_length=300)
    isOrganizer: bool = False

    @model_validator(mode="after")
    def _named(self) -> Participant:
        if not (self.name or self.email):
            raise ValueError("a participant needs a name or an email")
        return self


class Meeting(WireModel):
    startedAt: AwareDatetime = Field(description="ISO-8601 with a zone, e.g. 2025-03-01T09:00:00Z")
    endedAt: AwareDatetime
    participants: list[Participant] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _ends_after_start(self) -> Meeting:
        if self.endedAt <= self.startedAt:
            raise ValueError("endedAt must be after startedAt")
        return self


class Deal(WireModel):
    id: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=40, description="the CRM, e.g. attio")


class TranscriptIntent(WireModel):
    type: Literal["upload"]


class CreateRecordingRequest(WireModel):
    authorEmail: str = Field(min_length=3, max_length=300, pattern=r"^[^@\s]+@[^@\s]+$")
    channelId: str | None = None
    deal: Deal | None = None
    downloadUrl: HttpUrl | None = None
    meeting: Meeting | None = None
    title: str | None = Field(default=None, max_length=500)
    transcript: TranscriptIntent | None = None


class Named(BaseModel):
    id: str
    name: str


class Recorder(BaseModel):
    attended: bool
    email: str
    id: str
    name: str


class Upload(BaseModel):
    url: str | None = None
    metaUrl: str | None = None


class Media(BaseModel):
    url: str


class Recording(BaseModel):
    """The seed's fields first; the rest (failureReason onwards) only in reads, when they have a value."""

    createdAt: str
    id: str
    recorder: Recorder
    state: Literal["Empty", "Uploaded", "Ready", "Failed"]
    url: str
    workspace: Named
    channel: Named | None = None
    title: str
    upload: Upload | None = None
    failureReason: str | None = None
    media: Media | None = None
    deal: Deal | None = None
    meeting: Meeting | None = None
    updatedAt: str | None = None


class RecordingResult(BaseModel):
    recording: Recording


class RecordingResponse(BaseModel):
    result: RecordingResult


class RecordingPage(BaseModel):
    recordings: list[Recording]
    nextCursor: str | None = None


class RecordingPageResponse(BaseModel):
    result: RecordingPage
