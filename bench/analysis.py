"""How long all analysis of a one-hour meeting transcript takes (target: 10 s on 2 cores).

Usage: .venv/bin/python bench/analysis.py

The transcript is real meeting speech (AMI ES2002d's dialogue acts, then QMSum meetings) cut at about
9,000 words, which is an hour of talk at 150 words a minute; times are spread at that pace. Every stage is
on: insights, topics, entities (generic and custom), 20 trackers and the extractive summary. Model loading
is timed apart from the analysis, since a server pays it once per process.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

from parley.intel import embedder, language
from parley.intel.analyze import analyze
from parley.intel.model import (
    AnalysisContext,
    CustomEntityDefinition,
    TrackerDefinition,
    Utterance,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "meeting_text"
WORDS_PER_HOUR = 9_000
WORDS_PER_SECOND = 150 / 60
TRACKER_TOPICS = [
    "budget",
    "deadline",
    "remote control design",
    "battery",
    "price of the product",
    "marketing",
    "user interface",
    "buttons",
    "speech recognition",
    "colour and fruit",
    "meeting schedule",
    "competitors",
    "manufacturing cost",
    "target group",
    "young people",
    "sales",
    "survey results",
    "ergonomics",
    "technology trends",
    "next steps",
]


def meeting_turns() -> list[tuple[str, str]]:
    """(speaker, text) of real meetings in order, until an hour's worth of words."""
    acts = json.loads((DATA / "dialogstudio_ami_ES2002d_dialog_acts.json").read_text())
    turns = [(act["speaker"], act["text"]) for act in acts]
    for name in ("qmsum_test_ES2004a.json", "qmsum_test_TS3011b.json", "qmsum_test_Bed003.json"):
        meeting = json.loads((DATA / name).read_text())
        turns += [(turn["speaker"], turn["content"]) for turn in meeting["meeting_transcripts"]]
    kept, words = [], 0
    for speaker, text in turns:
        if words >= WORDS_PER_HOUR:
            break
        kept.append((speaker, text))
        words += len(text.split())
    return kept


def utterances(turns: list[tuple[str, str]]) -> list[Utterance]:
    result, clock = [], 0.0
    for index, (speaker, text) in enumerate(turns):
        length = max(0.5, len(text.split()) / WORDS_PER_SECOND)
        result.append(Utterance(id=str(index), text=text, start=clock, end=clock + length, speaker=speaker))
        clock += length + 0.3
    return result


def main() -> None:
    turns = meeting_turns()
    spoken = utterances(turns)
    context = AnalysisContext(
        conversation_start=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        detect_entities=True,
        custom_entities=[CustomEntityDefinition(custom_type="Product", value="remote control")],
        trackers=[
            TrackerDefinition(name=topic, vocabulary=[topic, f"talk about {topic}"])
            for topic in TRACKER_TOPICS
        ],
        summary=True,
    )
    started = time.perf_counter()
    language.nlp()
    embedder.MINILM.embed(["warm up"])
    embedder.MPNET.embed(["warm up"])
    loaded = time.perf_counter() - started

    started = time.perf_counter()
    result = analyze(spoken, context)
    elapsed = time.perf_counter() - started
    words = sum(len(text.split()) for _, text in turns)
    print(f"transcript: {len(spoken)} utterances, {words} words, {spoken[-1].end / 60:.0f} min of talk")
    print(f"model loading (once per process): {loaded:.1f} s")
    print(f"analysis, all stages: {elapsed:.1f} s (target <= 10 s)")
    print(
        f"found: {len(result.insights)} insights, {len(result.topics)} topics, "
        f"{len(result.entities)} entities, {len(result.trackers)} trackers fired, "
        f"{len(result.summary or [])} summary sentences"
    )


if __name__ == "__main__":
    main()
