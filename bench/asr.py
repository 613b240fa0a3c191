"""ASR benchmark: a Parley job end to end against bare faster-whisper on the same files and model.

    .venv/bin/python bench/asr.py            # jfk (11 s), fw_multilingual (60 s), an assembled 11-minute file
    .venv/bin/python bench/asr.py --hour     # ... and an assembled 60-minute file (peak memory)
    .venv/bin/python bench/asr.py --quick    # smoke run: the two short files once, docs left alone
    .venv/bin/python bench/asr.py --files jfk long path/to/own.mp3 --repeat 3

Each measurement runs in fresh processes: bare faster-whisper in a subprocess (bench/_bare.py), Parley as a
real `parley serve` with an empty data folder, driven over HTTP. Both are warmed with the same 2 s clip first,
so model load and first-call costs are left out of the timings. A full run (no --quick/--files) rewrites the
"ASR" section of docs/BENCHMARKS.md and leaves any other section alone.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from _media import ASR_SHORT, MULTILINGUAL_ENGLISH_SECONDS, assemble, duration
from _parley import ParleyServer
from _proc import load_average, machine
from _report import (
    DOC,
    TARGET_WER_POINTS,
    Extras,
    Result,
    Run,
    normalise,
    section,
    wer,
    write_doc,
)

BENCH = Path(__file__).resolve().parent
WARM_CLIP = ASR_SHORT / "sb_spk1_snt1.wav"

LONG_SECONDS = 660.0  # over Parley's 10-minute window, so one window boundary is exercised
HOUR_SECONDS = 3600.0
SHORT_FILE_SECONDS = 120.0  # files under this get 3 repeats by default, longer ones 1


# Targets from the brief; the ratio and speed targets apply to files of a minute or more.
def speechbrain_references() -> dict[str, str]:
    with (ASR_SHORT / "speechbrain_refs.tsv").open(newline="") as table:
        return {row["file"]: row["text"] for row in csv.DictReader(table, delimiter="\t")}


def multilingual_reference() -> str:
    # Whisper tiny's own output from faster-whisper's tests, English half only (tiny.en cannot do German).
    for line in (ASR_SHORT / "fw_multilingual_expected.txt").read_text().splitlines():
        if line.startswith("[en] "):
            return line.removeprefix("[en] ")
    raise ValueError("fw_multilingual_expected.txt has no [en] line")


# --- measuring ------------------------------------------------------------------------------------------


def run_bare(files: Sequence[Path], extras: Extras) -> list[Run]:
    """Bare faster-whisper in a fresh process over `files`; each run carries the process's peak RSS."""
    done = subprocess.run(
        [sys.executable, str(BENCH / "_bare.py"), str(WARM_CLIP), *map(str, files)],
        check=True,
        capture_output=True,
        text=True,
    )
    report = json.loads(done.stdout.splitlines()[-1])
    extras.bare_load.append(report["load_seconds"])
    extras.bare_warm.append(report["warm_seconds"])
    return [
        Run(
            seconds=item["seconds"],
            cpu_seconds=item["cpu_seconds"],
            other_cores=item["other_cpu_seconds"] / item["seconds"],
            peak_rss_mb=report["peak_rss_mb"],
            text=item["text"],
            fallbacks=item["fallback_segments"],
        )
        for item in report["files"]
    ]


def run_parley(files: Sequence[Path], folder: Path, extras: Extras, *, cost_polls: bool = False) -> list[Run]:
    """A fresh `parley serve`, warmed with one tiny job, then one job per file in turn; `cost_polls` then
    measures what one status poll costs the server."""
    folder.mkdir()
    try:
        with ParleyServer(folder) as server:
            extras.parley_warm.append(server.run_job(WARM_CLIP).seconds)
            jobs = [server.run_job(path) for path in files]
            peak = server.peak_rss_mb()
            if cost_polls:
                extras.poll_cpu_ms = server.status_poll_cpu_ms()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return [
        Run(
            seconds=job.seconds,
            cpu_seconds=job.cpu_seconds,
            other_cores=job.other_cpu_seconds / job.seconds,
            peak_rss_mb=peak,
            text=job.text,
        )
        for job in jobs
    ]


def measure(result: Result, repeats: int, first: int, tmp: Path, extras: Extras) -> None:
    """`repeats` pairs of runs, bare first when `first` (then alternately) is even: the order flips every
    pair and from file to file, so neither side always runs second, on caches the other has warmed."""
    for index in range(repeats):
        bare_first = (first + index) % 2 == 0
        order = ("bare", "parley") if bare_first else ("parley", "bare")
        for side in order:
            if side == "bare":
                result.bare.extend(run_bare([result.path], extras))
            else:
                result.parley.extend(run_parley([result.path], tmp / f"server-{result.name}-{index}", extras))
        result.orders.append(" then ".join(order))
        bare, parley = result.bare[-1], result.parley[-1]
        print(
            f"  {result.name} #{index + 1} ({result.orders[-1]}): bare {_describe(bare)} | Parley "
            f"{_describe(parley)} | ratio {parley.seconds / bare.seconds:.3f}",
            flush=True,
        )


def _describe(run: Run) -> str:
    fallbacks = "" if run.fallbacks is None else f", {run.fallbacks} fallback segments"
    return (
        f"{run.seconds:.2f} s (cpu {run.cpu_seconds:.1f} s, others {run.other_cores:.2f} cores, "
        f"peak {run.peak_rss_mb:.0f} MB{fallbacks})"
    )


