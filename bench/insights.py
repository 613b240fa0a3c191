"""Questions and action items against human labels on real meetings: `.venv/bin/python bench/insights.py`.

Questions (AMI ES2002d, 1,362 dialogue acts): one utterance per dialogue act; gold = its AMI label is an
elicitation (el.inf, el.ass, el.sug, el.und); predicted = Parley reports a question (score >= 0.5) on it.
Run as transcribed (AMI's punctuation kept), with all punctuation removed (form only, like unpunctuated
ASR), and the baseline "ends with ?". Unpunctuated text is also measured on the four QMSum transcripts,
where the turns a transcriber marked with "?" stand in for labels (see `unpunctuated_qmsum_row`).

Action items, three label sets:
1. bench/labels (made for this; see ACTION_ITEMS.md there): 230 action items in 32 meetings (five AMI
   meetings from DialogStudio; QMSum's ES2004a, Bed003 and education_4; sixteen more QMSum AMI meetings
   and eight ICSI and parliamentary-committee meetings in bench/data/qmsum), labelled from the transcript
   alone by sessions that never saw Parley; 17 development meetings whose errors may be read, 3 + 8 + 4
   held-out (the first, second and third set). Also measured with all punctuation removed (as from an
   ASR engine that writes none), where run-on sentences are read clause by clause.
   Matching in bench/_action_labels.py: an action (a run of utterances) is found when an action item or
   follow-up >= the threshold lies on one of its utterances; a reported utterance is right when it lies in
   an action; borderline labels count for neither.
2. AMI ES2002d dialogue acts: gold = Offer ("off": the speaker commits to an action) or Suggest ("sug",
   "el.sug": an action proposed for others or the group); predicted = an action item or follow-up >= 0.5.
   Most of these are proposals and acts of the moment ("Let's go with five then"), not action items.
3. AMI hand-written action summaries (DialogStudio, 4 meetings with actions: 9 lines such as "The project
   manager will add the minutes into the project folder."): a summary line is found when some detected
   item of that meeting has MiniLM cosine similarity >= SIMILAR with it (recall); a detected item is correct
   when it is that similar to some summary line of its meeting (precision). Summaries keep only the main
   actions, so this precision is a lower bound. Reported at several confidenceThreshold values.
With PARLEY_LLM_BASE_URL (+ _MODEL, _API_KEY) set, sets 1 and 3 are measured a second time with the action
items written by that model (intel/llm_actions.py); without it those rows say they were not measured.
AMI markup (<vocalsound>, <disfmarker>) is removed and " ," / " ?" are closed up before analysis.
"""

from __future__ import annotations

