"""Topics and extractive summaries on real meetings with human labels, and the analysis stages' timing.

Data: the four QMSum test meetings in ../shared/data/meeting_text (AMI ES2004a and TS3011b, ICSI Bed003,
the Welsh parliament committee education_4). Turns are cleaned of QMSum's {disfmarker}-style tags and split
into sentences, as Parley's text jobs split messages.

Summary: ROUGE-1/2/L F1 (rouge-score, Porter stemming) of Parley's extractive summary against the meeting's
"Summarize the whole meeting." answer, and closeness (the mean over the summary's sentences of each one's
best MiniLM cosine with a sentence of that answer), beside two baselines of the same number of sentences:
the first N sentences longer than 5 words, and N random such sentences (mean of 5 seeds). Parley's summary is
measured twice: over the sentences, and with each whole turn as one message (a transcript of long turns).

Topics: QMSum's topic list per meeting (3-6 broad, hand-written topics) against Parley's topics. A reference
topic is found when some Parley topic matches it; precision is the share of Parley topics that match some
reference topic. Two matchings: "emb" = MiniLM cosine >= 0.5 between the two texts; "word" = they share a
content word (Porter stem, stop words left out). Baseline: the same number of most frequent nouns.

Timing: topics + entities + summary + sentiment on the first 800 sentences of the longest meeting and on the
longest meeting whole, with the spaCy and MiniLM caches emptied before each run and the models already
loaded (their load times are reported apart). Median of 3 runs.

usage: .venv/bin/python bench/summaries.py
"""

from __future__ import annotations

import json
import random
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from nltk.stem import PorterStemmer
from rouge_score import rouge_scorer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from parley.intel import embedder, language
from parley.intel.entities import find_entities
from parley.intel.extractive import extractive_summary
from parley.intel.model import AnalysisContext, Utterance
from parley.intel.sentiment import polarity
from parley.intel.topics import find_topics

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "meeting_text"
MEETINGS = ["ES2004a", "TS3011b", "Bed003", "education_4"]
EMBEDDING_MATCH = 0.5
_stem = PorterStemmer().stem


@dataclass
class Meeting:
    name: str
    utterances: list[Utterance]  # one per sentence of a turn
    turns: list[Utterance]  # one per turn, as a transcript with long messages gives them
    topics: list[str]
    summary: str


def load(name: str) -> Meeting:
    raw = json.loads((DATA / f"qmsum_test_{name}.json").read_text())
    utterances, turns = [], []
    for turn_index, turn in enumerate(raw["meeting_transcripts"]):
        text = " ".join(re.sub(r"\{[^}]*\}", " ", turn["content"]).split())
        if text.strip(" .,?!"):
            turns.append(Utterance(str(turn_index), text, float(turn_index), turn_index + 1.0))
        for part, sentence in enumerate(re.split(r"(?<=[.?!])\s+", text)):
            if sentence.strip(" .,?!"):
                start = float(len(utterances) * 3)
                utterances.append(
                    Utterance(f"{turn_index}-{part}", sentence, start, start + 3, speaker=turn["speaker"])
                )
    return Meeting(
        name,
        utterances,
        turns,
        [topic["topic"] for topic in raw["topic_list"]],
        raw["general_query_list"][0]["answer"],
    )


def summary_scores(summary_sentences: list[str], reference: str) -> tuple[float, ...]:
    """ROUGE-1, -2, -L F1, and closeness: the mean over the summary's sentences of each one's best MiniLM
    cosine with a sentence of the reference (whether each sentence says something the reference says)."""
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    scores = scorer.score(reference, " ".join(summary_sentences))
    said = [part for part in re.split(r"(?<=[.!?])\s+", reference) if part.strip()]
    closeness = (embedder.embed(summary_sentences) @ embedder.embed(said).T).max(axis=1).mean()
    return scores["rouge1"].fmeasure, scores["rouge2"].fmeasure, scores["rougeL"].fmeasure, float(closeness)


def baselines(meeting: Meeting, size: int) -> dict[str, tuple[float, ...]]:
    long_ones = [u.text for u in meeting.utterances if len(u.text.split()) > 5]
    randoms = []
    for seed in range(5):
        picked = sorted(random.Random(seed).sample(range(len(long_ones)), size))
        randoms.append(summary_scores([long_ones[i] for i in picked], meeting.summary))
    return {
        "first N": summary_scores(long_ones[:size], meeting.summary),
        "random N": tuple(float(np.mean(column)) for column in zip(*randoms, strict=True)),
    }


def content_stems(text: str) -> set[str]:
    return {
        _stem(w) for w in re.findall(r"[a-z]+", text.lower()) if w not in ENGLISH_STOP_WORDS and len(w) > 2
    }


