"""Media decoding with PyAV: any container/codec FFmpeg reads, streamed as 16 kHz mono float32.

Nothing here holds a whole file in memory: `iter_audio` decodes packet by packet and yields fixed-size
blocks, so a two-hour recording costs no more than a two-minute one.

Every failure a person can fix (wrong file, no audio, a broken upload) raises `MediaError`, whose message
says what is wrong with the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import av.container
import av.stream
import numpy as np
from av.audio.resampler import AudioResampler

SAMPLE_RATE = 16_000

# A decode that stops this far short of the declared duration is a truncated file. The slack absorbs
# codec priming/padding and container rounding (measured: up to ~0.15 s on the formats we test).
_TRUNCATION_SLACK_SECONDS = 1.0
_TRUNCATION_SLACK_RATIO = 0.01

# Raw elementary streams carry no length, so FFmpeg guesses their duration from the bitrate of the first
# frames; for VBR audio that guess is far off (measured: 105 s declared for a 53 s VBR mp3), so it must not
# be taken as proof of truncation. mp3 is trusted only when it has a Xing/Info/VBRI length header.
_ESTIMATED_DURATION_FORMATS = frozenset({"aac", "ac3", "eac3", "dts", "amr", "mp3"})
_MP3_LENGTH_TAGS = (b"Xing", b"Info", b"VBRI")

# Leading bytes of containers FFmpeg reads: if one of these fails to open, the upload is broken rather
# than the wrong kind of file, and the message should say so.
_CONTAINER_MAGIC = (
    (4, b"ftyp"),  # mp4 / mov / m4a
    (0, b"\x1a\x45\xdf\xa3"),  # matroska / webm
    (0, b"RIFF"),  # wav / avi
    (0, b"OggS"),
    (0, b"fLaC"),
    (0, b"ID3"),  # mp3 with tags
    (0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"),  # asf / wmv / wma
)

_MATROSKA_DURATION = re.compile(r"(\d+):(\d+):(\d+(?:\.\d+)?)")


class MediaError(Exception):
    """The file cannot be used as audio; str() is a reason a person can act on."""


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What the container declares. `duration` is 0.0 when it declares none (some live recordings)."""

    duration: float
    channels: int
    has_video: bool
    format_name: str


def probe(path: Path) -> MediaInfo:
    """Read the container header only (no decoding)."""
    with _open(path) as container:
        stream = _audio_stream(container)
        declared = _declared_duration(container, stream)
        return MediaInfo(
            duration=container.duration / av.time_base if container.duration is not None else declared or 0.0,
            channels=stream.codec_context.channels,
            has_video=any(not _is_cover_art(s) for s in container.streams.video),
            format_name=container.format.name,
        )


def iter_audio(
    path: Path, *, channel: int | None = None, block_seconds: float = 30.0
) -> Iterator[np.ndarray]:
    """Yield float32 mono 16 kHz blocks of `block_seconds` (the last one shorter).

    `channel=None` downmixes all channels; `channel=k` keeps input channel k (0-based) alone. Raises
    `MediaError` before the first block for unusable files, and mid-stream (after the blocks decoded so
    far) when the data turns out to be corrupt or the file stops short of its declared duration.
    """
    if block_seconds <= 0:
        raise ValueError("block_seconds must be positive")
    block_samples = max(1, round(block_seconds * SAMPLE_RATE))
    with _open(path) as container:
        stream = _audio_stream(container)
        channels = stream.codec_context.channels
        if channel is not None and not 0 <= channel < channels:
            raise MediaError(
                f"the audio has {channels} channel(s), numbered from 0; channel {channel} does not exist"
            )
        declared = _declared_duration(container, stream)
        if declared is not None and not _length_is_declared(path, container.format.name):
            declared = None

        yield from _regroup(_decode(container, stream, channel, declared), block_samples)


def _regroup(chunks: Iterator[np.ndarray], size: int) -> Iterator[np.ndarray]:
    """Re-cut a stream of arrays into arrays of `size` (the last one shorter)."""
    pending: list[np.ndarray] = []
    pending_samples = 0
    for chunk in chunks:
        pending.append(chunk)
        pending_samples += len(chunk)
        if pending_samples >= size:
            joined = np.concatenate(pending)
            whole = len(joined) - len(joined) % size
            yield from (joined[start : start + size] for start in range(0, whole, size))
            pending = [joined[whole:]]
            pending_samples = len(joined) - whole
    if pending_samples:
        yield np.concatenate(pending)


