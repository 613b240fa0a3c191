"""Talk time, silence, overlap and pace, computed from word timings (message spans where words are absent).

Definitions (Symbl's): talk time is the union of a member's speech; listen time is everyone else's speech
while the member is silent (so talk% + listen% = 100 of total talk time); overlap is time when two or more
members speak at once; silence is the conversation's duration that nobody speaks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

Interval = tuple[float, float]


@dataclass(frozen=True)
class Utterance:
    """Who spoke, when: one message's word intervals (or its whole span) and its word count."""

    speaker: str
    intervals: Sequence[Interval]
    words: int


@dataclass(frozen=True)
class PairOverlap:
    speaker: str
    seconds: float
    percent: float  # of the first member's talk time


@dataclass(frozen=True)
class MemberAnalytics:
    speaker: str
    talk_seconds: float
    talk_percent: float
    listen_seconds: float
    listen_percent: float
    words_per_minute: float
    overlap_seconds: float
    overlaps: list[PairOverlap] = field(default_factory=list)


@dataclass(frozen=True)
class Analytics:
    duration: float
    talk_seconds: float
    silence_seconds: float
    overlap_seconds: float
    members: list[MemberAnalytics]

    def percent(self, seconds: float) -> float:
        return _percent(seconds, self.duration)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union of the intervals."""
    merged: list[list[float]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def length(intervals: Iterable[Interval]) -> float:
    return sum(end - start for start, end in intervals)


def intersect(first: list[Interval], second: list[Interval]) -> list[Interval]:
    """Intersection of two merged interval lists (linear merge)."""
    result: list[Interval] = []
    i = j = 0
    while i < len(first) and j < len(second):
        start = max(first[i][0], second[j][0])
        end = min(first[i][1], second[j][1])
        if end > start:
            result.append((start, end))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return result


def compute(utterances: Sequence[Utterance], *, duration: float) -> Analytics:
    speakers = list(dict.fromkeys(u.speaker for u in utterances))
    speech = {s: merge(i for u in utterances if u.speaker == s for i in u.intervals) for s in speakers}
    words = {s: sum(u.words for u in utterances if u.speaker == s) for s in speakers}
    everyone = merge(i for spans in speech.values() for i in spans)
    total_talk = length(everyone)
    duration = max(duration, everyone[-1][1] if everyone else 0.0)
    members = [_member(s, speech, words[s], total_talk) for s in speakers]
    return Analytics(
        duration=round(duration, 3),
        talk_seconds=round(total_talk, 3),
        silence_seconds=round(max(0.0, duration - total_talk), 3),
        overlap_seconds=round(_multi_speaker_time(speech.values()), 3),
        members=members,
    )


def _member(
    speaker: str, speech: dict[str, list[Interval]], words: int, total_talk: float
) -> MemberAnalytics:
    own = speech[speaker]
    talk = length(own)
    others = merge(i for other, spans in speech.items() if other != speaker for i in spans)
    pairs = [
        PairOverlap(other, round(seconds, 3), _percent(seconds, talk))
        for other, spans in speech.items()
        if other != speaker and (seconds := length(intersect(own, spans))) > 0
    ]
    return MemberAnalytics(
        speaker=speaker,
        talk_seconds=round(talk, 3),
        talk_percent=_percent(talk, total_talk),
        listen_seconds=round(total_talk - talk, 3),
        listen_percent=_percent(total_talk - talk, total_talk),
        words_per_minute=round(words / (talk / 60), 1) if talk > 0 else 0.0,
        overlap_seconds=round(length(intersect(own, others)), 3),
        overlaps=pairs,
    )


def _multi_speaker_time(speech: Iterable[list[Interval]]) -> float:
    """Time during which at least two speakers talk (a sweep over interval edges)."""
    edges = sorted((t, delta) for spans in speech for s, e in spans for t, delta in ((s, 1), (e, -1)))
    active, last, total = 0, 0.0, 0.0
    for time, delta in edges:
        if active >= 2:
            total += time - last
        active += delta
        last = time
    return total


def _percent(part: float, whole: float) -> float:
    return round(100 * part / whole, 2) if whole > 0 else 0.0
