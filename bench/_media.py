"""Test media for the ASR benchmark: long recordings assembled from the real speech in shared/data.

Everything is decoded with PyAV to 16 kHz mono and written to a temporary folder the caller owns; nothing is
written into the repository.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
from av.audio.resampler import AudioResampler

SAMPLE_RATE = 16_000
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
ASR_SHORT = DATA / "asr_short"
AMI = DATA / "diarization" / "ami_debug"

# fw_multilingual.mp3 is English for its first 30 s and German after; tiny.en is English-only, so the long
# files take the English half alone (bare faster-whisper ends its last English segment at 29.94 s).
MULTILINGUAL_ENGLISH_SECONDS = 29.9
# A short pause between clips from different recordings, as between speakers' turns.
_GAP_SECONDS = 0.4


def _clips() -> list[tuple[Path, float | None]]:
    """(file, seconds to keep or None for all) in the order the long files cycle through them."""
    ami = sorted(AMI.glob("*.wav"))
    speechbrain = sorted(ASR_SHORT.glob("sb_*.wav"))
    clips: list[tuple[Path, float | None]] = [
        (ASR_SHORT / "fw_multilingual.mp3", MULTILINGUAL_ENGLISH_SECONDS)
    ]
    # Interleave the meeting excerpts with the read speech, so that no window is all one kind of audio.
    for index, meeting in enumerate(ami):
        clips.append((meeting, None))
        if index == 1:
            clips.append((DATA / "diarization" / "pyannote_sample.wav", None))
        if index == 3:
            clips.append((ASR_SHORT / "jfk.wav", None))
        if index == 5:
            clips.extend((path, None) for path in speechbrain)
    return clips


def decode(path: Path, seconds: float | None = None) -> np.ndarray:
    """The file as 16 kHz mono int16, cut to its first `seconds` when given."""
    resampler = AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    parts: list[np.ndarray] = []
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            parts.extend(out.to_ndarray()[0] for out in resampler.resample(frame))
    parts.extend(out.to_ndarray()[0] for out in resampler.resample(None))
    audio = np.concatenate(parts)
    return audio if seconds is None else audio[: round(seconds * SAMPLE_RATE)]


def _cycle(clips: list[np.ndarray], target_samples: int) -> Iterator[np.ndarray]:
    """Clips (each followed by a gap) round and round until `target_samples`, ending on a whole clip."""
    gap = np.zeros(round(_GAP_SECONDS * SAMPLE_RATE), dtype=np.int16)
    written = 0
    while written < target_samples:
        for clip in clips:
            yield clip
            yield gap
            written += len(clip) + len(gap)
            if written >= target_samples:
                return


def assemble(out: Path, target_seconds: float) -> Path:
    """Write at least `target_seconds` of real speech to `out` (.mp3: 64 kb/s mono; .wav: 16-bit PCM)."""
    clips = [decode(path, seconds) for path, seconds in _clips()]
    codec = "libmp3lame" if out.suffix == ".mp3" else "pcm_s16le"
    with av.open(str(out), "w") as container:
        stream = container.add_stream(codec, rate=SAMPLE_RATE, layout="mono")
        if codec == "libmp3lame":
            stream.bit_rate = 64_000
        for block in _cycle(clips, round(target_seconds * SAMPLE_RATE)):
            frame = av.AudioFrame.from_ndarray(block[np.newaxis, :], format="s16", layout="mono")
            frame.sample_rate = SAMPLE_RATE
            # PyAV regroups samples into the encoder's frame size itself.
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out


def duration(path: Path) -> float:
    """Seconds of audio, from the container header."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        if stream.duration is not None:
            return float(stream.duration * stream.time_base)
        return (container.duration or 0) / av.time_base
