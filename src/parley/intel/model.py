"""What the intel stages read (utterances + context) and what they write (one `Analysis` document).

The document is stored as JSON per conversation and mapped to Symbl's shapes on read. It refers to
messages by id and never copies a speaker's name for `from` (that comes from the message's member at read
time), so member renames and speaker events show up in insights without re-analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


@dataclass(frozen=True, slots=True)
class Utterance:
    """One stored message as the analysers see it."""

    id: str
    text: str
    start: float  # seconds from the conversation start
    end: float
    member_id: str | None = None
    speaker: str | None = (
        None  # the member's name when analysed (for "assignee" of a first-person commitment)
    )
    email: str | None = None

    @property
    def speaker_key(self) -> str | None:
        """Who said it, for telling speakers apart: the member, else the speaker's name."""
        return self.member_id or self.speaker


@dataclass(frozen=True, slots=True)
class TrackerDefinition:
    name: str
    vocabulary: list[str]
    id: str | None = None  # managed trackers have one; inline ones get an id derived from their name


@dataclass(frozen=True, slots=True)
class CustomEntityDefinition:
    custom_type: str
    value: str
    text: str | None = None


@dataclass(frozen=True, slots=True)
class LLMEndpoint:
    """An OpenAI-compatible chat completions endpoint (`{base_url}/chat/completions`)."""

    base_url: str
    model: str
    api_key: str | None = None
    timeout_seconds: float = 60.0


@dataclass
class AnalysisContext:
    """Everything besides the utterances that changes what the analysers produce."""

    conversation_start: datetime  # an aware datetime; dueBy phrases resolve against it
    timezone_offset_minutes: int | None = None
    detect_entities: bool = False
    custom_entities: list[CustomEntityDefinition] = field(default_factory=list)
    trackers: list[TrackerDefinition] = field(default_factory=list)
    summary: bool = False
    summary_prompt: str | None = None  # a custom instruction for abstractive summaries (VideoSDK's prompt)
    llm: LLMEndpoint | None = None
    llm_action_items: bool = False  # with `llm`: the model writes the action items and follow-ups


class Document(BaseModel):
    """Base of the stored shapes: field names are Symbl's, so mapping on read stays trivial."""


class MessageRef(Document):
    id: str
    text: str | None = None
    offset: int | None = None  # character offset of the match in the message; -1: matched by meaning
    startTime: str | None = None
    endTime: str | None = None


class Phrase(Document):
    type: Literal["action_phrase"] = "action_phrase"
    text: str


class InsightEntity(Document):
    type: str  # person | date | datetime | ...
    text: str
    offset: int
    value: str | None = None


class Assignee(Document):
    memberId: str | None = None
    name: str | None = None
    email: str | None = None


class Insight(Document):
    id: str
    type: Literal["question", "action_item", "follow_up"]
    text: str
    score: float = Field(ge=0, le=1)
    messageIds: list[str]
    entities: list[InsightEntity] = Field(default_factory=list)
    phrases: list[Phrase] = Field(default_factory=list)
    definitive: bool = False
    assignee: Assignee | None = None
    dueBy: str | None = None  # ISO-8601 instant


class Topic(Document):
    id: str
    text: str
    score: float = Field(ge=0, le=1)
    messageIds: list[str]
    parent: str | None = None  # the text of the broader topic this one belongs to


class EntityMatch(Document):
    detectedValue: str
    messageRefs: list[MessageRef]


class Entity(Document):
    type: str
    subType: str | None = None
    category: Literal["Generic", "Custom"] = "Generic"
    value: str | None = None  # custom entities: the canonical value
    matches: list[EntityMatch]


class TrackerMatch(Document):
    type: Literal["vocabulary"] = "vocabulary"
    value: str
    messageRefs: list[MessageRef]
    insightRefs: list[MessageRef] = Field(default_factory=list)


class TrackerHit(Document):
    id: str
    name: str
    matches: list[TrackerMatch]


class SummarySentence(Document):
    id: str
    text: str
    messageRefs: list[MessageRef]


class Analysis(Document):
    insights: list[Insight] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    trackers: list[TrackerHit] = Field(default_factory=list)
    summary: list[SummarySentence] | None = None  # None: not asked for (GET /summary answers 404)
    phrases: dict[str, list[Phrase]] = Field(default_factory=dict)  # by message id (detectPhrases)
