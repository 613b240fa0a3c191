"""Synthetic participants for recorder tests: aiortc tracks that play real speech and coloured video,
paced in real time like a browser's, so the recorder sees frames arrive as it would in a room."""

from __future__ import annotations

import asyncio
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from tests.support import read_mono

FRAME_SAMPLES = 320  # 20 ms at 16 kHz


class SpeechTrack(MediaStreamTrack):
    """`lead` seconds of silence, then the speech of `wav`, then silence until stopped."""

    kind = "audio"

    def __init__(self, wav: Path, lead: float = 0.0) -> None:
        super().__init__()
        silence = np.zeros(round(lead * 16_000), dtype=np.int16)
        self.pcm = np.concatenate([silence, read_mono(wav)])
        self.sent = 0
        self.started: float | None = None

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self.started is None:
            self.started = time.monotonic()
        due = self.started + self.sent / 16_000
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        chunk = self.pcm[self.sent : self.sent + FRAME_SAMPLES]
        chunk = np.pad(chunk, (0, FRAME_SAMPLES - len(chunk)))
        frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = 16_000, self.sent, Fraction(1, 16_000)
        self.sent += FRAME_SAMPLES
        return frame


class ColourTrack(MediaStreamTrack):
    """A camera that films one solid colour at 15 frames a second."""

    kind = "video"

    def __init__(self, colour: tuple[int, int, int], size: tuple[int, int] = (320, 240)) -> None:
        super().__init__()
        self.picture = np.empty((size[1], size[0], 3), dtype=np.uint8)
        self.picture[:] = colour
        self.count = 0
        self.started: float | None = None

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self.started is None:
            self.started = time.monotonic()
        await asyncio.sleep(max(0.0, self.started + self.count / 15 - time.monotonic()))
        frame = av.VideoFrame.from_ndarray(self.picture, format="rgb24")
        frame.pts, frame.time_base = self.count, Fraction(1, 15)
        self.count += 1
        return frame


def decoded_frame_at(path: Path, seconds: float) -> np.ndarray:
    """The RGB picture of the first video frame at or after `seconds`."""
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if frame.time is not None and frame.time >= seconds:
                return frame.to_ndarray(format="rgb24")
    raise AssertionError(f"{path} has no video frame at {seconds} s")


def colour_share(picture: np.ndarray, colour: tuple[int, int, int], tolerance: int = 40) -> float:
    """The fraction of the picture's pixels close to `colour`."""
    distance = np.abs(picture.astype(np.int16) - np.array(colour, dtype=np.int16)).max(axis=2)
    return float((distance <= tolerance).mean())


def columns_with(picture: np.ndarray, colour: tuple[int, int, int], tolerance: int = 40) -> np.ndarray:
    """Indices of the picture's columns where `colour` fills at least a fifth of the rows."""
    distance = np.abs(picture.astype(np.int16) - np.array(colour, dtype=np.int16)).max(axis=2)
    return np.nonzero((distance <= tolerance).mean(axis=0) > 0.2)[0]
