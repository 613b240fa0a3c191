"""Speaker turns: from per-frame speaker scores to clean turns, and from turns to words.

`frame_turns` smooths the frame labels (a speaker must hold the floor for `min_turn` seconds, else the
frames go to the neighbour that scores better on them) and cuts turns at the silences the VAD found.
`assign_speakers` labels transcript words with the turn they overlap most.
"""

from __future__ import annotations

import heapq
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


def smooth_labels(labels: np.ndarray, scores: np.ndarray, min_frames: int) -> np.ndarray:
    """Runs of one label shorter than `min_frames` take the label of the neighbouring run whose speaker
    scores higher over them, shortest run first, so long turns stay as they are. O(runs log runs)."""
    if min_frames <= 1 or len(labels) == 0:
        return labels.copy()
    bounds = np.flatnonzero(np.diff(labels)) + 1
    starts = np.concatenate(([0], bounds)).tolist()
    ends = np.concatenate((bounds, [len(labels)])).tolist()
    run_label = labels[starts].tolist()
    # Per run and speaker, the summed score (cumulative sums make any span's sum two lookups).
    cumulative = np.vstack([np.zeros((1, scores.shape[1])), np.cumsum(scores, axis=0)])
    count = len(starts)
    previous = list(range(-1, count - 1))
    following = list(range(1, count + 1))
    alive = [True] * count
    heap = [(ends[i] - starts[i], i) for i in range(count)]
    heapq.heapify(heap)
    while heap:
        length, run = heapq.heappop(heap)
        if not alive[run] or length != ends[run] - starts[run] or length >= min_frames:
            continue
        left, right = previous[run], following[run] if following[run] < count else -1
        options = [n for n in (left, right) if n >= 0]
        if not options:
            break
        span = cumulative[ends[run]] - cumulative[starts[run]]
        target = max(options, key=lambda n: float(span[run_label[n]]))
        # The run joins `target`; a neighbour on the other side with the same label joins too.
        alive[run] = False
        starts[target], ends[target] = min(starts[target], starts[run]), max(ends[target], ends[run])
        _unlink(run, previous, following, count)
        other = right if target == left else left
        if other >= 0 and alive[other] and run_label[other] == run_label[target]:
            alive[other] = False
            starts[target], ends[target] = min(starts[target], starts[other]), max(ends[target], ends[other])
            _unlink(other, previous, following, count)
        heapq.heappush(heap, (ends[target] - starts[target], target))
    out = np.empty_like(labels)
    for run in range(count):
        if alive[run]:
            out[starts[run] : ends[run]] = run_label[run]
    return out


def _unlink(run: int, previous: list[int], following: list[int], count: int) -> None:
    before, after = previous[run], following[run]
    if before >= 0:
        following[before] = after
    if after < count:
        previous[after] = before


def frame_turns(
    frames: np.ndarray, labels: np.ndarray, frame_seconds: float, *, max_gap_frames: int = 1
) -> list[tuple[float, float, int]]:
    """(start, end, label) runs over the time-ordered frame indices `frames`; a run breaks where the label
    changes or the frames skip more than `max_gap_frames` (a silence)."""
    if len(frames) == 0:
        return []
    breaks = np.flatnonzero((np.diff(labels) != 0) | (np.diff(frames) > max_gap_frames)) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [len(frames)]))
    return [
        (float(frames[s]) * frame_seconds, float(frames[e - 1] + 1) * frame_seconds, int(labels[s]))
        for s, e in zip(starts, ends, strict=True)
    ]
