"""Speaker events (who started and stopped speaking when) -> which participant said each message."""

from __future__ import annotations

from dataclasses import dataclass

from parley.errors import BadRequest
from parley.intel.analytics import Interval, intersect, length, merge


@dataclass(frozen=True)
class SpeakerEvent:
    kind: str  # started_speaking | stopped_speaking
    user_key: str
    offset: float


def speaking_intervals(
    events: list[SpeakerEvent], *, end_of_conversation: float, strict: bool = True
) -> dict[str, list[Interval]]:
    """Each user's speaking time; a start never stopped lasts until the end of the conversation. A stop for
    a user who is not speaking is refused (`strict`, a request's own events) or skipped (events pushed one
    by one during a live session, where a client's retry can repeat one)."""
    open_since: dict[str, float] = {}
    spans: dict[str, list[Interval]] = {}
    for event in sorted(events, key=lambda e: (e.offset, e.kind != "stopped_speaking")):
        if event.kind == "started_speaking":
            open_since.setdefault(event.user_key, event.offset)
        elif event.kind == "stopped_speaking":
            start = open_since.pop(event.user_key, None)
            if start is None and not strict:
                continue
            if start is None:
                raise BadRequest(
                    f"stopped_speaking at {event.offset:g} s for a user who had not started speaking"
                )
            spans.setdefault(event.user_key, []).append((start, event.offset))
        else:
            raise BadRequest(
                f"speakerEvents type must be started_speaking or stopped_speaking, not {event.kind!r}"
            )
    for user_key, start in open_since.items():
        spans.setdefault(user_key, []).append((start, max(start, end_of_conversation)))
    return {user_key: merge(intervals) for user_key, intervals in spans.items()}


def speaker_of(span: Interval, intervals: dict[str, list[Interval]]) -> str | None:
    """The user whose speaking time covers most of `span`; None when nobody's does."""
    best, best_overlap = None, 0.0
    for user_key, spans in intervals.items():
        overlap = length(intersect([span], spans))
        if overlap > best_overlap:
            best, best_overlap = user_key, overlap
    return best
