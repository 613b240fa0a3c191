"""The room recorder with synthetic participants: real speech and coloured cameras, joining and leaving."""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path

import av
import numpy as np
import pytest

from parley.rooms.capture import Capture
from parley.rooms.layout import RecordingConfig
from parley.rooms.live import LiveRoom, Participant
from parley.rooms.recorder import RecordedFiles, Recorder
from parley.rooms.tracks import multichannel_wav
from tests.rooms.synthetic import ColourTrack, SpeechTrack, colour_share, columns_with, decoded_frame_at
from tests.support import shared

RED, BLUE = (220, 30, 30), (30, 60, 220)


async def _two_people_meeting(workdir: Path, config: RecordingConfig) -> RecordedFiles:
    """Alice is there from the start; Bob joins after 1 s and leaves at 2.6 s; the recording ends at 3.4 s."""
    room = LiveRoom("test-room-0001")
    alice = room.join(Participant("Alice"))
    alice.attach(SpeechTrack(shared("asr_short/jfk.wav")))
    alice.attach(ColourTrack(RED))
    room.start_recording(Capture("rec", Recorder(workdir, config)))
    await asyncio.sleep(1.0)
    bob = room.join(Participant("Bob"))
    bob.attach(SpeechTrack(shared("asr_short/sb_spk2_snt1.wav"), lead=0.2))
    bob.attach(ColourTrack(BLUE))
    await asyncio.sleep(1.6)
    await room.leave(bob.id)
    await asyncio.sleep(0.8)
    taken = room.take_capture()
    assert taken is not None
    files = await asyncio.to_thread(taken.recorder.stop)
    await room.leave(alice.id)
    return files


def _wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as reader:
        assert reader.getframerate() == 16_000 and reader.getnchannels() == 1
        return np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2").astype(np.float32) / 32768


def test_grid_recording_shows_each_participant_while_present_and_keeps_their_own_voice(
    tmp_path: Path,
) -> None:
    # PIN keeps tiles in joining order (SPEAKER would move whoever speaks to the front).
    config = RecordingConfig(layout="GRID", priority="PIN", quality="low", theme="DARK")
    files = asyncio.run(_two_people_meeting(tmp_path, config))

    with av.open(str(files.path)) as container:
        assert sorted(stream.type for stream in container.streams) == ["audio", "video"]
        video = container.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (640, 360)
        assert container.streams.audio[0].codec_context.name == "aac"
    assert 3.0 <= files.duration <= 4.2, files.duration

    both = decoded_frame_at(files.path, 2.0)
    red_columns, blue_columns = columns_with(both, RED), columns_with(both, BLUE)
    assert len(red_columns) > 100 and len(blue_columns) > 100
    assert red_columns.max() < blue_columns.min()  # two tiles side by side, in joining order
    alone = decoded_frame_at(files.path, 3.2)
    assert colour_share(alone, BLUE) < 0.01 and colour_share(alone, RED) > 0.2

    assert [track.name for track in files.tracks] == ["Alice", "Bob"]
    alice, bob = (_wav(track.path) for track in files.tracks)
    assert np.abs(alice[:16_000]).max() > 0.1  # JFK speaks from the start
    assert np.abs(bob[:14_000]).max() == 0  # silence before Bob joined
    assert np.abs(bob[20_000:40_000]).max() > 0.05  # his sentence once he is there
    assert files.tracks[1].left_at == pytest.approx(2.6, abs=0.3)


def test_audio_mode_writes_only_aac_and_a_multichannel_file_for_transcription(tmp_path: Path) -> None:
    files = asyncio.run(_two_people_meeting(tmp_path, RecordingConfig(mode="audio")))
    assert files.path.suffix == ".m4a" and files.width is None
    with av.open(str(files.path)) as container:
        assert [stream.type for stream in container.streams] == ["audio"]
        samples = np.concatenate([frame.to_ndarray().reshape(-1) for frame in container.decode(audio=0)])
    assert np.abs(samples).max() > 0.1  # the mix carries the speech
    target = tmp_path / "channels.wav"
    multichannel_wav(files.tracks, target)
    with wave.open(str(target), "rb") as reader:
        assert reader.getnchannels() == 2
        assert reader.getnframes() / 16_000 == pytest.approx(files.duration, abs=0.6)
