"""The `parley` command: apps, and `process` running the pipeline without a server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import create_app_cli, parley_env
from tests.support import shared, wer

PARLEY = str(Path(sys.executable).parent / "parley")


def test_apps_create_prints_working_credentials(tmp_path: Path) -> None:
    env = parley_env(tmp_path / "data", f"sqlite:///{tmp_path / 'p.db'}")
    credentials = create_app_cli(env, "demo")
    assert set(credentials) == {"appId", "appSecret"} and len(credentials["appSecret"]) > 20
    listed = subprocess.run([PARLEY, "apps", "list"], env=env, capture_output=True, text=True, check=True)
    assert credentials["appId"] in listed.stdout and credentials["appSecret"] not in listed.stdout


def test_process_prints_subtitles_and_json(tmp_path: Path) -> None:
    env = parley_env(tmp_path / "data", f"sqlite:///{tmp_path / 'p.db'}")
    audio = shared("asr_short/jfk.mp3")
    srt = subprocess.run(
        [PARLEY, "process", str(audio), "--format", "srt"], env=env, capture_output=True, text=True
    )
    assert srt.returncode == 0, srt.stderr
    assert srt.stdout.startswith("1\n00:00:00,000 --> 00:00:")
    assert audio.exists()  # the job worked on a copy

    done = subprocess.run(
        [PARLEY, "process", str(audio), "-f", "json"], env=env, capture_output=True, text=True
    )
    payload = json.loads(done.stdout)
    text = " ".join(message["text"] for message in payload["messages"])
    assert wer(shared("asr_short/jfk.txt").read_text(), text) < 0.1
    assert payload["messages"][0]["words"]


def test_process_reports_failures(tmp_path: Path) -> None:
    env = parley_env(tmp_path / "data", f"sqlite:///{tmp_path / 'p.db'}")
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"\x00\x01not audio" * 1000)
    done = subprocess.run([PARLEY, "process", str(junk)], env=env, capture_output=True, text=True)
    assert done.returncode == 1 and "job failed" in done.stderr
    missing = subprocess.run(
        [PARLEY, "process", str(tmp_path / "nope.wav")], env=env, capture_output=True, text=True
    )
    assert missing.returncode == 2 and "not a file" in missing.stderr


def test_allocator_tuning_applies_on_glibc() -> None:
    from parley.cli.memory import tune_allocator

    assert tune_allocator() is True