import json
import operator
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import reduce
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _action_labels import (
    DEVELOPMENT,
    HELD_OUT,
    QMSUM_LABELLED,
    SECOND_HELD_OUT,
    THIRD_HELD_OUT,
    Counts,
    count,
    load_labels,
)
from parley.config import Settings
from parley.intel.embedder import embed
from parley.intel.insights import find_insights
from parley.intel.language import parse_all
from parley.intel.llm_actions import action_items_with_llm
from parley.intel.model import AnalysisContext, Insight, LLMEndpoint, Utterance
from parley.pipeline.analyze import llm_endpoint

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "meeting_text"
MORE_QMSUM = Path(__file__).resolve().parent / "data" / "qmsum"  # see SOURCES.md there
SIMILAR = 0.5
SUMMARY_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
LABEL_THRESHOLDS = (0.5, 0.7)
ACTION_ACTS = {"off", "sug", "el.sug"}
ACTION_TYPES = {"action_item", "follow_up"}
CONTEXT = AnalysisContext(conversation_start=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


def clean(text: str) -> str:
    text = re.sub(r"<[^>]+>|\{[^}]*\}", " ", text)
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
    """Every message an insight of these kinds lies on (a volunteered action item lies on two)."""
    return {message for item in insights if item.type in kinds for message in item.messageIds}


def dialogue_acts() -> tuple[list[Utterance], dict[str, str]]:
    acts = json.loads((DATA / "dialogstudio_ami_ES2002d_dialog_acts.json").read_text())
    utterances = utterances_of([(act["speaker"], clean(act["text"])) for act in acts])
    labels = {f"u{i}": act["label"] for i, act in enumerate(acts)}
    return utterances, labels


def question_rows(
    utterances: list[Utterance], labels: dict[str, str]
) -> list[tuple[str, float, float, float]]:
    gold = {key for key in (u.id for u in utterances) if labels[key].startswith("el.")}
    rows = []
    for name, texts in (("as transcribed", utterances), ("punctuation removed", _unmarked(utterances))):
        found = by_message(find_insights(texts, CONTEXT)[0], {"question"})
        rows.append((name, *prf(len(found & gold), len(found), len(gold))))
    marked = {u.id for u in utterances if u.text.endswith("?")}
    rows.append(('baseline: ends with "?"', *prf(len(marked & gold), len(marked), len(gold))))
    return rows


def unpunctuated_qmsum_row() -> tuple[float, float, float]:
    """Questions in unpunctuated text, on meetings the rules were not read on: in the four QMSum
    transcripts a turn counts as asking when its transcriber wrote a "?"; Parley reads the turns with all
    punctuation removed and is right when it finds a question in such a turn (turn level: a turn is
    often several sentences, which unpunctuated text no longer separates)."""
    true_positive = predicted = gold = 0
    for path in sorted(DATA.glob("qmsum_test_*.json")):
        turns = json.loads(path.read_text())["meeting_transcripts"]
        utterances = utterances_of([(turn["speaker"], clean(turn["content"])) for turn in turns])
        asking = {u.id for u in utterances if "?" in u.text}
        found = by_message(find_insights(_unmarked(utterances), CONTEXT)[0], {"question"})
        true_positive, predicted = true_positive + len(found & asking), predicted + len(found)
        gold += len(asking)
    return prf(true_positive, predicted, gold)


def _unmarked(utterances: list[Utterance]) -> list[Utterance]:
    return [replace(u, text=re.sub(r"[.,?!]", "", u.text).strip() or "uh") for u in utterances]


def action_acts(utterances: list[Utterance], labels: dict[str, str]) -> tuple[float, float, float]:
    gold = {u.id for u in utterances if labels[u.id] in ACTION_ACTS}
    found = by_message(find_insights(utterances, CONTEXT)[0], ACTION_TYPES)
    return prf(len(found & gold), len(found), len(gold))


@dataclass
class DialogStudioMeeting:
    name: str  # AMI's meeting id, "TS3011b"
    utterances: list[Utterance]  # id "u<n>": the n-th line of the dialogue history
    summary_actions: list[str]  # the hand-written action lines (none for ES2002d)
    items: list[Insight]  # action items and follow-ups scored >= 0.5


def dialogstudio_meetings() -> list[DialogStudioMeeting]:
    found = []
    for meeting in json.loads((DATA / "dialogstudio_ami_converted_examples.json").read_text()).values():
        info = meeting["original dialog info"]
        summary = info["abstractive summary"]
        turns = [line.split(" : ", 1) for line in info["dialog history"]]
        utterances = utterances_of([(who, clean(text)) for who, text in turns])
        items = action_items(utterances)
        actions = [s["text"] for s in summary if s["type"] == "actions" and s["text"] != "*NA*"]
        found.append(DialogStudioMeeting(summary[0]["id"].split(".")[0], utterances, actions, items))
    return found


@dataclass
class SummaryMeeting:
    gold: list[str]  # the hand-written action lines
    items: list[Insight]  # action items and follow-ups, >= 0.5
    similarity: np.ndarray  # gold line x item cosine
    sentence_best: np.ndarray  # per gold line, the best cosine with any sentence of the meeting


def summary_meetings(meetings: list[DialogStudioMeeting]) -> list[SummaryMeeting]:
    found = []
    for meeting in meetings:
        gold, items = meeting.summary_actions, meeting.items
        if not gold:
            continue
        sentences = [s.text for doc in parse_all([u.text for u in meeting.utterances]) for s in doc.sents]
        found.append(
            SummaryMeeting(
                gold,
                items,
                embed(gold) @ embed([i.text for i in items]).T,
                (embed(gold) @ embed(sentences).T).max(axis=1),
            )
        )
    return found


def qmsum_utterances(name: str) -> list[Utterance]:
    """A QMSum meeting, one utterance per turn ("u<n>": turn n)."""
    shared = DATA / f"qmsum_test_{name}.json"
    path = shared if shared.exists() else MORE_QMSUM / f"{name}.json"
    turns = json.loads(path.read_text())["meeting_transcripts"]
    return utterances_of([(turn["speaker"], clean(turn["content"])) for turn in turns])


def action_items(utterances: list[Utterance]) -> list[Insight]:
    """Action items and follow-ups scored >= 0.5 (Parley's floor; the thresholds above it filter these)."""
    return [i for i in find_insights(utterances, CONTEXT)[0] if i.type in ACTION_TYPES]


def labelled_rows(items: dict[str, list[Insight]], threshold: float) -> list[tuple[str, Counts]]:
    """Counts against bench/labels, per part (development, held-out, all), at one confidenceThreshold."""
    per_meeting = {}
    for name, found in items.items():
        kept = [item for item in found if item.score >= threshold]
        reported = {int(message[1:]) for message in by_message(kept, ACTION_TYPES)}
        per_meeting[name] = count(load_labels(name), reported)
    parts = {
        "development": DEVELOPMENT,
        "held-out, first set": HELD_OUT,
        "held-out, second set": SECOND_HELD_OUT,
        "held-out, third set": THIRD_HELD_OUT,
        "all": DEVELOPMENT + HELD_OUT + SECOND_HELD_OUT + THIRD_HELD_OUT,
    }
    return [
        (part, reduce(operator.add, (per_meeting[name] for name in names))) for part, names in parts.items()
    ]


def action_summaries(meetings: list[SummaryMeeting], threshold: float) -> tuple[float, float, float, int]:
    """The items a client asking confidenceThreshold=threshold gets, against the summary lines."""
    hits = detected = correct = total = 0
    for meeting in meetings:
        kept = [j for j, item in enumerate(meeting.items) if item.score >= threshold]
        total += len(meeting.gold)
        detected += len(kept)
        if kept:
            similarity = meeting.similarity[:, kept]
            hits += int((similarity.max(axis=1) >= SIMILAR).sum())
            correct += int((similarity.max(axis=0) >= SIMILAR).sum())
    precision, recall = correct / detected if detected else 0.0, hits / total
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, detected


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


def print_summary_rows(name: str, summarised: list[SummaryMeeting]) -> None:
    total = sum(len(m.gold) for m in summarised)
    for threshold in SUMMARY_THRESHOLDS:
        precision, recall, f1, detected = action_summaries(summarised, threshold)
        print(
            f"| {name} vs AMI action summaries ({total} lines, confidenceThreshold {threshold}: "
            f"{detected} items, cos >= {SIMILAR}) | {precision:.3f} | {recall:.3f} | {f1:.3f} |"
        )


def print_written_rows(
    endpoint: LLMEndpoint,
    studio: list[DialogStudioMeeting],
    meetings: dict[str, list[Utterance]],
    items: dict[str, list[Insight]],
) -> None:
    """Sets 1 and 3 again, with the action items the model writes in place of the rules' items."""
    context = replace(CONTEXT, llm=endpoint, llm_action_items=True)
    written = {
        meeting: action_items_with_llm(meetings[meeting], context, found) for meeting, found in items.items()
    }
    for part, counts in labelled_rows(written, 0.5):
        print_row(f"action items written by {endpoint.model} vs bench/labels, {part}", counts.scores())
    rewritten = [replace(meeting, items=written[meeting.name]) for meeting in studio]
    print_summary_rows(f"action items written by {endpoint.model}", summary_meetings(rewritten))


def print_row(name: str, scores: Sequence[float]) -> None:
    print(f"| {name} | " + " | ".join(f"{value:.3f}" for value in scores) + " |")


def main() -> None:
    find_insights(utterances_of([("A", "Can you warm up the models?")]), CONTEXT)  # load spaCy first
    name, words, seconds = largest_transcript_seconds()
    utterances, labels = dialogue_acts()
    print("| measure | precision | recall | F1 |\n|---|---|---|---|")
    for row_name, *scores in question_rows(utterances, labels):
        print_row(f"questions, {row_name}", scores)
    print_row('questions, QMSum turns with "?", punctuation removed', unpunctuated_qmsum_row())
    print_row("action items vs AMI off+sug acts (ES2002d)", action_acts(utterances, labels))
    studio = dialogstudio_meetings()
    meetings = {m.name: m.utterances for m in studio} | {
        name: qmsum_utterances(name) for name in QMSUM_LABELLED
    }
    items = {m.name: m.items for m in studio} | {
        name: action_items(meetings[name]) for name in QMSUM_LABELLED
    }
    for threshold in LABEL_THRESHOLDS:
        for part, counts in labelled_rows(items, threshold):
            print_row(
                f"action items vs bench/labels, {part} ({counts.actions} actions, confidenceThreshold "
                f"{threshold}: {counts.reported} utterances)",
                counts.scores(),
            )
    unmarked = {name: action_items(_unmarked(utterances)) for name, utterances in meetings.items()}
    for part, counts in labelled_rows(unmarked, 0.5):
        print_row(
            f"action items vs bench/labels, punctuation removed, {part} ({counts.actions} actions)",
            counts.scores(),
        )
    summarised = summary_meetings(studio)
    print_summary_rows("action items", summarised)
    endpoint = llm_endpoint(Settings())
    if endpoint is None:
        print("| action items written by an LLM: not measured (PARLEY_LLM_BASE_URL is not set) | | | |")
    else:
        print_written_rows(endpoint, studio, meetings, items)
    reachable = sum(int((m.sentence_best >= SIMILAR).sum()) for m in summarised)
    total = sum(len(m.gold) for m in summarised)
    print(f"\nsummary lines with some sentence of their meeting at cos >= {SIMILAR}: {reachable} of {total}")
    print(f"\nlargest transcript: {name}, {words} words: find_insights {seconds:.2f} s (cold parse)")


if __name__ == "__main__":
    main()
