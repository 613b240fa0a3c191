"""Helpers the live tests share: real speech as raw stream audio, and a paced WebSocket sender."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np

from tests.support import read_mono


def pcm16(path: Path, rate: int = 16_000, silence_after: float = 0.0) -> bytes:
    """LINEAR16 little-endian mono at `rate`, with trailing silence (so the last utterance ends)."""
    samples = read_mono(path, rate)
    return np.concatenate([samples, np.zeros(int(silence_after * rate), np.int16)]).astype("<i2").tobytes()


def mulaw(samples: np.ndarray, rate: int = 8000) -> bytes:
    """G.711 mu-law bytes of int16 `samples` (already at `rate`)."""
    encoder = av.CodecContext.create("pcm_mulaw", "w")
    encoder.sample_rate, encoder.layout, encoder.format = rate, "mono", "s16"
    frame = av.AudioFrame.from_ndarray(samples.astype(np.int16).reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = rate
    return b"".join(bytes(packet) for packet in encoder.encode(frame)) + b"".join(
        bytes(packet) for packet in encoder.encode(None)
    )


def send_paced(
    send: Callable[[bytes], Any],
    audio: bytes,
    *,
    bytes_per_second: int,
    speed: float,
    chunk_seconds: float = 0.1,
) -> None:
    """Send `audio` in chunks at `speed` times real time (1.0: as a live microphone would)."""
    chunk = int(bytes_per_second * chunk_seconds) // 2 * 2
    started = time.monotonic()
    for index, offset in enumerate(range(0, len(audio), chunk)):
        send(audio[offset : offset + chunk])
        due = started + (index + 1) * chunk_seconds / speed
        time.sleep(max(0.0, due - time.monotonic()))


class Collector:
    """Reads a WebSocket on a thread until it closes, keeping every JSON message."""

    def __init__(self, receive: Callable[[], Any]) -> None:
        self.messages: list[dict[str, Any]] = []
        self.error: BaseException | None = None
        self._receive = receive
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                self.messages.append(self._receive())
        except BaseException as error:  # the close (or a failure) ends the reading
            self.error = error

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), f"the socket stayed open; got {len(self.messages)} messages"


def of_type(messages: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """Top-level messages of `kind`, or `{"type":"message"}` wrappers whose inner type is `kind`."""
    return [
        m
        for m in messages
        if m.get("type") == kind or (m.get("type") == "message" and m["message"]["type"] == kind)
    ]
