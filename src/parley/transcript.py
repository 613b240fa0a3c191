"""The one in-memory transcript model every pipeline stage reads and writes.

Times are seconds from the start of the conversation. Nothing here touches the database, so the
speech and intel engines can use these types on their own (benchmarks, the live path).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Word:
    """One recognised word with its timing and the recogniser's confidence (0..1)."""

    text: str
    start: float
    end: float
    score: float = 1.0
    speaker: str | None = None


@dataclass(slots=True)
class Message:
    """A sentence said by one speaker: the unit Symbl calls a message."""

    text: str
    start: float
    end: float
    words: list[Word] = field(default_factory=list)
    speaker: str | None = None
    channel: int | None = None
    # The stored message's id; None: a new one. A live session's messages keep the ids clients were sent.
    id: str | None = None


@dataclass(slots=True)
class Speaker:
    """A participant; `key` is what `Word.speaker` / `Message.speaker` refer to."""

    key: str
    name: str
    email: str | None = None
    user_id: str | None = None


@dataclass(slots=True)
class Transcript:
    """Messages in time order plus the speakers they refer to and the media's duration."""

    messages: list[Message] = field(default_factory=list)
    speakers: list[Speaker] = field(default_factory=list)
    duration: float = 0.0
    language: str | None = None


def participant(*, name: str | None, email: str | None = None, user_id: str | None = None) -> Speaker | None:
    """A named person as a speaker, keyed by the most stable identity given (user id, e-mail, name)."""
    if user_id:
        key = f"user:{user_id}"
    elif email:
        key = f"email:{email}"
    elif name:
        key = f"name:{name}"
    else:
        return None
    return Speaker(key=key, name=name or email or user_id or key, email=email, user_id=user_id)