def measure_wer_set(tmp: Path, extras: Extras) -> None:
    """jfk plus the ten speechbrain sentences: one bare process and one Parley server over all of them."""
    references = {"jfk.wav": (ASR_SHORT / "jfk.txt").read_text().strip(), **speechbrain_references()}
    files = [ASR_SHORT / name for name in references]
    bare = run_bare(files, extras)
    parley = run_parley(files, tmp / "server-wer-set", extras, cost_polls=True)
    refs = list(references.values())
    bare_wer = wer(refs, [run.text for run in bare])
    parley_wer = wer(refs, [run.text for run in parley])
    words = sum(len(normalise(ref).split()) for ref in refs)
    delta = 100 * (parley_wer - bare_wer)
    verdict = "meets" if delta <= TARGET_WER_POINTS else "MISSES"
    extras.wer_line = (
        f"WER over all of asr_short ({len(files)} files, {words} reference words: jfk + 10 speechbrain, "
        f"speechbrain `text` column): bare {100 * bare_wer:.1f} %, Parley {100 * parley_wer:.1f} % "
        f"({delta:+.1f} pt; target <= +{TARGET_WER_POINTS} pt: {verdict})"
    )
    changed = [
        f.name for f, b, p in zip(files, bare, parley, strict=True) if normalise(b.text) != normalise(p.text)
    ]
    if changed:
        extras.wer_line += f"; texts differ on {', '.join(changed)}"
    print(extras.wer_line, flush=True)


# --- files ----------------------------------------------------------------------------------------------


def resolve_files(names: Sequence[str], tmp: Path, long_format: str) -> list[Result]:
    results = []
    for name in names:
        reference: str | None = None
        note = ""
        if name == "jfk":
            path = ASR_SHORT / "jfk.wav"
            reference = (ASR_SHORT / "jfk.txt").read_text().strip()
        elif name == "fw_multilingual":
            path = ASR_SHORT / "fw_multilingual.mp3"
            reference = multilingual_reference()
            note = (
                "reference = the English half of fw_multilingual_expected.txt, itself Whisper tiny output "
                f"(not a human transcript); the German half after {MULTILINGUAL_ENGLISH_SECONDS:g} s has no "
                "reference, so any words tiny.en writes there count as insertions"
            )
        elif name in ("long", "hour"):
            seconds = LONG_SECONDS if name == "long" else HOUR_SECONDS
            print(f"assembling the {name} file ({seconds / 60:g}+ min) ...", flush=True)
            path = assemble(tmp / f"{name}.{long_format}", seconds)
            note = (
                "assembled by cycling real speech (8 AMI meeting excerpts, pyannote sample, jfk, 10 "
                "speechbrain sentences, fw_multilingual's English half) with 0.4 s gaps, "
                f"{long_format} 16 kHz mono; no reference text, so only Parley's difference from bare shows"
            )
        else:
            path = Path(name).resolve()
            text = path.with_suffix(".txt")
            reference = text.read_text().strip() if text.is_file() else None
            name = path.name
        results.append(
            Result(name=name, path=path, audio_seconds=duration(path), reference=reference, note=note)
        )
    return results


# --- main -----------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--files",
        nargs="+",
        metavar="FILE",
        help="jfk, fw_multilingual, long (11 min assembled), hour (60 min assembled) or paths to audio files "
        "(a sibling .txt is taken as the reference); default: jfk fw_multilingual long",
    )
    parser.add_argument("--hour", action="store_true", help="also run the assembled 60-minute file")
    parser.add_argument("--quick", action="store_true", help="smoke run: jfk and fw_multilingual once each")
    parser.add_argument(
        "--repeat",
        type=int,
        help=f"pairs of runs per file (default: 3 under {SHORT_FILE_SECONDS:g} s, else 1)",
    )
    parser.add_argument(
        "--long-format", choices=("mp3", "wav"), default="mp3", help="for the assembled files"
    )
    parser.add_argument(
        "--docs",
        action=argparse.BooleanOptionalAction,
        help="rewrite the ASR section of docs/BENCHMARKS.md (default: only for full runs)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> None:
    args = parse_args(argv)
    names = args.files or (["jfk", "fw_multilingual"] if args.quick else ["jfk", "fw_multilingual", "long"])
    if args.hour and "hour" not in names:
        names = [*names, "hour"]
    write_docs = args.docs if args.docs is not None else not (args.quick or args.files)
    info = machine()
    extras = Extras(load_before=load_average())
    print(
        f"{info['cpu']}, {info['cores']} cores, {info['ram']}; load average {extras.load_before}", flush=True
    )

    with tempfile.TemporaryDirectory(prefix="parley-bench-") as folder:
        tmp = Path(folder)
        results = resolve_files(names, tmp, args.long_format)
        for index, result in enumerate(results):
            repeats = args.repeat or (1 if args.quick or result.audio_seconds >= SHORT_FILE_SECONDS else 3)
            print(
                f"{result.name}: {result.audio_seconds:.1f} s of audio, {repeats} pair(s) of runs", flush=True
            )
            measure(result, repeats, index, tmp, extras)
        measure_wer_set(tmp, extras)
    extras.load_after = load_average()

    command = " ".join([".venv/bin/python bench/asr.py", *argv])
    text = section(results, extras, command, info)
    print()
    print(text)
    if write_docs:
        write_doc(text)
        print(f"wrote {DOC.relative_to(BENCH.parent)}")
    else:
        print("docs/BENCHMARKS.md left alone (smoke or partial run; pass --docs to write it)")


if __name__ == "__main__":
    main(sys.argv[1:])
