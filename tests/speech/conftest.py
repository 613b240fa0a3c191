"""Fixtures for the speech tests: the shared real-speech data and the default transcriber."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from parley.speech.audio import iter_audio
from parley.speech.transcriber import WhisperTranscriber

# The repository's sibling folder shared/data (see its README.md); media are never copied into the repo.
SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real speech data not found at {SHARED_DATA.resolve()} (the repo's sibling shared/data)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def jfk_wav(shared_data: Path) -> Path:
    return shared_data / "asr_short" / "jfk.wav"


@pytest.fixture(scope="session")
def jfk_audio(jfk_wav: Path) -> np.ndarray:
    return np.concatenate(list(iter_audio(jfk_wav)))


@pytest.fixture(scope="session")
def transcriber() -> WhisperTranscriber:
    return WhisperTranscriber()
