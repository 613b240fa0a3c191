"""Speaker turns to words: `assign_speakers` labels transcript words with the turn they overlap most
(turns may overlap one another where two people talk at once)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from parley.speech.diarization import Turn


class TimedWord(Protocol):
    start: float
    end: float
    speaker: str | None


def assign_speakers(words: Sequence[TimedWord], turns: Sequence[Turn]) -> None:
    """Set `word.speaker = "speaker-<n>"` from the turn overlapping the word most, else the nearest turn.

    Words are left alone when there are no turns. Linear in words + turns for time-ordered input.
    """
    if not turns:
        return
    ordered = sorted(turns, key=lambda turn: turn.start)
    starts = np.array([turn.start for turn in ordered])
    ends = np.maximum.accumulate(np.array([turn.end for turn in ordered]))
    for word in words:
        # Turns that can overlap [start, end]: those starting before the word ends, ending after it starts.
        last = int(np.searchsorted(starts, word.end, side="right"))
        first = int(np.searchsorted(ends, word.start, side="left"))
        best, best_overlap = None, 0.0
        for turn in ordered[first:last]:
            overlap = min(turn.end, word.end) - max(turn.start, word.start)
            if overlap > best_overlap or (best is None and overlap >= 0 and word.end == word.start):
                best, best_overlap = turn, overlap
        if best is None:  # in a silence: the nearest turn, which is among those around it in time
            middle = (word.start + word.end) / 2
            index = int(np.searchsorted(starts, middle))
            best = min(ordered[max(0, index - 2) : index + 2], key=lambda turn: _distance(turn, middle))
        word.speaker = f"speaker-{best.speaker}"


def _distance(turn: Turn, time: float) -> float:
    return max(turn.start - time, time - turn.end, 0.0)
