from __future__ import annotations

import tracemalloc
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from faster_whisper.audio import decode_audio

from parley.speech.audio import SAMPLE_RATE, MediaError, iter_audio, probe

# extension -> (container, audio encoder, video encoder or None); every one is in PyAV's wheel.
FORMATS = {
    "mp4": ("mp4", "aac", "libx264"),
    "mov": ("mov", "aac", "mpeg4"),
    "webm": ("webm", "libopus", "libvpx"),
    "mkv": ("matroska", "libopus", "libx264"),
    "avi": ("avi", "libmp3lame", "mpeg4"),
    "wmv": ("asf", "wmav2", "wmv2"),
    "mp3": ("mp3", "libmp3lame", None),
    "aac": ("adts", "aac", None),
    "m4a": ("ipod", "aac", None),
    "wav": ("wav", "pcm_s16le", None),
    "ogg": ("ogg", "vorbis", None),
    "opus": ("opus", "libopus", None),
    "flac": ("flac", "flac", None),
}


VIDEO_FORMATS = {ext for ext, (_, _, video) in FORMATS.items() if video}


@pytest.fixture(scope="module")
def encoded(tmp_path_factory: pytest.TempPathFactory, jfk_audio: np.ndarray) -> dict[str, Path]:
    """jfk.wav encoded, as stereo, into every format we support."""
    folder = tmp_path_factory.mktemp("media")
    stereo = np.stack([jfk_audio, jfk_audio])
    return {ext: encode(folder / f"jfk.{ext}", stereo, *spec) for ext, spec in FORMATS.items()}


def decode(path: Path, channel: int | None = None) -> np.ndarray:
    return np.concatenate(list(iter_audio(path, channel=channel)))


