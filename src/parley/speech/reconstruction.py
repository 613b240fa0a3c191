"""From local speakers to voices: overlapping speaker turns out of the segmentation windows and the voices.

Per window, a local speaker's score for a voice is the mean, over the 10 ms frames where it talks alone
(else wherever it talks), of the cosine between the GE2E windows covering those frames and the voice's
centroid. The Hungarian assignment gives distinct local speakers distinct voices; a local speaker left over
(more local speakers than voices) joins its best voice. Per frame, the number of people talking is the mean
over the windows covering it of their active local speakers, rounded; that many voices, those most often
active there across the windows, are active.

The network's argmax class under-counts overlapping speech: where two people talk in the AMI excerpts, the
windows mostly agree on one. Its probabilities know more (AUC 0.91 for two people against one), so a frame
the windows give one person gets two where their mean probability of the two-speaker classes is above
`overlap_probability` (docs/BENCHMARKS.md, "Speaker diarization"). The second is often someone no window
marks at that very frame; it is then whoever the windows heard most within NEARBY_SECONDS (an interjection
comes from someone in the exchange), and nobody when no one else was heard that near. The same nearby
activity breaks ties between voices with equal votes.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.optimize import linear_sum_assignment

from parley.speech.audio import SAMPLE_RATE
from parley.speech.segmentation import FRAME_STEP, FRAMES_PER_WINDOW, Segmentation, frame_centre

__all__ = ["activity_turns", "speaker_floor", "voice_activity"]

_STEP_SAMPLES = round(FRAME_STEP * SAMPLE_RATE)
NEARBY_SECONDS = 5.0


def speaker_floor(segmentation: Segmentation, *, min_seconds: float, min_windows: int) -> int:
    """At least this many people talk: the most local speakers, each with `min_seconds` of speech in its
    window, that `min_windows` windows show."""
    if segmentation.count == 0:
        return 0
    talking = (segmentation.activity.sum(axis=1) * FRAME_STEP >= min_seconds).sum(axis=1)
    ranked = np.sort(talking)[::-1]
    return int(ranked[min(min_windows, len(ranked)) - 1])


def voice_activity(
    segmentation: Segmentation, frame_scores: np.ndarray, frame_seconds: float, *, overlap_probability: float
) -> np.ndarray:
    """(frames every FRAME_STEP from 0 s, voices) bool: who talks when.

    `frame_scores` is (audio frames of `frame_seconds`, voices): the mean cosine to each voice's centroid of
    the embedding windows covering the frame, NaN where no window does.
    """
    voices = frame_scores.shape[1]
    if segmentation.count == 0 or voices == 0:
        return np.zeros((0, voices), bool)
    total = _grid(segmentation.starts[-1]) + FRAMES_PER_WINDOW
    votes = np.zeros((total, voices))
    covered = np.zeros(total)
    talking = np.zeros(total)
    overlap = np.zeros(total)
    for start, local, two in zip(
        segmentation.starts, segmentation.activity, segmentation.overlap, strict=True
    ):
        rows = slice(_grid(start), _grid(start) + FRAMES_PER_WINDOW)
        covered[rows] += 1
        talking[rows] += local.sum(axis=1)
        overlap[rows] += two
        speakers, similarity = _local_scores(local, start, frame_scores, frame_seconds)
        mapped = np.zeros((FRAMES_PER_WINDOW, voices), bool)
        for speaker, voice in _match(speakers, similarity).items():
            mapped[:, voice] |= local[:, speaker]
        votes[rows] += mapped
    covered = np.maximum(covered, 1)
    count = np.rint(talking / covered).astype(int)
    count[(count == 1) & (overlap / covered > overlap_probability)] = 2
    count = np.minimum(count, voices)
    nearby = uniform_filter1d(votes, 2 * round(NEARBY_SECONDS / FRAME_STEP) + 1, axis=0, mode="constant")
    # votes are whole numbers and `nearby` at most their maximum: it only breaks ties
    ranked = np.argsort(-(votes + 1e-3 * nearby), axis=1, kind="stable")
    active = np.zeros((total, voices), bool)
    for place in range(int(count.max(initial=0))):
        frames = np.flatnonzero(count > place)
        voice = ranked[frames, place]
        heard = nearby[frames, voice] > 0
        active[frames[heard], voice[heard]] = True
    return active


def activity_turns(active: np.ndarray, seconds: float) -> list[tuple[float, float, int]]:
    """(start, end, voice) for every run of activity, cut to [0, seconds]; runs of different voices may
    overlap."""
    runs = []
    half = FRAME_STEP / 2
    for voice in range(active.shape[1]):
        edges = np.diff(np.concatenate(([0], active[:, voice].astype(np.int8), [0])))
        for first, after in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
            start = max(0.0, float(frame_centre(first)) - half)
            end = min(seconds, float(frame_centre(after - 1)) + half)
            if end > start:
                runs.append((start, end, voice))
    return sorted(runs)


def _grid(sample: int) -> int:
    return round(int(sample) / _STEP_SAMPLES)


def _local_scores(
    local: np.ndarray, start: int, frame_scores: np.ndarray, frame_seconds: float
) -> tuple[np.ndarray, np.ndarray]:
    """The local speakers active in the window, and (those speakers, voices) their scores."""
    first = int(start / SAMPLE_RATE / frame_seconds)
    last = min(len(frame_scores), first + round(FRAMES_PER_WINDOW * FRAME_STEP / frame_seconds))
    times = (np.arange(first, last) + 0.5) * frame_seconds - start / SAMPLE_RATE
    at = np.clip(np.rint((times - float(frame_centre(0))) / FRAME_STEP).astype(int), 0, FRAMES_PER_WINDOW - 1)
    scores = frame_scores[first:last]
    known = ~np.isnan(scores[:, 0]) if len(scores) else np.zeros(0, bool)
    alone = local[at].sum(axis=1) == 1
    speakers = np.flatnonzero(local.any(axis=0))
    similarity = np.zeros((len(speakers), frame_scores.shape[1]))
    for row, speaker in enumerate(speakers):
        talks = local[at, speaker] & known
        chosen = talks & alone if (talks & alone).any() else talks
        if chosen.any():
            similarity[row] = scores[chosen].mean(axis=0)
    return speakers, similarity


def _match(speakers: np.ndarray, similarity: np.ndarray) -> dict[int, int]:
    """Local speaker -> voice: distinct voices by the best total score, leftovers to their best voice."""
    if len(speakers) == 0:
        return {}
    chosen = dict.fromkeys(range(len(speakers)), -1)
    for row, voice in zip(*linear_sum_assignment(-similarity), strict=True):
        chosen[int(row)] = int(voice)
    return {
        int(speakers[row]): voice if voice >= 0 else int(np.argmax(similarity[row]))
        for row, voice in chosen.items()
    }
