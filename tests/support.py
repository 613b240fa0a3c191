"""Helpers the API tests share: real speech, media files made from it, a local media server, polling."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import av
import jiwer
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


def shared(relative: str) -> Path:
    """A file of ../shared/data, read in place; skips only where that folder is absent (a clone elsewhere)."""
    path = SHARED_DATA / relative
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is absent: real-speech tests need the shared data folder beside the repo")
    assert path.exists(), f"{path} is missing from the shared data folder"
    return path


def words_of(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())


def wer(reference: str, hypothesis: str) -> float:
    return float(jiwer.wer(words_of(reference), words_of(hypothesis)))


def espeak(text: str, target: Path, *, speed: int = 150) -> Path:
    """Synthetic speech for tests that must run anywhere (espeak-ng is installed by the Makefile)."""
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is not installed; run `make test`, which installs it")
    subprocess.run(["espeak-ng", "-s", str(speed), "-w", str(target), text], check=True)
    return target


def read_mono(path: Path, rate: int = 16_000) -> np.ndarray:
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
        chunks = [
            out.to_ndarray()[0] for frame in container.decode(audio=0) for out in resampler.resample(frame)
        ]
        chunks += [out.to_ndarray()[0] for out in resampler.resample(None)]
    return np.concatenate(chunks).astype(np.int16)


def make_mp4(source: Path, target: Path, rate: int = 16_000) -> Path:
    """An mp4 with a small video track and AAC audio holding `source`'s speech."""
    samples = read_mono(source, rate)
    with av.open(str(target), "w") as out:
        video = out.add_stream("mpeg4", rate=5)
        video.width, video.height, video.pix_fmt = 64, 64, "yuv420p"
        audio = out.add_stream("aac", rate=rate)
        audio.layout = "mono"
        frames = int(len(samples) / rate * 5) + 1
        for index in range(frames):
            image = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")
            image.pts, image.time_base = index, Fraction(1, 5)
            out.mux(video.encode(image))
        out.mux(video.encode(None))
        for start in range(0, len(samples), 1024):
            frame = av.AudioFrame.from_ndarray(
                samples[None, start : start + 1024], format="s16", layout="mono"
            )
            frame.sample_rate, frame.pts = rate, start
            out.mux(audio.encode(frame))
        out.mux(audio.encode(None))
    return target


@contextmanager
def file_server(directory: Path) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving `directory`; yields its base URL."""
    handler = partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def wait_for_job(get_status, *, timeout: float = 120.0) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Poll until the job is completed or failed; returns the last job body."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = get_status()
        if body["status"] in ("completed", "failed"):
            return body
        time.sleep(0.1)
    raise AssertionError(f"job did not finish within {timeout} s: {body}")
