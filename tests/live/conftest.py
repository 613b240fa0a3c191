"""Fixtures shared by the live tests: a real SIP far end (sipp) on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live.sipp_far_end import FarEnd, jfk_speech, start_far_end


@pytest.fixture
def far_end(tmp_path: Path) -> Iterator[FarEnd]:
    """sipp answering with jfk.wav and waiting for our BYE (exit status 0 once it came)."""
    far = start_far_end(tmp_path / "sipp", "answer", jfk_speech(tmp_path))
    yield far
    far.stop()
