"""Each recorded participant's own audio: placed on the recording's timeline by arrival time, mixed, and
kept as a 16 kHz WAV of their voice alone (silence before they joined and while they were away).

Frames are placed one after another while they keep coming; a frame arriving more than `GAP_SECONDS` later
than the previous one ended (the participant muted, dropped or rejoined) starts where its arrival says.
"""

from __future__ import annotations

import threading
import wave
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

MIX_RATE = 48_000
TRACK_RATE = 16_000  # what the transcriber reads
GAP_SECONDS = 0.25


@dataclass(frozen=True)
class TrackFile:
    participant_id: str
    name: str
    path: Path
    joined_at: float  # seconds into the recording
    left_at: float | None


class ParticipantTrack:
    """One participant's audio in a recording. `push` runs where frames arrive, `take` in the mixer."""

    def __init__(self, participant_id: str, name: str, path: Path, joined_at: float) -> None:
        self.participant_id, self.name, self.path = participant_id, name, path
        self.joined_at, self.left_at = joined_at, None
        self._pending: deque[tuple[int, np.ndarray]] = deque()  # (first sample at 48 kHz, samples)
        self._next: int | None = None
        self._lock = threading.Lock()
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=TRACK_RATE)
        self._wav = wave.open(str(path), "wb")  # noqa: SIM115 (closed in `close`)
        self._wav.setnchannels(1)
        self._wav.setsampwidth(2)
        self._wav.setframerate(TRACK_RATE)
        self._written = 0  # samples in the WAV

    @property
    def end(self) -> int:
        """The sample (48 kHz) after the last one received."""
        return self._next or 0

    def push(self, arrival_seconds: float, samples: np.ndarray) -> None:
        """`samples`: float32 mono at 48 kHz that arrived `arrival_seconds` into the recording."""
        count = len(samples)
        arrived_start = max(0, round(arrival_seconds * MIX_RATE) - count)
        with self._lock:
            if self._next is None or arrived_start - self._next > GAP_SECONDS * MIX_RATE:
                start = arrived_start
            else:
                start = self._next
            self._pending.append((start, samples))
            self._next = start + count
        self._write_wav(start, samples)

    def take(self, begin: int, end: int) -> np.ndarray:
        """This participant's samples for [begin, end) at 48 kHz (zeros where nothing arrived); what lies
        before `end` is consumed, what lies after it stays for the next call."""
        out = np.zeros(end - begin, dtype=np.float32)
        with self._lock:
            kept: deque[tuple[int, np.ndarray]] = deque()
            for start, samples in self._pending:
                stop = start + len(samples)
                low, high = max(start, begin), min(stop, end)
                if high > low:
                    out[low - begin : high - begin] += samples[low - start : high - start]
                if stop > end:
                    kept.append((start, samples))
            self._pending = kept
        return out

    def _write_wav(self, start: int, samples: np.ndarray) -> None:
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = MIX_RATE
        target = start * TRACK_RATE // MIX_RATE
        if target > self._written:  # silence while nothing came
            self._wav.writeframes(bytes(2 * (target - self._written)))
            self._written = target
        for resampled in self._resampler.resample(frame):
            pcm = resampled.to_ndarray().reshape(-1)
            self._wav.writeframes(pcm.astype("<i2").tobytes())
            self._written += len(pcm)

    def close(self, left_at: float | None) -> TrackFile:
        if self.left_at is None:
            self.left_at = left_at
        self._wav.close()
        return TrackFile(self.participant_id, self.name, self.path, self.joined_at, self.left_at)


def mix(chunks: list[np.ndarray]) -> np.ndarray:
    """The sum of equal-length chunks; when it would clip, scaled down to just below full scale."""
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    total = np.sum(chunks, axis=0, dtype=np.float32)
    peak = float(np.abs(total).max()) if len(total) else 0.0
    if peak > 0.99:
        total *= 0.99 / peak
    return total


def multichannel_wav(tracks: list[TrackFile], target: Path, block: int = TRACK_RATE * 30) -> None:
    """One WAV with each participant's track as its own channel (in `tracks` order), padded to the longest,
    for per-channel recognition: each channel's words then belong to that participant."""
    readers = [wave.open(str(track.path), "rb") for track in tracks]  # noqa: SIM115
    try:
        length = max(reader.getnframes() for reader in readers)
        with wave.open(str(target), "wb") as out:
            out.setnchannels(len(readers))
            out.setsampwidth(2)
            out.setframerate(TRACK_RATE)
            for begin in range(0, length, block):
                count = min(block, length - begin)
                columns = np.zeros((count, len(readers)), dtype="<i2")
                for index, reader in enumerate(readers):
                    pcm = np.frombuffer(reader.readframes(count), dtype="<i2")
                    columns[: len(pcm), index] = pcm
                out.writeframes(columns.tobytes())
    finally:
        for reader in readers:
            reader.close()
