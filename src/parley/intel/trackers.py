"""Tracker detection: where each tracker's vocabulary is said, word for word or in other words.

A phrase found verbatim (case and punctuation ignored, simple inflections allowed: "wear mask" finds
"Wearing masks") gives a message reference with the character `offset` of the match. Otherwise a message
whose meaning is close enough to the tracker gives a reference with `offset: -1` (Symbl's "similar"
match). Closeness is the cosine of sentence embeddings, scored against both the best single phrase and
the tracker's centroid (the mean of its phrases: several examples say more about a meaning than one),
and taken over the whole message and, for long messages, its clauses and word windows, so one on-topic
clause inside a long turn still counts. MiniLM scores all of these; each message's best short text, when
MiniLM finds it near some tracker, is scored again by mpnet, which tells a paraphrase from talk on the
same subject far better (`embedder`), and mpnet's score decides.

A message is matched to a tracker by meaning only when its score clears a floor AND leads every other
tracker's score on that message by a margin: most false alarms are neighbouring trackers (Budget and
Pricing, Urgency and Bad Timing), so a message close to two trackers is evidence for neither. A tracker
detected alone has no neighbours to compare with and needs the higher absolute threshold instead.

Floor and margin were calibrated on half of tests/data/tracker_paraphrases.json; bench/trackers.py reports
precision and recall on the whole set, each half and a held-out set (docs/BENCHMARKS.md, "Trackers").
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import numpy as np

from parley.intel.embedder import MINILM, MPNET
from parley.intel.model import MessageRef, TrackerDefinition, TrackerHit, TrackerMatch, Utterance

# calibrated (bench/trackers.py --calibrate); see the module docstring
CANDIDATE_FLOOR = 0.28  # MiniLM score a unit needs for mpnet to score it
SIMILARITY_FLOOR = 0.39  # a tracker's score on the message must reach this ...
LEAD_MARGIN = 0.02  # ... and beat every other tracker's score on the message by this much
LONE_TRACKER_THRESHOLD = 0.51  # with a single tracker there is no lead to measure
LONG_MESSAGE_WORDS = 18  # longer messages are also scored by clause and by word window
WINDOW_WORDS, WINDOW_STRIDE = 10, 6
_TRACKER_NAMESPACE = uuid.UUID("6f1c3c2e-5a43-4f0e-9d8a-2b7f4c1e8a90")

_WORD = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)?")
_CLAUSE_BREAK = re.compile(r"[,;:!?.]+\s+|\s+(?:but|and|so|because|although)\s+", re.IGNORECASE)


def tracker_id(name: str, scope: str = "") -> str:
    """A stable id for a tracker given inline (by name) rather than by a managed tracker's id."""
    return str(uuid.uuid5(_TRACKER_NAMESPACE, f"{scope}\x00{name}"))


def find_trackers(utterances: list[Utterance], trackers: list[TrackerDefinition]) -> list[TrackerHit]:
    """Trackers with at least one match, in the order given; matches in vocabulary order."""
    trackers = [tracker for tracker in trackers if tracker.vocabulary]
    if not utterances or not trackers:
        return []
    verbatim = [_verbatim_refs(utterances, tracker) for tracker in trackers]
    similar = _similar_matches(utterances, trackers)
    hits = []
    for index, tracker in enumerate(trackers):
        matches = _grouped(tracker, utterances, verbatim[index], similar.get(index, {}))
        if matches:
            hits.append(
                TrackerHit(id=tracker.id or tracker_id(tracker.name), name=tracker.name, matches=matches)
            )
    return hits


# --- verbatim -------------------------------------------------------------------------------------------


def phrase_pattern(phrase: str) -> re.Pattern[str] | None:
    """Words in order, anything but letters and digits between them, each word with simple inflections."""
    words = _WORD.findall(phrase)
    if not words:
        return None
    body = r"[^A-Za-z0-9]+".join(_inflected(word) for word in words)
    return re.compile(rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])", re.IGNORECASE)


def _inflected(word: str) -> str:
    word = word.replace("\u2019", "'")
    if "'" in word:  # contractions stay as they are, whichever apostrophe is typed
        return re.escape(word).replace("'", "['\u2019]")
    lower = word.lower()
    stem = lower
    for suffix in ("ing", "ed", "es", "s"):
        if lower.endswith(suffix) and len(lower) - len(suffix) >= 3:
            stem = lower[: -len(suffix)]
            break
    if len(stem) < 3:
        return re.escape(word)
    if stem.endswith("e"):
        return rf"(?:{re.escape(stem)}(?:s|d)?|{re.escape(stem[:-1])}(?:ing|ed))"
    # "stop" -> "stopped"/"stopping": the final consonant may double
    return rf"{re.escape(stem)}(?:{re.escape(stem[-1])}?(?:ing|ed)|s|es)?"


def _verbatim_refs(utterances: list[Utterance], tracker: TrackerDefinition) -> dict[str, dict[str, int]]:
    """phrase -> {message id: offset of the first occurrence}."""
    found: dict[str, dict[str, int]] = {}
    for phrase in tracker.vocabulary:
        pattern = phrase_pattern(phrase)
        if pattern is None:
            continue
        for utterance in utterances:
            match = pattern.search(utterance.text)
            if match is not None:
                found.setdefault(phrase, {})[utterance.id] = match.start()
    return found


# --- by meaning -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Units:
    """Texts to embed (messages, then clauses and windows of long ones) and the message each belongs to."""

    texts: list[str]
    owner: np.ndarray  # message index per text, ascending


def message_units(utterances: list[Utterance]) -> _Units:
    texts: list[str] = []
    owners: list[int] = []
    for index, utterance in enumerate(utterances):
        pieces = [utterance.text.strip(), *_sub_sentence_pieces(utterance.text)]
        for piece in dict.fromkeys(piece for piece in pieces if piece):
            texts.append(piece)
            owners.append(index)
    return _Units(texts, np.asarray(owners, dtype=np.int64))


