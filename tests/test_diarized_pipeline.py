"""A diarized job's two passes, with stand-in engines: the diarizer runs beside the recogniser, its turns
name the words' speakers, and a failure on either side ends the job with that side's error."""

from __future__ import annotations

import threading
import time
import wave
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pytest

from parley.jobs.options import JobOptions
from parley.pipeline.transcribe import transcribe_media
from parley.speech.diarization import Turn
from parley.transcript import Word

SECONDS = 100  # four of iter_audio's 30 s blocks


@pytest.fixture
def media(tmp_path: Path) -> Path:
    path = tmp_path / "quiet.wav"
    noise = (np.random.default_rng(0).standard_normal(SECONDS * 16_000) * 30).astype(np.int16)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes(noise.tobytes())
    return path


class Recogniser:
    """Two words, the first at 1 s and the second at 60 s, one per block read; fails if told to."""

    name = "stand-in"
    is_multilingual = False

    def __init__(self, *, fail: bool = False) -> None:
        self.fail = fail
        self.first_word_out = threading.Event()
        self.failed = threading.Event()

    def transcribe(self, blocks: Iterable[np.ndarray], **_: object) -> Iterator[Word]:
        for index, _block in enumerate(blocks):
            if index == 0:
                yield Word("hello", 1.0, 1.5, 0.9)
                self.first_word_out.set()
            if index == 2:
                if self.fail:
                    self.failed.set()
                    raise RuntimeError("the recogniser broke")
                yield Word("again", 60.0, 60.5, 0.9)


class Diarizer:
    """Waits, holding its first block, for an event; then reads the rest (`pause` seconds apart) and
    returns two turns."""

    def __init__(self, wait_for: threading.Event, *, fail: bool = False, pause: float = 0.0) -> None:
        self.wait_for = wait_for
        self.fail = fail
        self.pause = pause
        self.blocks_read = 0
        self.stopped_by: BaseException | None = None

    def diarize_blocks(self, blocks: Iterable[np.ndarray], **_: object) -> list[Turn]:
        try:
            for block in blocks:
                self.blocks_read += 1
                if self.blocks_read == 1 and not self.wait_for.wait(timeout=20):
                    raise AssertionError("the recogniser never ran while the diarizer was reading")
                if self.fail:
                    raise ValueError("the diarizer broke")
                time.sleep(self.pause)
                assert block.dtype == np.float32
        except BaseException as error:
            self.stopped_by = error
            raise
        return [Turn(0.0, 30.0, 0), Turn(30.0, 100.0, 1)]


def _options() -> JobOptions:
    return JobOptions(enableSpeakerDiarization=True)


def test_the_diarizer_runs_beside_the_recogniser_and_names_the_speakers(media: Path) -> None:
    recogniser = Recogniser()
    diarizer = Diarizer(recogniser.first_word_out)  # deadlocks (then fails) if run one after the other
    transcript = transcribe_media(media, transcriber=recogniser, options=_options(), diarizer=diarizer)
    assert diarizer.blocks_read == 4
    assert [(m.text, m.speaker) for m in transcript.messages] == [
        ("hello", transcript.speakers[0].key),
        ("again", transcript.speakers[1].key),
    ]
    assert [speaker.name for speaker in transcript.speakers] == ["Speaker 1", "Speaker 2"]


def test_a_failing_recogniser_stops_the_diarizer(media: Path) -> None:
    recogniser = Recogniser(fail=True)
    diarizer = Diarizer(recogniser.failed, pause=0.5)  # time for the failure to reach the job
    with pytest.raises(RuntimeError, match="the recogniser broke"):
        transcribe_media(media, transcriber=recogniser, options=_options(), diarizer=diarizer)
    # The diarizer was waiting on its first block; it is stopped before reading all four.
    assert diarizer.blocks_read < 4
    assert type(diarizer.stopped_by).__name__ == "_Stopped"


def test_a_failing_diarizer_fails_the_job_with_its_reason(media: Path) -> None:
    recogniser = Recogniser()
    diarizer = Diarizer(recogniser.first_word_out, fail=True)
    with pytest.raises(ValueError, match="the diarizer broke"):
        transcribe_media(media, transcriber=recogniser, options=_options(), diarizer=diarizer)