def _decode(
    container: av.container.InputContainer,
    stream: av.AudioStream,
    channel: int | None,
    declared: float | None,
) -> Iterator[np.ndarray]:
    """Yield 16 kHz float32 samples frame by frame, then check that nothing was missing."""
    start = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
    resampler: AudioResampler | None = None
    source: tuple[str, str, int] | None = None
    decoded = 0.0
    reached = 0.0  # seconds of the media timeline decoded so far
    try:
        for frame in container.decode(stream):
            # Some streams switch rate or layout mid-way (concatenated mp3s, AAC with SBR); PyAV's
            # resampler refuses a changed input, so drain it and start a new one.
            frame_source = (frame.format.name, frame.layout.name, frame.sample_rate)
            if frame_source != source:
                if resampler is not None:
                    yield from _resample(resampler, None, channel)
                resampler = _resampler(frame, channel)
                source = frame_source
            decoded += frame.samples / frame.sample_rate
            # Timestamps rather than sample counts, so that a gap in a live recording is not
            # mistaken for truncation; files without timestamps fall back to the count.
            end = frame.time - start + frame.samples / frame.sample_rate if frame.time is not None else 0.0
            reached = max(reached, decoded, end)
            yield from _resample(resampler, frame, channel)
        if resampler is not None:
            yield from _resample(resampler, None, channel)
    except av.FFmpegError as error:
        total = f" of {declared:.1f} s" if declared else ""
        raise MediaError(
            f"the media is truncated or corrupt: decoding failed at {reached:.1f} s{total} ({error.strerror})"
        ) from error
    if declared is not None and reached < declared - _slack(declared):
        raise MediaError(
            f"the media is truncated or corrupt: decoding stopped at {reached:.1f} s of {declared:.1f} s"
        )


def _resampler(frame: av.AudioFrame, channel: int | None) -> AudioResampler:
    # 16-bit like faster-whisper's own decode_audio, not float: Whisper's output flips on differences as
    # small as that rounding (a 3-minute excerpt gave 333 words from one, 315 to 395 from the other), so
    # matching its input keeps Parley's transcripts comparable with bare faster-whisper's.
    # A source layout kept as is makes channel k of the output channel k of the file.
    return AudioResampler(format="s16p", layout="mono" if channel is None else frame.layout, rate=SAMPLE_RATE)


def _resample(
    resampler: AudioResampler, frame: av.AudioFrame | None, channel: int | None
) -> list[np.ndarray]:
    row = 0 if channel is None else channel
    return [out.to_ndarray()[row].astype(np.float32) / 32768.0 for out in resampler.resample(frame)]


def _open(path: Path) -> av.container.InputContainer:
    size = path.stat().st_size  # a missing file is the caller's bug, not the media's: let it raise
    if size == 0:
        raise MediaError("the file is empty")
    try:
        return av.open(str(path), mode="r", metadata_errors="ignore")
    except av.FFmpegError as error:
        if _looks_like_media(path):
            raise MediaError(
                f"the media is truncated or corrupt: its container cannot be read ({error.strerror})"
            ) from error
        raise MediaError(f"not a media file PyAV can read: {error.strerror}") from error


def _audio_stream(container: av.container.InputContainer) -> av.AudioStream:
    stream = container.streams.best("audio")
    if not isinstance(stream, av.AudioStream):
        raise MediaError(f"the file has no audio stream (read as {container.format.long_name})")
    return stream


def _declared_duration(container: av.container.InputContainer, stream: av.AudioStream) -> float | None:
    """The audio stream's own duration, or None where the file does not say."""
    if stream.duration is not None:
        return float(stream.duration * stream.time_base)
    # Matroska/WebM keep per-track durations in a tag written by the muxer.
    tag = _MATROSKA_DURATION.fullmatch(stream.metadata.get("DURATION", ""))
    if tag:
        hours, minutes, seconds = tag.groups()
        return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    # The container's duration spans every stream; it speaks for the audio only when nothing else is there.
    if container.duration is not None and len(container.streams) == 1:
        return container.duration / av.time_base
    return None


def _length_is_declared(path: Path, format_name: str) -> bool:
    """Whether the declared duration comes from a header rather than a bitrate guess."""
    if format_name not in _ESTIMATED_DURATION_FORMATS:
        return True
    return format_name == "mp3" and _has_mp3_length_header(path)


def _has_mp3_length_header(path: Path) -> bool:
    with path.open("rb") as file:
        tag = file.read(10)
        if tag.startswith(b"ID3") and len(tag) == 10:
            # Skip the ID3v2 tag (it can hold cover art): a 4-byte "syncsafe" size (7 bits a byte), plus
            # a 10-byte footer when flagged.
            size = sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(tag[6:10]))
            file.seek(10 + size + (10 if tag[5] & 0x10 else 0))
        else:
            file.seek(0)
        head = file.read(8192)
    for position in range(len(head) - 1):
        if head[position] == 0xFF and head[position + 1] & 0xE0 == 0xE0:
            # The tag sits after the first frame's header and side info: within its first ~40 bytes.
            first_frame = head[position : position + 64]
            return any(tag in first_frame for tag in _MP3_LENGTH_TAGS)
    return False


def _looks_like_media(path: Path) -> bool:
    with path.open("rb") as file:
        head = file.read(16)
    return any(head[offset : offset + len(magic)] == magic for offset, magic in _CONTAINER_MAGIC)


def _is_cover_art(stream: av.stream.Stream) -> bool:
    return bool(stream.disposition & av.stream.Disposition.attached_pic)


def _slack(declared: float) -> float:
    return _TRUNCATION_SLACK_SECONDS + _TRUNCATION_SLACK_RATIO * declared
