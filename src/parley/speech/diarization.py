"""Speaker diarization: who spoke when, overlaps included, offline, streaming over `audio.iter_audio` blocks.

`EmbeddingDiarizer` runs in three passes over bounded data:

1. one pass over the audio, feeding two models:
   - per ~30 s chunk (the caller's blocks are re-cut, so the result does not depend on their size), Silero
     VAD (bundled with faster-whisper) marks speech frames, and GE2E embeddings of dense sliding windows over
     the speech-only frames are taken (`voice_encoder`); only embeddings and frame indices are kept;
   - pyannote's segmentation-3.0 network finds up to three local speakers, two at once, in 10 s windows a
     few seconds apart (`segmentation`); only their activity and two-speaker probability are kept (about
     6 MB per hour).
2. the GE2E windows are clustered into voices (`speaker_clustering`, bounded cost): an estimated number,
   at least as many as the segmentation windows show talking (`reconstruction`). A caller's count above
   that estimate adds voices seeded from the windows that fit none; they are weak: a local speaker goes to
   one only when it fits it by `weak_voice_margin` better than every voice the audio supports (on the AMI
   excerpts the forced voices otherwise split a real speaker in two).
3. each window's local speakers are matched to voices by the GE2E windows over their speech, and the votes
   of all windows make turns, which overlap where two people talk at once (`reconstruction`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from parley.speech.reconstruction import activity_turns, speaker_floor, voice_activity
from parley.speech.segmentation import Segmentation, WindowSegmenter
from parley.speech.speaker_clustering import Clustering, cluster_speakers, extend_voices
from parley.speech.voice_encoder import (
    FRAME_SECONDS,
    HOP_SAMPLES,
    SAMPLE_RATE,
    load_voice_encoder,
    mel_frames,
)

__all__ = ["DiarizationOptions", "Diarizer", "EmbeddingDiarizer", "Turn"]

_VAD_FRAME = 512  # Silero's frame: 32 ms
_CHUNK_SAMPLES = 188 * 2560  # 30.08 s, a whole number of VAD frames (512) and mel hops (160)


@dataclass(frozen=True)
class Turn:
    start: float  # seconds
    end: float
    speaker: int  # 0..N-1, numbered in order of first appearance


class Diarizer(Protocol):
    def diarize_blocks(
        self, blocks: Iterable[np.ndarray], *, num_speakers: int | None = None, max_speakers: int = 8
    ) -> list[Turn]:
        """Turns of 16 kHz mono float32 audio given as consecutive blocks, sorted by start."""
        ...


@dataclass(frozen=True)
class DiarizationOptions:
    """Defaults measured on the pyannote sample and eight AMI excerpts (bench/diarization.py)."""

    vad_threshold: float = 0.25  # Silero speech probability; 0.5 missed 16 % of AMI speech, 0.25 7 %
    min_silence: float = 0.25  # seconds: shorter silences inside speech are bridged
    speech_pad: float = 0.08  # seconds added to each side of a speech region
    min_speech: float = 0.1  # seconds: shorter speech regions are dropped
    window: float = 1.0  # seconds of speech per embedding window
    step: float = 0.5  # seconds between window starts
    max_points: int = 1200  # embeddings that take part in spectral clustering at most
    segmentation_step: float = 2.5  # seconds between 10 s segmentation windows
    floor_seconds: float = 1.0  # a local speaker counts towards the speaker floor with this much speech
    floor_windows: int = 2  # ... in at least this many windows
    overlap_probability: float = 0.3  # one person becomes two above this two-speaker probability
    weak_voice_margin: float = 0.1  # cosine a caller's extra voice must win a local speaker by


class EmbeddingDiarizer:
    """Segmentation-3.0 local speakers + GE2E voices (Silero VAD, spectral clustering); a `Diarizer`.

    The networks load on first use, once per process, and are shared by every diarizer.
    """

    def __init__(self, *, cpu_threads: int = 0, options: DiarizationOptions | None = None) -> None:
        self._cpu_threads = cpu_threads
        self.options = options or DiarizationOptions()

    def diarize(
        self, audio: np.ndarray, *, num_speakers: int | None = None, max_speakers: int = 8
    ) -> list[Turn]:
        return self.diarize_blocks([audio], num_speakers=num_speakers, max_speakers=max_speakers)

    def diarize_blocks(
        self, blocks: Iterable[np.ndarray], *, num_speakers: int | None = None, max_speakers: int = 8
    ) -> list[Turn]:
        if num_speakers is not None and num_speakers < 1:
            raise ValueError("num_speakers must be at least 1")
        if max_speakers < 1:
            raise ValueError("max_speakers must be at least 1")
        options = self.options
        embedder = _WindowEmbedder(options, self._cpu_threads)
        segmenter = WindowSegmenter(
            round(options.segmentation_step * SAMPLE_RATE), cpu_threads=self._cpu_threads
        )
        samples = 0
        for chunk in _rechunk(blocks, _CHUNK_SAMPLES):
            embedder.add(chunk)
            segmenter.add(chunk)
            samples += len(chunk)
        windows = embedder.finish()
        segmentation = segmenter.finish()
        if windows.count == 0:
            return []
        voices, supported = self._voices(windows, segmentation, num_speakers, max_speakers)
        scores = _frame_scores(windows, voices.similarity(windows.embeddings), samples // HOP_SAMPLES + 1)
        scores[:, supported:] -= options.weak_voice_margin
        active = voice_activity(
            segmentation, scores, FRAME_SECONDS, overlap_probability=options.overlap_probability
        )
        return _numbered(activity_turns(active, samples / SAMPLE_RATE))

    def _voices(
        self, windows: _Windows, segmentation: Segmentation, num_speakers: int | None, max_speakers: int
    ) -> tuple[Clustering, int]:
        """The GE2E windows clustered into voices, and how many of them (the first ones) the audio supports.

        The estimate: the eigengap's count, raised to the segmentation's floor. A caller's count above it
        extends the estimated voices; at or below it, the windows are clustered into that many.
        """
        options = self.options

        def cluster(count: int | None) -> Clustering:
            return cluster_speakers(
                windows.embeddings,
                num_speakers=count,
                max_speakers=max_speakers,
                max_points=options.max_points,
            )

        if num_speakers == 1:  # no estimate can be below one voice
            return cluster(1), 1
        found = cluster(None)
        floor = speaker_floor(
            segmentation, min_seconds=options.floor_seconds, min_windows=options.floor_windows
        )
        floor = min(floor, max_speakers, windows.count)
        estimate = cluster(floor) if len(found.centroids) < floor else found
        supported = len(estimate.centroids)
        if num_speakers is None:
            return estimate, supported
        if supported >= num_speakers:
            return cluster(num_speakers), num_speakers
        return extend_voices(windows.embeddings, estimate, num_speakers), supported


@dataclass(frozen=True)
class _Windows:
    embeddings: np.ndarray  # (n, 256)
    starts: np.ndarray  # (n,) first speech frame of each window, as a position in `frames`
    length: np.ndarray  # (n,) speech frames in each window
    frames: np.ndarray  # (m,) original frame index of each speech frame, ascending

    @property
    def count(self) -> int:
        return len(self.embeddings)


class _WindowEmbedder:
    """Holds the speech frames not yet covered by a window (under one window's worth) and the results."""

    def __init__(self, options: DiarizationOptions, cpu_threads: int) -> None:
        self._options = options
        self._encoder = load_voice_encoder(cpu_threads)
        self._window = max(10, round(options.window / FRAME_SECONDS))
        self._step = max(1, round(options.step / FRAME_SECONDS))
        self._frame_offset = 0  # frames of audio seen so far
        self._speech_seen = 0  # speech frames seen so far (positions in the speech stream)
        self._next_start = 0  # position of the next window's first frame
        self._pending_mel = np.zeros((0, 40), np.float32)  # speech frames from position `_pending_from`
        self._pending_energy = np.zeros(0, np.float32)
        self._pending_from = 0
        self._embeddings: list[np.ndarray] = []
        self._starts: list[np.ndarray] = []
        self._lengths: list[np.ndarray] = []
        self._frames: list[np.ndarray] = []

    def add(self, chunk: np.ndarray) -> None:
        mel, energy = mel_frames(chunk)
        mel, energy = mel[: len(chunk) // HOP_SAMPLES], energy[: len(chunk) // HOP_SAMPLES]
        speech = _speech_mask(chunk, len(mel), self._options)
        index = np.flatnonzero(speech)
        self._frames.append(index.astype(np.int64) + self._frame_offset)
        self._frame_offset += len(mel)
        self._speech_seen += len(index)
        self._pending_mel = np.concatenate([self._pending_mel, mel[index]])
        self._pending_energy = np.concatenate([self._pending_energy, energy[index]])
        self._embed_ready(final=False)

    def finish(self) -> _Windows:
        self._embed_ready(final=True)
        if not self._embeddings:
            return _Windows(
                np.zeros((0, 256), np.float32), np.zeros(0, int), np.zeros(0, int), np.zeros(0, int)
            )
        return _Windows(
            np.concatenate(self._embeddings),
            np.concatenate(self._starts),
            np.concatenate(self._lengths),
            np.concatenate(self._frames),
        )

    def _embed_ready(self, *, final: bool) -> None:
        """Embed every window that fits in the speech seen so far; at the end, one more window so that
        the last frames are covered (shorter when all the speech is shorter than a window)."""
        last_full = self._speech_seen - self._window
        starts = list(range(self._next_start, last_full + 1, self._step))
        tail = None
        if final and self._speech_seen >= 10:
            covered = (starts[-1] if starts else self._next_start - self._step) + self._window
            if covered < self._speech_seen:
                tail = max(0, last_full)
        if starts:
            self._embed(np.array(starts), self._window)
            self._next_start = starts[-1] + self._step
        if tail is not None:
            self._embed(np.array([tail]), min(self._window, self._speech_seen))
        # The next window, or the closing one, starts no earlier than this.
        keep_from = min(self._next_start, max(0, self._speech_seen - self._window))
        cut = keep_from - self._pending_from
        self._pending_mel, self._pending_energy = self._pending_mel[cut:], self._pending_energy[cut:]
        self._pending_from = keep_from

    def _embed(self, starts: np.ndarray, length: int) -> None:
        offsets = starts[:, None] - self._pending_from + np.arange(length)[None, :]
        embeddings = self._encoder.embed(
            self._pending_mel[offsets], self._pending_energy[offsets].mean(axis=1)
        )
        self._embeddings.append(embeddings)
        self._starts.append(starts)
        self._lengths.append(np.full(len(starts), length))


def _speech_mask(chunk: np.ndarray, frames: int, options: DiarizationOptions) -> np.ndarray:
    """Which 10 ms frames of `chunk` are speech: Silero probabilities, thresholded with hysteresis,
    silences under `min_silence` bridged, regions under `min_speech` dropped, `speech_pad` added."""
    from faster_whisper.vad import get_vad_model

    padded = np.pad(chunk.astype(np.float32), (0, -len(chunk) % _VAD_FRAME))
    if len(padded) == 0:
        return np.zeros(frames, bool)
    probabilities = np.asarray(get_vad_model()(padded)).reshape(-1)
    # Each 10 ms frame takes the probability of the 32 ms VAD frame holding its first sample.
    per_frame = probabilities[
        np.minimum(np.arange(frames) * HOP_SAMPLES // _VAD_FRAME, len(probabilities) - 1)
    ]
    speech = _hysteresis(per_frame, options.vad_threshold, max(options.vad_threshold - 0.15, 0.01))
    speech = _fill_runs(speech, False, round(options.min_silence / FRAME_SECONDS))
    speech = _fill_runs(speech, True, round(options.min_speech / FRAME_SECONDS))
    pad = round(options.speech_pad / FRAME_SECONDS)
    if pad and speech.any():
        kernel = np.ones(2 * pad + 1)
        speech = np.convolve(speech.astype(float), kernel, mode="same") > 0
    return speech


def _hysteresis(probabilities: np.ndarray, on: float, off: float) -> np.ndarray:
    """Speech from where the probability reaches `on` until it falls below `off`."""
    state = np.where(probabilities >= on, 1, np.where(probabilities < off, 0, -1))
    # -1 (in between) keeps the last decided state; before any decision it is silence.
    decided = np.flatnonzero(state >= 0)
    if len(decided) == 0:
        return np.zeros(len(probabilities), bool)
    last = np.maximum.accumulate(np.where(state >= 0, np.arange(len(state)), -1))
    return np.where(last >= 0, state[np.maximum(last, 0)], 0).astype(bool)


def _fill_runs(mask: np.ndarray, value: bool, shorter_than: int) -> np.ndarray:
    """Flip interior runs of `value` shorter than `shorter_than` frames (for silences: only those between
    speech; for speech: all of them)."""
    if shorter_than <= 0 or len(mask) == 0:
        return mask
    bounds = np.flatnonzero(np.diff(mask.astype(np.int8))) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [len(mask)]))
    out = mask.copy()
    for start, end in zip(starts, ends, strict=True):
        interior = value or (start > 0 and end < len(mask))
        if mask[start] == value and end - start < shorter_than and interior:
            out[start:end] = not value
    return out


def _frame_scores(windows: _Windows, similarity: np.ndarray, frames: int) -> np.ndarray:
    """(audio frames, voices): the mean cosine to each centroid of the windows covering each speech frame,
    NaN on frames that are not speech."""
    ends = np.minimum(windows.starts + windows.length, len(windows.frames))
    total = np.zeros((len(windows.frames) + 1, similarity.shape[1]))
    np.add.at(total, windows.starts, similarity)
    np.add.at(total, ends, -similarity)
    covering = np.zeros(len(windows.frames) + 1)
    np.add.at(covering, windows.starts, 1)
    np.add.at(covering, ends, -1)
    mean = np.cumsum(total, axis=0)[:-1] / np.maximum(np.cumsum(covering)[:-1, None], 1)
    scores = np.full((frames, similarity.shape[1]), np.nan)
    inside = windows.frames < frames
    scores[windows.frames[inside]] = mean[inside]
    return scores


def _numbered(runs: list[tuple[float, float, int]]) -> list[Turn]:
    """Turns sorted by start, with speakers renumbered by first appearance."""
    numbers: dict[int, int] = {}
    return [Turn(start, end, numbers.setdefault(label, len(numbers))) for start, end, label in sorted(runs)]


def _rechunk(blocks: Iterable[np.ndarray], size: int) -> Iterator[np.ndarray]:
    """The concatenated blocks cut into arrays of `size` samples (the last one shorter)."""
    pending: list[np.ndarray] = []
    held = 0
    for block in blocks:
        block = np.asarray(block, dtype=np.float32).reshape(-1)
        pending.append(block)
        held += len(block)
        if held >= size:
            joined = np.concatenate(pending)
            whole = len(joined) - len(joined) % size
            yield from (joined[start : start + size] for start in range(0, whole, size))
            pending, held = [joined[whole:]], len(joined) - whole
    if held:
        yield np.concatenate(pending)


assert SAMPLE_RATE % HOP_SAMPLES == 0
