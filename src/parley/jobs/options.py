"""Every request parameter of Symbl's Async API (seed 000), validated once and stored on the job.

Parameters that a later stage implements (diarization, trackers, insights, summary, entities,
per-channel recognition) are kept on the job as given, so adding the stage needs no API change.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    field_validator,
    model_validator,
)

_LANGUAGE_CODE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,4})?$")
MAX_METADATA_BYTES = 16_384


def _client_metadata(entries: dict[str, Any]) -> dict[str, Any]:
    if any(key.startswith("_") for key in entries):
        raise ValueError("keys starting with '_' are kept for Parley's own entries; rename them")
    if len(json.dumps(entries)) > MAX_METADATA_BYTES:
        raise ValueError(f"must be at most {MAX_METADATA_BYTES:,} bytes as JSON")
    return entries


# A client's own entries for a conversation's `metadata` (on a job, or PUT /v1/conversations/{id}).
ClientMetadata = Annotated[dict[str, Any], AfterValidator(_client_metadata)]


class WireModel(BaseModel):
    """Unknown fields are refused so a typo ("enableSpeakerDiarisation") is a 400, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Features(WireModel):
    """Symbl's optional feature switches; see `not_yet_built` for those Parley does not produce."""

    featureList: list[str] = Field(default_factory=list)


class CustomEntity(WireModel):
    customType: str = Field(min_length=1)
    value: str = Field(min_length=1)
    text: str | None = None


class ChannelSpeaker(WireModel):
    name: str | None = None
    email: EmailStr | None = None


class ChannelMetadata(WireModel):
    channel: int = Field(ge=1, le=64)
    speaker: ChannelSpeaker


class TrackerSpec(WireModel):
    """Either an inline tracker (`name` + `vocabulary`) or a reference to a managed one (`id`)."""

    id: str | None = None
    name: str | None = None
    vocabulary: list[str] | None = None

    @model_validator(mode="after")
    def _inline_or_reference(self) -> TrackerSpec:
        if self.id is None and not (self.name and self.vocabulary):
            raise ValueError("a tracker needs either an `id` or both `name` and a non-empty `vocabulary`")
        return self


class JobOptions(WireModel):
    name: str | None = Field(default=None, max_length=500)
    webhookUrl: HttpUrl | None = None
    customVocabulary: list[str] = Field(default_factory=list, max_length=1000)
    confidenceThreshold: float = Field(default=0.5, ge=0.5, le=1.0)
    detectPhrases: bool = False
    entities: list[CustomEntity] = Field(default_factory=list)
    detectEntities: bool = False
    languageCode: str | None = None
    mode: Literal["phone", "default"] = "default"
    enableSeparateRecognitionPerChannel: bool = False
    channelMetadata: list[ChannelMetadata] = Field(default_factory=list)
    trackers: list[TrackerSpec] = Field(default_factory=list)
    enableAllTrackers: bool = False
    enableSummary: bool = False
    enableSpeakerDiarization: bool = False
    diarizationSpeakerCount: int | None = Field(default=None, ge=1, le=32)
    timezoneOffset: int | None = Field(default=None, ge=-720, le=840, description="minutes from UTC")
    features: Features | None = None
    metadata: ClientMetadata | None = None

    @field_validator("webhookUrl", mode="before")
    @classmethod
    def _empty_webhook_is_none(cls, value: object) -> object:
        # Symbl's own examples send "webhookUrl": "".
        return None if value == "" else value

    @field_validator("languageCode")
    @classmethod
    def _language_code_shape(cls, value: str | None) -> str | None:
        if value is not None and not _LANGUAGE_CODE.match(value):
            raise ValueError("expected a language code such as 'en-US' or 'en'")
        return value

    @field_validator("customVocabulary")
    @classmethod
    def _vocabulary_terms(cls, terms: list[str]) -> list[str]:
        cleaned = [term.strip() for term in terms if term.strip()]
        if any(len(term) > 100 for term in cleaned):
            raise ValueError("each customVocabulary entry must be at most 100 characters")
        return cleaned

    @model_validator(mode="after")
    def _channel_metadata_needs_flag(self) -> JobOptions:
        if self.channelMetadata and not self.enableSeparateRecognitionPerChannel:
            raise ValueError("channelMetadata is only accepted with enableSeparateRecognitionPerChannel=true")
        channels = [entry.channel for entry in self.channelMetadata]
        if len(channels) != len(set(channels)):
            raise ValueError("channelMetadata names the same channel twice")
        return self

    @model_validator(mode="after")
    def _diarization_settings_agree(self) -> JobOptions:
        if self.diarizationSpeakerCount is not None and not self.enableSpeakerDiarization:
            raise ValueError("diarizationSpeakerCount is only accepted with enableSpeakerDiarization=true")
        if self.enableSpeakerDiarization and self.enableSeparateRecognitionPerChannel:
            raise ValueError(
                "choose enableSpeakerDiarization (speakers share one channel) or "
                "enableSeparateRecognitionPerChannel (one speaker per channel), not both"
            )
        return self

    @property
    def language(self) -> str | None:
        """The two- or three-letter language part of `languageCode` ('en-US' -> 'en')."""
        return self.languageCode.split("-")[0].lower() if self.languageCode else None


class UrlJobRequest(JobOptions):
    url: HttpUrl


class TextFrom(WireModel):
    model_config = ConfigDict(extra="allow")

    name: str | None = None
    userId: str | None = None
    email: str | None = None


class TextPayload(WireModel):
    content: str = Field(min_length=1)
    contentType: Literal["text/plain"] = "text/plain"


class TextDuration(WireModel):
    startTime: str | None = None
    endTime: str | None = None


class TextMessage(WireModel):
    model_config = ConfigDict(extra="allow")

    payload: TextPayload
    from_: TextFrom | None = Field(default=None, alias="from")
    duration: TextDuration | None = None


class TextJobRequest(JobOptions):
    messages: list[TextMessage] = Field(min_length=1, max_length=100_000)


# Symbl's `features.featureList` entries Parley produces ("insights" are always computed).
BUILT_FEATURES = {"insights"}


def not_yet_built(options: dict[str, Any]) -> list[str]:
    """Plain-language notes for each requested feature this version accepts but does not produce."""
    listed = (options.get("features") or {}).get("featureList") or []
    return [
        f"features.featureList {name!r} was accepted and stored, but it is not built in this Parley version"
        for name in sorted({str(item) for item in listed} - BUILT_FEATURES)
    ]