def envelope_match(audio: np.ndarray, reference: np.ndarray) -> float:
    """Correlation of 10 ms loudness envelopes at the best shift within 100 ms.

    Lossy codecs keep the envelope but not always the timing: raw streams (ADTS, mp3 in AVI) keep their
    encoder delay, WMA drops a little more than its own.
    """

    def envelope(samples: np.ndarray) -> np.ndarray:
        frames = samples[: len(samples) // 160 * 160].reshape(-1, 160)
        return np.sqrt((frames**2).mean(axis=1))

    ours, theirs = envelope(audio), envelope(reference)
    size = min(len(ours), len(theirs)) - 10
    shifts = [(lag, 0) for lag in range(10)] + [(0, lag) for lag in range(1, 10)]
    return max(float(np.corrcoef(ours[a : a + size], theirs[b : b + size])[0, 1]) for a, b in shifts)


@pytest.mark.parametrize("ext", sorted(FORMATS))
def test_every_format_decodes_to_the_same_speech(
    ext: str, encoded: dict[str, Path], jfk_audio: np.ndarray
) -> None:
    audio = decode(encoded[ext])

    assert audio.dtype == np.float32
    assert audio.ndim == 1
    assert abs(len(audio) - len(jfk_audio)) < 0.1 * SAMPLE_RATE
    assert envelope_match(audio, jfk_audio) > 0.95


@pytest.mark.parametrize("ext", ["wav", "flac"])
def test_lossless_formats_decode_sample_exact(
    ext: str, encoded: dict[str, Path], jfk_audio: np.ndarray
) -> None:
    np.testing.assert_allclose(decode(encoded[ext]), jfk_audio, atol=1e-4)


@pytest.mark.parametrize("ext", sorted(FORMATS))
def test_probe_reads_the_header(ext: str, encoded: dict[str, Path]) -> None:
    info = probe(encoded[ext])

    assert info.channels == 2
    assert info.has_video == (ext in VIDEO_FORMATS)
    assert info.duration == pytest.approx(11.0, abs=0.2)
    assert info.format_name


def test_blocks_have_the_requested_size(encoded: dict[str, Path]) -> None:
    blocks = list(iter_audio(encoded["flac"], block_seconds=4.0))

    assert [len(b) for b in blocks[:-1]] == [4 * SAMPLE_RATE] * (len(blocks) - 1)
    assert 0 < len(blocks[-1]) <= 4 * SAMPLE_RATE
    assert sum(len(b) for b in blocks) == 11 * SAMPLE_RATE


def test_channels_are_picked_or_averaged(shared_data: Path) -> None:
    path = shared_data / "stereo" / "sb_spk1_and_2_snt5.wav"
    # The left channel is bit-identical to sb_spk1_snt5.wav, the right one to sb_spk2_snt5.wav (zero-padded).
    left_source = decode(shared_data / "asr_short" / "sb_spk1_snt5.wav")
    right_source = decode(shared_data / "asr_short" / "sb_spk2_snt5.wav")

    left = decode(path, channel=0)
    right = decode(path, channel=1)
    mixed = decode(path)

    np.testing.assert_allclose(left[: len(left_source)], left_source, atol=1e-6)
    np.testing.assert_allclose(right[: len(right_source)], right_source, atol=1e-6)
    np.testing.assert_allclose(mixed, (left + right) / 2, atol=1e-4)


@pytest.mark.parametrize("ext", ["mp3", "mp4", "webm"])
def test_samples_are_the_ones_faster_whisper_decodes(ext: str, encoded: dict[str, Path]) -> None:
    # Whisper's output flips on tiny input differences; the same samples keep results comparable.
    np.testing.assert_array_equal(decode(encoded[ext]), decode_audio(str(encoded[ext])))


def test_channels_are_the_ones_faster_whisper_splits(shared_data: Path) -> None:
    path = shared_data / "stereo" / "sb_spk1_and_2_snt5.wav"
    left, right = decode_audio(str(path), split_stereo=True)

    np.testing.assert_array_equal(decode(path, channel=0), left)
    np.testing.assert_array_equal(decode(path, channel=1), right)


@pytest.mark.parametrize("channel", [2, -1])
def test_a_missing_channel_is_refused(shared_data: Path, channel: int) -> None:
    with pytest.raises(MediaError, match=f"2 channel.*channel {channel} does not exist"):
        decode(shared_data / "stereo" / "sb_spk1_and_2_snt5.wav", channel=channel)


def test_random_bytes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "upload.mp4"
    path.write_bytes(np.random.default_rng(7).bytes(100_000))

    with pytest.raises(MediaError, match=r"not a media file|no audio stream|truncated or corrupt"):
        decode(path)


@pytest.mark.parametrize("ext", ["mp3", "mp4", "flac", "webm"])
def test_the_first_half_of_a_file_is_reported_as_truncated(
    ext: str, encoded: dict[str, Path], tmp_path: Path
) -> None:
    data = encoded[ext].read_bytes()
    half = tmp_path / f"half.{ext}"
    half.write_bytes(data[: len(data) // 2])

    with pytest.raises(MediaError, match="truncated or corrupt"):
        decode(half)


def test_truncation_names_where_decoding_stopped(encoded: dict[str, Path], tmp_path: Path) -> None:
    data = encoded["mp3"].read_bytes()
    half = tmp_path / "half.mp3"
    half.write_bytes(data[: len(data) // 2])

    with pytest.raises(MediaError, match=r"decoding stopped at 5\.\d s of 11\.0 s"):
        decode(half)


def test_truncation_is_found_behind_a_large_id3_tag(tmp_path: Path, jfk_audio: np.ndarray) -> None:
    # Tags with cover art push the first mp3 frame (and its length header) far into the file.
    path = encode(
        tmp_path / "tagged.mp3", jfk_audio[None, :], "mp3", "libmp3lame", metadata={"comment": "x" * 100_000}
    )
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - (len(data) - 100_000) // 2])  # about half of the audio

    with pytest.raises(MediaError, match="decoding stopped at"):
        decode(path)


def test_a_vbr_mp3_without_length_header_is_not_called_truncated(
    tmp_path: Path, jfk_audio: np.ndarray
) -> None:
    # Without a Xing header FFmpeg guesses the length from the first frame's bitrate; leading silence
    # makes that guess twice the real length, which must not be taken for truncation.
    audio = np.concatenate([np.zeros(10 * SAMPLE_RATE, np.float32), jfk_audio, jfk_audio])[None, :]
    path = encode(
        tmp_path / "vbr.mp3",
        audio,
        "mp3",
        "libmp3lame",
        container_options={"write_xing": "0"},
        audio_options={"flags": "+qscale", "global_quality": str(2 * 118)},
    )
    assert probe(path).duration > 40  # the bad guess really is there

    assert len(decode(path)) == pytest.approx(32 * SAMPLE_RATE, abs=0.1 * SAMPLE_RATE)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    path.touch()

    with pytest.raises(MediaError, match="the file is empty"):
        probe(path)
    with pytest.raises(MediaError, match="the file is empty"):
        decode(path)


def test_a_text_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp3"
    path.write_text("Agenda\n- budget\n- hiring\n")

    with pytest.raises(MediaError, match="not a media file PyAV can read"):
        probe(path)


def test_a_video_without_sound_is_refused(tmp_path: Path) -> None:
    path = encode(tmp_path / "silent.mp4", None, "mp4", None, "mpeg4")

    with pytest.raises(MediaError, match="the file has no audio stream"):
        probe(path)
    with pytest.raises(MediaError, match="the file has no audio stream"):
        decode(path)


def test_decoding_streams_in_flat_memory(tmp_path: Path) -> None:
    path = tmp_path / "ten_minutes.wav"
    noise = np.random.default_rng(1).integers(-3000, 3000, SAMPLE_RATE * 60, dtype=np.int16).tobytes()
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        for _ in range(10):
            out.writeframes(noise)

    tracemalloc.start()
    try:
        total = sum(len(block) for block in iter_audio(path, block_seconds=30.0))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert total == 600 * SAMPLE_RATE
    # The whole file as float32 would be 38 MB; streaming needs about two blocks (2 x 1.9 MB).
    assert peak < 10_000_000


def encode(
    path: Path,
    audio: np.ndarray | None,
    container_format: str,
    audio_codec: str | None,
    video_codec: str | None = None,
    *,
    container_options: dict[str, str] | None = None,
    audio_options: dict[str, str] | None = None,
    metadata: dict[str, str] | None = None,
) -> Path:
    """Write `audio` ((channels, samples) float32 at 16 kHz) and, optionally, a small test video."""
    with av.open(str(path), "w", format=container_format, options=container_options or {}) as out:
        out.metadata.update(metadata or {})
        # Every stream must exist before the first packet is written.
        sound = _audio_stream(out, audio, audio_codec, audio_options or {}) if audio_codec else None
        picture = _video_stream(out, video_codec) if video_codec else None
        if sound is not None and audio is not None:
            _write_audio(out, sound, audio)
        if picture is not None:
            _write_video(out, picture, audio.shape[1] / SAMPLE_RATE if audio is not None else 2.0)
    return path


def _audio_stream(
    out: av.container.OutputContainer, audio: np.ndarray | None, codec: str, options: dict[str, str]
) -> av.AudioStream:
    layout = "stereo" if audio is not None and audio.shape[0] == 2 else "mono"
    # Encoders have their own rates (Opus: 48 kHz only), which also exercises resampling.
    rate = 48_000 if codec == "libopus" else 44_100 if codec in ("aac", "vorbis", "wmav2") else SAMPLE_RATE
    stream = out.add_stream(codec, rate=rate, layout=layout, options={"strict": "experimental", **options})
    if codec == "wmav2":
        stream.bit_rate = 64_000  # wmav2 refuses to open without one
    return stream


def _write_audio(out: av.container.OutputContainer, stream: av.AudioStream, audio: np.ndarray) -> None:
    layout = stream.layout.name
    resampler = av.AudioResampler(format=stream.format.name, layout=layout, rate=stream.rate)
    for start in range(0, audio.shape[1], 4096):
        chunk = np.ascontiguousarray(audio[:, start : start + 4096])
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
        frame.sample_rate = SAMPLE_RATE
        frame.pts = start
        for resampled in resampler.resample(frame):
            out.mux(stream.encode(resampled))
    for resampled in resampler.resample(None):
        out.mux(stream.encode(resampled))
    out.mux(stream.encode(None))


def _video_stream(out: av.container.OutputContainer, codec: str) -> av.VideoStream:
    stream = out.add_stream(codec, rate=10)
    stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
    return stream


def _write_video(out: av.container.OutputContainer, stream: av.VideoStream, seconds: float) -> None:
    for index in range(round(seconds * 10)):
        image = np.full((48, 64, 3), index * 7 % 256, np.uint8)
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts = index
        out.mux(stream.encode(frame))
    out.mux(stream.encode(None))