def topic_scores(found: list[str], reference: list[str]) -> dict[str, tuple[float, float]]:
    similarity = embedder.embed(found) @ embedder.embed(reference).T
    by_embedding = similarity >= EMBEDDING_MATCH
    by_word = np.array([[bool(content_stems(f) & content_stems(r)) for r in reference] for f in found])
    return {
        name: (float(matched.any(axis=0).mean()), float(matched.any(axis=1).mean()))
        for name, matched in (("emb", by_embedding), ("word", by_word))
    }


def frequent_nouns(meeting: Meeting, count: int) -> list[str]:
    nouns: Counter[str] = Counter()
    for doc in language.parse_all([u.text for u in meeting.utterances]):
        nouns.update({t.lemma_.lower() for t in doc if t.pos_ == "NOUN" and not t.is_stop and t.is_alpha})
    return [noun for noun, _ in nouns.most_common(count)]


def timed_analysis(utterances: list[Utterance]) -> dict[str, float]:
    """Seconds per stage with empty caches (models loaded): the work a new conversation costs."""
    language._cache.clear()
    embedder.MINILM.clear_cache()
    context = AnalysisContext(conversation_start=datetime(2026, 1, 1, tzinfo=UTC), detect_entities=True)
    times: dict[str, float] = {}
    started = time.perf_counter()
    language.parse_all([u.text for u in utterances])
    times["spaCy parse (shared)"] = time.perf_counter() - started
    for stage, run in (
        ("topics", lambda: find_topics(utterances)),
        ("entities", lambda: find_entities(utterances, context)),
        ("summary", lambda: extractive_summary(utterances)),
        ("sentiment", lambda: [polarity(u.text) for u in utterances]),
    ):
        started = time.perf_counter()
        run()
        times[stage] = time.perf_counter() - started
    times["total"] = sum(times.values())
    return times


def median_times(utterances: list[Utterance]) -> dict[str, float]:
    runs = [timed_analysis(utterances) for _ in range(3)]
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> None:
    started = time.perf_counter()
    language.nlp()
    spacy_load = time.perf_counter() - started
    started = time.perf_counter()
    embedder.embed(["model warm-up sentence"])
    minilm_load = time.perf_counter() - started
    meetings = [load(name) for name in MEETINGS]

    print("| meeting | sentences | method | sentences out | ROUGE-1 | ROUGE-2 | ROUGE-L | closeness |")
    print("|---|---|---|---|---|---|---|---|")
    totals: dict[str, list[tuple[float, ...]]] = {}
    for meeting in meetings:
        summary = extractive_summary(meeting.utterances)
        size = len(summary)
        rows = {"Parley extractive": summary_scores([s.text for s in summary], meeting.summary)}
        whole_turns = extractive_summary(meeting.turns)
        rows["Parley, whole turns as messages"] = summary_scores(
            [s.text for s in whole_turns], meeting.summary
        )
        rows |= baselines(meeting, size)
        for method, scores in rows.items():
            totals.setdefault(method, []).append(scores)
            row = [meeting.name, str(len(meeting.utterances)), method, str(size)]
            print("| " + " | ".join(row + [f"{value:.3f}" for value in scores]) + " |")
    for method, rows in totals.items():
        means = [f"{float(np.mean(column)):.3f}" for column in zip(*rows, strict=True)]
        print(f"| **mean** | | {method} | | " + " | ".join(means) + " |")

    print(
        "\n| meeting | reference topics | Parley topics | recall emb / word | precision emb / word "
        "| frequent-nouns baseline recall / precision (emb) |"
    )
    print("|---|---|---|---|---|---|")
    for meeting in meetings:
        found = [topic.text for topic in find_topics(meeting.utterances)]
        ours = topic_scores(found, meeting.topics)
        nouns = topic_scores(frequent_nouns(meeting, len(found)), meeting.topics)
        recall = f"{ours['emb'][0]:.2f} / {ours['word'][0]:.2f}"
        precision = f"{ours['emb'][1]:.2f} / {ours['word'][1]:.2f}"
        baseline = f"{nouns['emb'][0]:.2f} / {nouns['emb'][1]:.2f}"
        print(
            f"| {meeting.name} | {len(meeting.topics)} | {len(found)} | {recall} | {precision} | {baseline} |"
        )
        print(f"<!-- {meeting.name} topics: {', '.join(found)} -->")

    longest = max(meetings, key=lambda meeting: len(meeting.utterances))
    print(f"\nmodel loads: spaCy {spacy_load:.1f} s, MiniLM {minilm_load:.1f} s")
    for label, utterances in (
        (f"{longest.name}, first 800 sentences", longest.utterances[:800]),
        (f"{longest.name}, all {len(longest.utterances)} sentences", longest.utterances),
    ):
        times = median_times(utterances)
        print(f"{label}: " + ", ".join(f"{key} {value:.2f} s" for key, value in times.items()))


if __name__ == "__main__":
    main()
