"""Constructed conversations for the insight tests."""

from __future__ import annotations

from datetime import UTC, datetime

from parley.intel.insights import find_insights
from parley.intel.model import AnalysisContext, Insight, Utterance

# A Monday, 14:00 UTC = 09:00 at UTC-5.
START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
PEOPLE = {"Alice": "alice@example.com", "Bob": "bob@example.com", "John Smith": "john@example.com"}


def conversation(*lines: tuple[str, str], offset: int | None = -300) -> list[Insight]:
    utterances = [
        Utterance(
            id=f"m{i}", text=text, start=i, end=i + 1, member_id=f"id-{who}", speaker=who, email=PEOPLE[who]
        )
        for i, (who, text) in enumerate(lines)
    ]
    return find_insights(
        utterances, AnalysisContext(conversation_start=START, timezone_offset_minutes=offset)
    )[0]


def one(kind: str, insights: list[Insight]) -> Insight:
    found = [item for item in insights if item.type == kind]
    assert len(found) == 1, insights
    return found[0]


def call_items(lines: list[tuple[str, str]]) -> dict[str, Insight]:
    """A call's action items and follow-ups by their text; the call starts on Monday 2 March 2026 at 10:00
    at UTC-5, and speakers are members named as in `lines` (no e-mail addresses)."""
    utterances = [
        Utterance(id=f"m{i}", text=text, start=10 * i, end=10 * i + 9, member_id=who, speaker=who)
        for i, (who, text) in enumerate(lines)
    ]
    context = AnalysisContext(
        conversation_start=datetime(2026, 3, 2, 15, 0, tzinfo=UTC), timezone_offset_minutes=-300
    )
    return {item.text: item for item in find_insights(utterances, context)[0] if item.type != "question"}
