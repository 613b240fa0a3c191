"""Diarization benchmark: DER on real multi-speaker audio, and what diarization adds to a transcription job.

    .venv/bin/python bench/diarization.py            # DER table + an assembled 11-minute file (time vs ASR)
    .venv/bin/python bench/diarization.py --hour     # ... and a 60-minute file (time, peak RSS)
    .venv/bin/python bench/diarization.py --der-only # the DER table alone (~1 min)
    .venv/bin/python bench/diarization.py --job      # ... and whole `parley process` jobs (~6 min)

DER (pyannote.metrics, the file's .uem as the scored region where it has one, else the whole file) for the
pyannote sample and the eight AMI excerpts in shared/data/diarization, with the true speaker count ("oracle")
and the estimated one, each with no collar and with a +/-0.25 s collar (pyannote's collar=0.5). The
baseline is the same engine told there is one speaker: all the speech it finds goes to one label.

Timing: faster-whisper tiny.en (Parley's `WhisperTranscriber`, int8) and `EmbeddingDiarizer` each run on the
same assembled file in their own fresh process, reading it with `iter_audio`; model loading and a warm-up on
a short clip are left out of the timings. Peak RSS is the diarizing process's VmHWM.

`--job` times what the issue's target names, the whole job: `parley process FILE` against `parley process
FILE --diarize` on the assembled file (process start, model loading, recognition with the diarizer in its
thread beside it, analysis), alternating, in fresh processes with a fresh data folder each; it prints every
run and the ratio of the medians, wall clock and CPU time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _media import AMI, DATA, assemble, duration
from _proc import load_average, machine, peak_rss_mb

BENCH = Path(__file__).resolve().parent
PYANNOTE = DATA / "diarization" / "pyannote_sample"
WARM_CLIP = DATA / "asr_short" / "jfk.wav"
LONG_SECONDS = 660.0
HOUR_SECONDS = 3600.0
TARGET_PYANNOTE = 0.10
TARGET_AMI = 0.30
TARGET_OVERHEAD = 0.25
TARGET_RSS_MB = 1536.0


# --- DER ------------------------------------------------------------------------------------------------


def _reference(stem: Path):  # type: ignore[no-untyped-def]
    from pyannote.core import Annotation, Segment

    annotation = Annotation(uri=stem.name)
    for line in stem.with_suffix(".rttm").read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if fields and fields[0] == "SPEAKER":
            start, length = float(fields[3]), float(fields[4])
            annotation[Segment(start, start + length)] = fields[7]
    return annotation


def _uem(stem: Path, seconds: float):  # type: ignore[no-untyped-def]
    from pyannote.core import Segment, Timeline

    path = stem.with_suffix(".uem")
    if not path.is_file():
        return Timeline([Segment(0.0, seconds)])
    rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
    return Timeline([Segment(float(row[2]), float(row[3])) for row in rows])


def _hypothesis(turns):  # type: ignore[no-untyped-def]
    from pyannote.core import Annotation, Segment

    annotation = Annotation()
    for index, turn in enumerate(turns):
        annotation[Segment(turn.start, turn.end), index] = turn.speaker
    return annotation


def der_detail(stem: Path, turns, seconds: float, collar: float = 0.0) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """pyannote.metrics' components: "missed detection", "false alarm", "confusion" (seconds), "total"
    (reference speech, seconds) and "diarization error rate"."""
    from pyannote.metrics.diarization import DiarizationErrorRate

    metric = DiarizationErrorRate(collar=collar, skip_overlap=False)
    return metric(_reference(stem), _hypothesis(turns), uem=_uem(stem, seconds), detailed=True)


def der(stem: Path, turns, seconds: float, collar: float = 0.0) -> float:  # type: ignore[no-untyped-def]
    return float(der_detail(stem, turns, seconds, collar)["diarization error rate"])


def der_table() -> dict[str, float]:
    from parley.speech.audio import iter_audio
    from parley.speech.diarization import EmbeddingDiarizer

    diarizer = EmbeddingDiarizer()
    stems = [PYANNOTE, *sorted(path.with_suffix("") for path in AMI.glob("*.wav"))]
    header = (
        "| file | speakers (est.) | oracle DER | oracle DER c0.25 | est. DER | est. DER c0.25 | "
        "one-speaker DER | one-speaker c0.25 |"
    )
    print(header)
    print("|---" * 8 + "|")
    rows = []
    for stem in stems:
        audio = np.concatenate(list(iter_audio(stem.with_suffix(".wav"))))
        seconds = len(audio) / 16_000
        speakers = len(_reference(stem).labels())
        results = {
            "oracle": diarizer.diarize(audio, num_speakers=speakers),
            "estimated": diarizer.diarize(audio),
            "one": diarizer.diarize(audio, num_speakers=1),
        }
        row = {
            f"{name}{suffix}": der(stem, turns, seconds, collar)
            for name, turns in results.items()
            for suffix, collar in (("", 0.0), ("_c", 0.5))
        }
        found = len({turn.speaker for turn in results["estimated"]})
        rows.append((stem.name, row))
        print(
            f"| {stem.name} | {speakers} ({found}) | {_cells(row)} |",
            flush=True,
        )
    ami = [row for name, row in rows if name != PYANNOTE.name]
    means = {key: float(np.mean([row[key] for row in ami])) for key in ami[0]}
    print(f"| **AMI mean** | | {_cells(means)} |")
    pyannote = rows[0][1]
    print(
        f"\ntargets (no collar): pyannote estimated {_pct(pyannote['estimated'])} "
        f"(<= {_pct(TARGET_PYANNOTE)}: {_verdict(pyannote['estimated'] <= TARGET_PYANNOTE)}); "
        "AMI mean oracle "
        f"{_pct(means['oracle'])} ({_verdict(means['oracle'] <= TARGET_AMI)}), estimated "
        f"{_pct(means['estimated'])} ({_verdict(means['estimated'] <= TARGET_AMI)}) (<= {_pct(TARGET_AMI)})"
    )
    return means


def _cells(row: dict[str, float]) -> str:
    keys = ("oracle", "oracle_c", "estimated", "estimated_c", "one", "one_c")
    return " | ".join(_pct(row[key]) for key in keys)


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def _verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


# --- time and memory, each side in a fresh process -------------------------------------------------------


def child(kind: str, path: Path) -> None:
    """Run in a subprocess: warm up, then time `kind` over `path`; print one JSON line."""
    from parley.speech.audio import iter_audio

    if kind == "asr":
        from parley.speech.transcriber import WhisperTranscriber

        engine = WhisperTranscriber()
        list(engine.transcribe(iter_audio(WARM_CLIP)))
        started = time.perf_counter()
        words = sum(1 for _ in engine.transcribe(iter_audio(path)))
        report = {"seconds": time.perf_counter() - started, "words": words}
    else:
        from parley.speech.diarization import EmbeddingDiarizer

        diarizer = EmbeddingDiarizer()
        diarizer.diarize_blocks(iter_audio(WARM_CLIP))
        started = time.perf_counter()
        turns = diarizer.diarize_blocks(iter_audio(path))
        report = {
            "seconds": time.perf_counter() - started,
            "turns": len(turns),
            "speakers": len({turn.speaker for turn in turns}),
        }
    report["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(report))


def _run_child(kind: str, path: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.splitlines()[-1])


def overhead(path: Path, *, with_asr: bool = True) -> None:
    seconds = duration(path)
    diarization = _run_child("diarize", path)
    line = (
        f"{path.name} ({seconds / 60:.1f} min): diarization {diarization['seconds']:.1f} s "
        f"({seconds / diarization['seconds']:.0f}x real time, {diarization['speakers']} speakers, "
        f"{diarization['turns']} turns, peak RSS {diarization['peak_rss_mb']:.0f} MB"
    )
    if with_asr:
        asr = _run_child("asr", path)
        ratio = diarization["seconds"] / asr["seconds"]
        line += (
            f"); ASR tiny.en {asr['seconds']:.1f} s ({seconds / asr['seconds']:.0f}x real time); "
            f"diarization / ASR = {ratio:.2f} "
            f"(target <= {TARGET_OVERHEAD}: {_verdict(ratio <= TARGET_OVERHEAD)})"
        )
    else:
        line += (
            f"; target <= {TARGET_RSS_MB:.0f} MB: {_verdict(diarization['peak_rss_mb'] <= TARGET_RSS_MB)})"
        )
    print(line, flush=True)


def _timed_job(path: Path, folder: Path, *, diarize: bool) -> tuple[float, float]:
    """Wall and CPU seconds of one `parley process` run in a fresh process and data folder."""
    command = [str(Path(sys.executable).with_name("parley")), "process", str(path)]
    if diarize:
        command.append("--diarize")
    data = Path(tempfile.mkdtemp(prefix="data-", dir=folder))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env={**os.environ, "PARLEY_DATA_DIR": str(data)})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def job_overhead(path: Path, folder: Path, rounds: int) -> None:
    runs: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for number in range(1, rounds + 1):
        for diarize in (False, True):
            wall, cpu = _timed_job(path, folder, diarize=diarize)
            runs[diarize].append((wall, cpu))
            label = "with --diarize" if diarize else "without      "
            print(f"  round {number}, {label}: {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
    wall = {side: statistics.median(run[0] for run in runs[side]) for side in runs}
    cpu = {side: statistics.median(run[1] for run in runs[side]) for side in runs}
    added = wall[True] / wall[False] - 1
    print(
        f"whole job, medians of {rounds}: {wall[False]:.1f} s without, {wall[True]:.1f} s with diarization: "
        f"+{added:.0%} wall (target <= +{TARGET_OVERHEAD:.0%}: {_verdict(added <= TARGET_OVERHEAD)}); "
        f"CPU {cpu[False]:.1f} s -> {cpu[True]:.1f} s (+{cpu[True] / cpu[False] - 1:.0%})",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hour", action="store_true", help="also a 60-minute file (time, peak RSS)")
    parser.add_argument("--der-only", action="store_true", help="the DER table alone")
    parser.add_argument("--hour-asr", action="store_true", help="with --hour, time ASR on it too (~4 min)")
    parser.add_argument("--job", type=int, nargs="?", const=3, metavar="ROUNDS", help="whole jobs")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    print(f"machine: {machine()}; load average before: {load_average()}\n")
    der_table()
    if args.der_only:
        return
    with tempfile.TemporaryDirectory(prefix="parley-bench-diar-") as folder:
        print(f"\nassembling an {LONG_SECONDS / 60:g}-minute file of real speech ...", flush=True)
        long_file = assemble(Path(folder) / "long.wav", LONG_SECONDS)
        overhead(long_file)
        if args.job:
            print(f"whole `parley process` jobs on {long_file.name}, {args.job} rounds:", flush=True)
            job_overhead(long_file, Path(folder), args.job)
        if args.hour:
            print(f"assembling a {HOUR_SECONDS / 60:g}-minute file ...", flush=True)
            overhead(assemble(Path(folder) / "hour.wav", HOUR_SECONDS), with_asr=args.hour_asr)
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