def _sub_sentence_pieces(text: str) -> list[str]:
    """Clauses of a long message, and word windows over any clause that is still long.

    Windows only where clauses do not break a message up: each extra piece is one more embedding.
    """
    if len(text.split()) <= LONG_MESSAGE_WORDS:
        return []
    pieces = []
    for clause in _CLAUSE_BREAK.split(text):
        words = clause.split()
        if len(words) < 3:
            continue
        if len(words) <= LONG_MESSAGE_WORDS:
            pieces.append(clause.strip())
            continue
        last = max(len(words) - WINDOW_WORDS, 0)
        starts = [*range(0, last, WINDOW_STRIDE), last]
        pieces += [" ".join(words[start : start + WINDOW_WORDS]) for start in starts]
    return pieces


def tracker_scores(
    utterances: list[Utterance], trackers: list[TrackerDefinition]
) -> tuple[np.ndarray, list[list[int]]]:
    """Per message and vocabulary phrase (all trackers' phrases side by side): the similarity score.

    MiniLM scores every unit; each message's best unit of at most LONG_MESSAGE_WORDS words, when it reaches
    CANDIDATE_FLOOR for some tracker, is scored again by mpnet, and the message takes mpnet's scores (-1
    for the other messages). Returns the (messages x phrases) matrix and, per tracker, the columns of its
    phrases.
    """
    phrases = [phrase for tracker in trackers for phrase in tracker.vocabulary]
    columns, start = [], 0
    for tracker in trackers:
        columns.append(list(range(start, start + len(tracker.vocabulary))))
        start += len(tracker.vocabulary)
    units = message_units(utterances)
    first_pass = _unit_scores(MINILM.embed(units.texts), MINILM.embed(phrases), columns).max(axis=1)
    # mpnet's cost grows with length: a long message is read again through its best clause or window
    first_pass[[len(text.split()) > LONG_MESSAGE_WORDS for text in units.texts]] = -1.0
    # each message's best unit: sorted by message, then by score, the last row of each message
    order = np.lexsort((first_pass, units.owner))
    best = order[np.r_[units.owner[order][1:] != units.owner[order][:-1], True]]
    best = best[first_pass[best] >= CANDIDATE_FLOOR]
    scores = np.full((len(utterances), len(phrases)), -1.0, dtype=np.float32)
    if len(best):
        texts = [units.texts[index] for index in best]
        scores[units.owner[best]] = _unit_scores(MPNET.embed(texts), MPNET.embed(phrases), columns)
    return scores, columns


def _unit_scores(
    unit_vectors: np.ndarray, phrase_vectors: np.ndarray, columns: list[list[int]]
) -> np.ndarray:
    """(units x phrases): the mean of the cosine to the phrase and the cosine to its tracker's centroid."""
    centroids = np.stack([phrase_vectors[cols].mean(axis=0) for cols in columns])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    tracker_of_phrase = np.repeat(np.arange(len(columns)), [len(cols) for cols in columns])
    by_tracker = unit_vectors @ centroids.T
    return (unit_vectors @ phrase_vectors.T + by_tracker[:, tracker_of_phrase]) / 2


def _similar_matches(
    utterances: list[Utterance], trackers: list[TrackerDefinition]
) -> dict[int, dict[str, list[int]]]:
    """tracker index -> phrase -> message indexes matched by meaning, each under its best-scoring phrase."""
    scores, columns = tracker_scores(utterances, trackers)
    best_phrase = [scores[:, cols].argmax(axis=1) for cols in columns]
    by_tracker = np.stack([scores[:, cols].max(axis=1) for cols in columns], axis=1)  # messages x trackers
    found: dict[int, dict[str, list[int]]] = {}
    for message, index in zip(*np.nonzero(leading_trackers(by_tracker)), strict=True):
        phrase = trackers[index].vocabulary[int(best_phrase[index][message])]
        found.setdefault(int(index), {}).setdefault(phrase, []).append(int(message))
    return found


def leading_trackers(by_tracker: np.ndarray) -> np.ndarray:
    """messages x trackers: the score clears the floor and leads every other tracker by the margin."""
    if by_tracker.shape[1] == 1:
        return by_tracker >= LONE_TRACKER_THRESHOLD
    ranked = np.sort(by_tracker, axis=1)
    top, runner_up = ranked[:, -1:], ranked[:, -2:-1]
    # the best score of the *other* trackers: the runner-up for the leader, the leader for everyone else
    best_other = np.where(by_tracker >= top, runner_up, top)
    return (by_tracker >= SIMILARITY_FLOOR) & (by_tracker - best_other >= LEAD_MARGIN)


# --- grouping -------------------------------------------------------------------------------------------


def _grouped(
    tracker: TrackerDefinition,
    utterances: list[Utterance],
    verbatim: dict[str, dict[str, int]],
    similar: dict[str, list[int]],
) -> list[TrackerMatch]:
    """One match per vocabulary value; a message found verbatim is not repeated as a similar match."""
    said = {message_id for refs in verbatim.values() for message_id in refs}
    matches = []
    for phrase in dict.fromkeys(tracker.vocabulary):
        offsets = dict(verbatim.get(phrase, {}))
        for message in similar.get(phrase, []):
            message_id = utterances[message].id
            if message_id not in said:
                offsets[message_id] = -1
        if not offsets:
            continue
        refs = [
            MessageRef(id=utterance.id, text=utterance.text, offset=offsets[utterance.id])
            for utterance in utterances
            if utterance.id in offsets
        ]
        matches.append(TrackerMatch(value=phrase, messageRefs=refs))
    return matches
