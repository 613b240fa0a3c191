"""Questions and action items against human labels on real meetings: `.venv/bin/python bench/insights.py`.

Questions (AMI ES2002d, 1,362 dialogue acts): one utterance per dialogue act; gold = its AMI label is an
elicitation (el.inf, el.ass, el.sug, el.und); predicted = Parley reports a question (score >= 0.5) on it.
Run as transcribed (AMI's punctuation kept), with all punctuation removed (form only, like unpunctuated
ASR), and the baseline "ends with ?".

Action items, two label sets, neither made for this task, so both are reported:
1. AMI ES2002d dialogue acts: gold = Offer ("off": the speaker commits to an action) or Suggest ("sug",
   "el.sug": an action proposed for others or the group); predicted = an action item or follow-up >= 0.5.
2. AMI hand-written action summaries (DialogStudio, 4 meetings with actions: 9 lines such as "The project
   manager will add the minutes into the project folder."): a summary line is found when some detected
   item of that meeting has MiniLM cosine similarity >= SIMILAR with it (recall); a detected item is correct
   when it is that similar to some summary line of its meeting (precision). Summaries keep only the main
   actions, so this precision is a lower bound.
AMI markup (<vocalsound>, <disfmarker>) is removed and " ," / " ?" are closed up before analysis.
"""

from __future__ import annotations

import json
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from parley.intel.embedder import embed
from parley.intel.insights import find_insights
from parley.intel.model import AnalysisContext, Insight, Utterance

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "meeting_text"
SIMILAR = 0.5
ACTION_ACTS = {"off", "sug", "el.sug"}
CONTEXT = AnalysisContext(conversation_start=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


def clean(text: str) -> str:
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\s+([,.?!])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def utterances_of(turns: list[tuple[str, str]]) -> list[Utterance]:
    return [
        Utterance(id=f"u{i}", text=text, start=float(i), end=float(i) + 1, member_id=speaker, speaker=speaker)
        for i, (speaker, text) in enumerate(turns)
        if text
    ]


def prf(true_positive: int, predicted: int, gold: int) -> tuple[float, float, float]:
    precision = true_positive / predicted if predicted else 0.0
    recall = true_positive / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def by_message(insights: list[Insight], kinds: set[str]) -> set[str]:
    return {item.messageIds[0] for item in insights if item.type in kinds}


def dialogue_acts() -> tuple[list[Utterance], dict[str, str]]:
    acts = json.loads((DATA / "dialogstudio_ami_ES2002d_dialog_acts.json").read_text())
    utterances = utterances_of([(act["speaker"], clean(act["text"])) for act in acts])
    labels = {f"u{i}": act["label"] for i, act in enumerate(acts)}
    return utterances, labels


def question_rows(
    utterances: list[Utterance], labels: dict[str, str]
) -> list[tuple[str, float, float, float]]:
    gold = {key for key in (u.id for u in utterances) if labels[key].startswith("el.")}
    unmarked = [
        Utterance(**{**_fields(u), "text": re.sub(r"[.,?!]", "", u.text).strip() or "uh"}) for u in utterances
    ]
    rows = []
    for name, texts in (("as transcribed", utterances), ("punctuation removed", unmarked)):
        found = by_message(find_insights(texts, CONTEXT)[0], {"question"})
        rows.append((name, *prf(len(found & gold), len(found), len(gold))))
    marked = {u.id for u in utterances if u.text.endswith("?")}
    rows.append(('baseline: ends with "?"', *prf(len(marked & gold), len(marked), len(gold))))
    return rows


def _fields(utterance: Utterance) -> dict[str, object]:
    return {name: getattr(utterance, name) for name in Utterance.__slots__}


def action_acts(utterances: list[Utterance], labels: dict[str, str]) -> tuple[float, float, float]:
    gold = {u.id for u in utterances if labels[u.id] in ACTION_ACTS}
    found = by_message(find_insights(utterances, CONTEXT)[0], {"action_item", "follow_up"})
    return prf(len(found & gold), len(found), len(gold))


def action_summaries() -> tuple[float, float, float, int, int]:
    meetings = json.loads((DATA / "dialogstudio_ami_converted_examples.json").read_text()).values()
    hits = detected = correct = total = 0
    for meeting in meetings:
        info = meeting["original dialog info"]
        gold = [
            s["text"] for s in info["abstractive summary"] if s["type"] == "actions" and s["text"] != "*NA*"
        ]
        if not gold:
            continue
        turns = [line.split(" : ", 1) for line in info["dialog history"]]
        utterances = utterances_of([(who, clean(text)) for who, text in turns])
        items = [
            i.text for i in find_insights(utterances, CONTEXT)[0] if i.type in {"action_item", "follow_up"}
        ]
        similarity = embed(gold) @ embed(items).T if items else None
        total += len(gold)
        detected += len(items)
        if similarity is not None:
            hits += int((similarity.max(axis=1) >= SIMILAR).sum())
            correct += int((similarity.max(axis=0) >= SIMILAR).sum())
    precision, recall = correct / detected if detected else 0.0, hits / total
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, detected, total


def largest_transcript_seconds() -> tuple[str, int, float]:
    """Cold: a fresh parse of every sentence (the spaCy cache has not seen this meeting)."""
    path = max(DATA.glob("qmsum_test_*.json"), key=lambda p: _words(json.loads(p.read_text())))
    meeting = json.loads(path.read_text())
    utterances = utterances_of([(t["speaker"], clean(t["content"])) for t in meeting["meeting_transcripts"]])
    started = time.perf_counter()
    find_insights(utterances, CONTEXT)
    return path.name, _words(meeting), time.perf_counter() - started


def _words(meeting: dict[str, list[dict[str, str]]]) -> int:
    return sum(len(turn["content"].split()) for turn in meeting["meeting_transcripts"])


def main() -> None:
    find_insights(utterances_of([("A", "Can you warm up the models?")]), CONTEXT)  # load spaCy first
    name, words, seconds = largest_transcript_seconds()
    utterances, labels = dialogue_acts()
    print("| measure | precision | recall | F1 |\n|---|---|---|---|")
    for row_name, *scores in question_rows(utterances, labels):
        print(f"| questions, {row_name} | " + " | ".join(f"{value:.3f}" for value in scores) + " |")
    scores = action_acts(utterances, labels)
    print("| action items vs AMI off+sug acts (ES2002d) | " + " | ".join(f"{v:.3f}" for v in scores) + " |")
    precision, recall, f1, detected, total = action_summaries()
    print(
        f"| action items vs AMI action summaries ({total} lines, {detected} items, cos >= {SIMILAR}) "
        f"| {precision:.3f} | {recall:.3f} | {f1:.3f} |"
    )
    print(f"\nlargest transcript: {name}, {words} words: find_insights {seconds:.2f} s (cold parse)")


if __name__ == "__main__":
    main()
