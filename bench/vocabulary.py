"""Custom vocabulary on real speech: Whisper's own biasing against correcting afterwards.

Methods, all on the bundled Whisper tiny.en (int8, CPU) unless --model says otherwise:
  bare            faster-whisper `transcribe(audio, word_timestamps=True)`, no vocabulary
  hotwords        the same with `hotwords=", ".join(terms)`
  initial_prompt  the same with `initial_prompt=", ".join(terms)`
  parley          `WhisperTranscriber.transcribe` (10-minute windows), no vocabulary
  parley+vocab    the same with `vocabulary=terms` (post-recognition correction)

Audio: real speech from ../shared/data with reference text: jfk.wav, the ten speechbrain Harvard
sentences (canonical text), the pyannote phone call (its STM transcript) and the English half of
faster-whisper's licence reading (MIT licence text; the reader leaves out `(the "Software")`). Each method
runs once on the clips one by one ("clips") and once on a long recording that repeats them with short
pauses ("long"), where Whisper's biasing was seen to drop whole 30 s windows.

Columns: WER over all words; term recall = occurrences of the vocabulary terms in the reference that the
output has; false = term occurrences the output has beyond the reference (distractor terms included);
words = output words / reference words (dropped windows show here); s = wall seconds.

usage: .venv/bin/python bench/vocabulary.py [--repeats 6] [--model PATH]
"""

from __future__ import annotations

import argparse
import csv
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import jiwer
import numpy as np

from parley.speech.audio import SAMPLE_RATE, iter_audio
from parley.speech.transcriber import WhisperTranscriber, load_whisper_model

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
PRESENT_TERMS = [
    "Americans", "Diane", "Sheila", "New Jersey", "Texas", "Chicago", "Yankee", "beep",
    "yellow pad", "canned pears", "sublicense", "copyright", "documentation",
]  # fmt: skip
DISTRACTOR_TERMS = ["Symbl", "Kubernetes", "PyTorch", "Salesforce", "Zendesk", "Parley"]
TERMS = PRESENT_TERMS + DISTRACTOR_TERMS
LICENCE = (
    "Permission is hereby granted, free of charge, to any person obtaining a copy of this software and "
    "associated documentation files, to deal in the software without restriction, including without "
    "limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and or sell "
    "copies of the software, and to permit persons to whom the software is furnished to do so, subject "
    "to the following conditions: The above copyright notice and this permission notice shall be "
    "included in all copies or substantial portions of the software."
)
LICENCE_SECONDS = 30.0  # English ends at 29.1 s, German starts at 31.0 s
PAUSE = np.zeros(SAMPLE_RATE // 2, np.float32)

Method = Callable[[np.ndarray], str]


@dataclass
class Clip:
    audio: np.ndarray
    reference: str


def load_clips() -> list[Clip]:
    def audio(path: Path, seconds: float | None = None) -> np.ndarray:
        samples = np.concatenate(list(iter_audio(path)))
        return samples if seconds is None else samples[: round(seconds * SAMPLE_RATE)]

    short = DATA / "asr_short"
    clips = [Clip(audio(short / "jfk.wav"), (short / "jfk.txt").read_text())]
    with (short / "speechbrain_refs.tsv").open() as refs:
        for row in csv.DictReader(refs, delimiter="\t"):
            clips.append(Clip(audio(short / row["file"]), row["harvard_sentence_canonical_unverified"]))
    call = DATA / "diarization"
    stm = (call / "pyannote_sample.stm").read_text().splitlines()
    clips.append(Clip(audio(call / "pyannote_sample.wav"), " ".join(line.split(" ", 5)[5] for line in stm)))
    clips.append(Clip(audio(short / "fw_multilingual.mp3", LICENCE_SECONDS), LICENCE))
    return clips


def methods(model: str | None) -> dict[str, Method]:
    whisper = load_whisper_model(model)
    transcriber = WhisperTranscriber(model)
    prompt = ", ".join(TERMS)

    def bare(**options: str) -> Method:
        def run(audio: np.ndarray) -> str:
            segments, _ = whisper.transcribe(audio, word_timestamps=True, **options)
            return " ".join(w.word.strip() for s in segments for w in s.words or ())

        return run

    def parley(vocabulary: Sequence[str]) -> Method:
        return lambda audio: " ".join(w.text for w in transcriber.transcribe([audio], vocabulary=vocabulary))

    return {
        "bare": bare(),
        "hotwords": bare(hotwords=prompt),
        "initial_prompt": bare(initial_prompt=prompt),
        "parley": parley(()),
        "parley+vocab": parley(TERMS),
    }


def tokens(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", "")).split()


def count(term: str, words: list[str]) -> int:
    wanted = tokens(term)
    return sum(words[i : i + len(wanted)] == wanted for i in range(len(words) - len(wanted) + 1))


def score(reference: str, hypothesis: str) -> dict[str, float]:
    ref, hyp = tokens(reference), tokens(hypothesis)
    in_ref = {t: count(t, ref) for t in TERMS}
    in_hyp = {t: count(t, hyp) for t in TERMS}
    return {
        "wer": jiwer.wer(" ".join(ref), " ".join(hyp) or "<empty>"),
        "recall": sum(min(in_hyp[t], in_ref[t]) for t in TERMS) / max(sum(in_ref.values()), 1),
        "false": sum(max(in_hyp[t] - in_ref[t], 0) for t in TERMS),
        "words": len(hyp) / len(ref),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=6, help="copies of the clips in the long recording")
    parser.add_argument("--model", help="Whisper model path or name (default: bundled tiny.en)")
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"real speech data not found at {DATA.resolve()}")

    clips = load_clips()
    long_audio = np.concatenate([part for clip in clips for part in (clip.audio, PAUSE)] * args.repeats)
    long_reference = " ".join([clip.reference for clip in clips] * args.repeats)
    clip_seconds = sum(len(c.audio) for c in clips) / SAMPLE_RATE
    long_minutes = len(long_audio) / SAMPLE_RATE / 60
    print(f"{len(clips)} clips, {clip_seconds:.0f} s; long recording {long_minutes:.1f} min")
    print(f"terms: {', '.join(PRESENT_TERMS)}; distractors: {', '.join(DISTRACTOR_TERMS)}")
    print(f"{'method':<15}| {'clips: WER':>10} {'recall':>6} {'false':>5} "
          f"| {'long: WER':>9} {'recall':>6} {'false':>5} {'words':>5} {'s':>5}")  # fmt: skip
    long_counts: dict[str, dict[str, int]] = {
        "reference": {t: count(t, tokens(long_reference)) for t in TERMS}
    }
    for name, run in methods(args.model).items():
        on_clips = score(" ".join(c.reference for c in clips), " ".join(run(c.audio) for c in clips))
        started = time.perf_counter()
        long_text = run(long_audio)
        seconds = time.perf_counter() - started
        on_long = score(long_reference, long_text)
        long_counts[name] = {t: count(t, tokens(long_text)) for t in TERMS}
        print(f"{name:<15}| {on_clips['wer']:>10.3f} {on_clips['recall']:>6.2f} {on_clips['false']:>5.0f} "
              f"| {on_long['wer']:>9.3f} {on_long['recall']:>6.2f} {on_long['false']:>5.0f} "
              f"{on_long['words']:>5.2f} {seconds:>5.0f}")  # fmt: skip

    print("\noccurrences of each term in the long recording")
    print(f"{'term':<15}" + "".join(f"{name:>15}" for name in long_counts))
    for term in TERMS:
        print(f"{term:<15}" + "".join(f"{counts[term]:>15}" for counts in long_counts.values()))


if __name__ == "__main__":
    main()
