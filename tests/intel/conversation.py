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
