"""Raw telephone/stream audio (LINEAR16 or mu-law at any common rate) to 16 kHz mono float32, chunk by chunk.

Live audio arrives in arbitrary small frames; `PcmDecoder.decode` keeps a resampler between calls so the
output is continuous (no clicks or drift at frame boundaries).
"""

from __future__ import annotations

from typing import Literal

import av
import numpy as np
from av.audio.resampler import AudioResampler

from parley.speech.audio import SAMPLE_RATE

Encoding = Literal["LINEAR16", "MULAW", "ALAW"]
SUPPORTED_ENCODINGS: tuple[str, ...] = ("LINEAR16", "MULAW", "ALAW")
SUPPORTED_RATES: tuple[int, ...] = (8_000, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000)


def _mulaw_table() -> np.ndarray:
    """ITU-T G.711 mu-law byte -> 16-bit linear sample."""
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


def _alaw_table() -> np.ndarray:
    """ITU-T G.711 A-law byte -> 16-bit linear sample."""
    codes = np.arange(256, dtype=np.int32) ^ 0x55
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = np.where(exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << (exponent - 1))
    return np.where(sign != 0, magnitude, -magnitude).astype(np.int16)


_TABLES = {"MULAW": _mulaw_table(), "ALAW": _alaw_table()}


class PcmDecoder:
    """Decodes one stream's frames; `encoding`/`rate` may change between frames (Symbl's modify_request)."""

    def __init__(self, encoding: str, sample_rate: int) -> None:
        self._pending = b""  # an odd trailing byte of LINEAR16 waits for its other half
        self.configure(encoding, sample_rate)

    def configure(self, encoding: str, sample_rate: int) -> None:
        if encoding not in SUPPORTED_ENCODINGS:
            raise ValueError(
                f"encoding {encoding!r} is not supported; use one of {', '.join(SUPPORTED_ENCODINGS)}"
            )
        if sample_rate not in SUPPORTED_RATES:
            rates = ", ".join(str(rate) for rate in SUPPORTED_RATES)
            raise ValueError(f"sampleRateHertz {sample_rate} is not supported; use one of {rates}")
        self.encoding = encoding
        self.sample_rate = sample_rate
        self._pending = b""
        self._resampler = (
            AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            if sample_rate != SAMPLE_RATE
            else None
        )
        self._pts = 0

    def decode(self, data: bytes) -> np.ndarray:
        """float32 samples at 16 kHz for `data` (may be empty while the resampler fills)."""
        linear = self._linear(data)
        if linear.size == 0:
            return np.zeros(0, dtype=np.float32)
        if self._resampler is not None:
            linear = self._resample(linear)
        return linear.astype(np.float32) / 32768.0

    def _linear(self, data: bytes) -> np.ndarray:
        if self.encoding in _TABLES:
            return _TABLES[self.encoding][np.frombuffer(data, dtype=np.uint8)]
        data = self._pending + data
        usable = len(data) - len(data) % 2
        self._pending = data[usable:]
        return np.frombuffer(data[:usable], dtype="<i2")

    def _resample(self, samples: np.ndarray) -> np.ndarray:
        assert self._resampler is not None
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = self.sample_rate
        frame.pts = self._pts
        self._pts += samples.size
        out = [chunk.to_ndarray().reshape(-1) for chunk in self._resampler.resample(frame)]
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int16)
