"""What a live session was asked for: Symbl's `start_request` (streaming) and telephony `start` fields.

The parts the batch analyze stage understands are kept as `JobOptions` on the session's job row, so a
finished live session is analysed exactly like an uploaded recording.
"""

from __future__ import annotations

from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationInfo, field_validator

from parley.jobs.options import TrackerSpec
from parley.speech.pcm import SUPPORTED_ENCODINGS, SUPPORTED_RATES
from parley.transcript import Speaker, participant

INSIGHT_TYPES = ("action_item", "question", "follow_up")


class Loose(BaseModel):
    """Symbl's clients send fields this server has no use for (SDK versions differ): ignore, don't refuse."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class SpeechRecognition(Loose):
    encoding: str = "LINEAR16"
    sampleRateHertz: int = 16_000

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        value = value.upper()
        if value not in SUPPORTED_ENCODINGS:
            raise ValueError(f"encoding must be one of {', '.join(SUPPORTED_ENCODINGS)}")
        return value

    @field_validator("sampleRateHertz")
    @classmethod
    def _known_rate(cls, value: int) -> int:
        if value not in SUPPORTED_RATES:
            raise ValueError(f"sampleRateHertz must be one of {', '.join(map(str, SUPPORTED_RATES))}")
        return value


class StreamConfig(Loose):
    confidenceThreshold: float = Field(default=0.5, ge=0.0, le=1.0)
    languageCode: str | None = None
    meetingTitle: str | None = None
    detectEntities: bool = False
    sentiment: bool = False
    timezoneOffset: int | None = Field(default=None, ge=-720, le=840)
    speechRecognition: SpeechRecognition = Field(default_factory=SpeechRecognition)


class StreamSpeaker(Loose):
    userId: str | None = None
    name: str | None = None
    email: EmailStr | None = None


class Action(Loose):
    invokeOn: Literal["start", "stop"]
    name: Literal["sendSummaryEmail"]
    parameters: dict[str, Any] = Field(default_factory=dict)

    @property
    def emails(self) -> list[str]:
        emails = self.parameters.get("emails") or []
        return [emails] if isinstance(emails, str) else [str(email) for email in emails]


class LiveOptions(Loose):
    """Everything a live session needs, whichever face started it."""

    name: str | None = None
    config: StreamConfig = Field(default_factory=StreamConfig)
    speaker: StreamSpeaker | None = None
    trackers: list[TrackerSpec] = Field(default_factory=list)
    insightTypes: list[str] = Field(default_factory=lambda: list(INSIGHT_TYPES))
    customVocabulary: list[str] = Field(default_factory=list, max_length=1000)
    noConnectionTimeout: float | None = Field(default=None, ge=0, le=3600)
    actions: list[Action] = Field(default_factory=list)
    timezone: str | None = None

    @field_validator("trackers", "insightTypes", "customVocabulary", "actions", mode="before")
    @classmethod
    def _null_is_empty(cls, value: object, info: ValidationInfo) -> object:
        """SDKs send `null` for lists the caller left out (the Python SDK's `trackers`): the default then."""
        if value is None:
            return cls.model_fields[info.field_name].get_default(call_default_factory=True)
        return value

    @field_validator("timezone")
    @classmethod
    def _iana_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"{value!r} is not an IANA time zone name (e.g. 'Asia/Tokyo')") from error
        return value

    @field_validator("insightTypes")
    @classmethod
    def _known_insight_types(cls, values: list[str]) -> list[str]:
        unknown = sorted(set(values) - set(INSIGHT_TYPES))
        if unknown:
            raise ValueError(f"unknown insight types {unknown}; use {', '.join(INSIGHT_TYPES)}")
        return values

    @property
    def default_speaker(self) -> Speaker | None:
        if self.speaker is None:
            return None
        return participant(name=self.speaker.name, email=self.speaker.email, user_id=self.speaker.userId)

    def summary_emails(self) -> list[str]:
        return [email for action in self.actions if action.invokeOn == "stop" for email in action.emails]

    def job_options(self) -> dict[str, Any]:
        """The JobOptions the analyze stage reads for this session."""
        options: dict[str, Any] = {
            "name": self.name or self.config.meetingTitle,
            "customVocabulary": self.customVocabulary,
            "confidenceThreshold": max(self.config.confidenceThreshold, 0.5),
            "languageCode": self.config.languageCode,
            "detectEntities": self.config.detectEntities,
            "trackers": [tracker.model_dump(exclude_none=True) for tracker in self.trackers],
            "enableSummary": bool(self.summary_emails()),
            "timezoneOffset": self.config.timezoneOffset,
        }
        return {key: value for key, value in options.items() if value not in (None, [], False)}
