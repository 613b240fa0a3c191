"""Live sessions send an insight again when a later message changes it (a volunteer takes a request on)."""

from __future__ import annotations

from datetime import UTC, datetime

from parley.intel.insights import find_insights
from parley.intel.model import AnalysisContext, Insight, Utterance
from parley.live.hub import insight_key

CONTEXT = AnalysisContext(conversation_start=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


def _follow_ups(*lines: tuple[str, str]) -> list[Insight]:
    utterances = [
        Utterance(id=f"m{i}", text=text, start=i, end=i + 1, member_id=who, speaker=who)
        for i, (who, text) in enumerate(lines)
    ]
    return [item for item in find_insights(utterances, CONTEXT)[0] if item.type == "follow_up"]


def test_a_volunteer_taking_a_request_on_makes_the_insight_new_to_send_again() -> None:
    asked = _follow_ups(("Alice", "Could somebody send the minutes?"))
    taken = _follow_ups(("Alice", "Could somebody send the minutes?"), ("Bob", "I'll do that."))
    assert len(asked) == len(taken) == 1
    assert asked[0].id == taken[0].id, "the client sees an update of the same insight"
    assert insight_key(asked[0]) != insight_key(taken[0])
    again = _follow_ups(
        ("Alice", "Could somebody send the minutes?"), ("Bob", "I'll do that."), ("Alice", "Thanks.")
    )
    assert insight_key(again[0]) == insight_key(taken[0]), "an unchanged insight is not sent twice"
