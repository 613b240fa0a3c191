"""Topics: the key phrases a conversation keeps returning to, ranked, merged, and arranged in a hierarchy.

Candidates are spaCy's noun chunks trimmed to their content words ("the new remote control" -> "remote
control"), keyed by lemma so "budgets" and "budget" count together. A candidate ranks by how many messages
mention it, a bonus for multi-word phrases, and how central its meaning is to the conversation (cosine of
its MiniLM embedding to the conversation's weighted centroid, so passing asides rank lower). Near-duplicates
(one phrase inside another, or embeddings closer than `SAME_TOPIC`) merge into the stronger one. The kept
topics are clustered by embedding; each cluster's best topic becomes the `parent` of the others.

Only phrases are embedded (a few dozen), never every sentence, so the cost stays small on long meetings.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from parley.intel.embedder import embed
from parley.intel.language import parse_all
from parley.intel.model import Topic, Utterance
from parley.intel.spoken import INTERJECTIONS

if TYPE_CHECKING:
    from spacy.tokens import Span

__all__ = ["find_topics", "topic_count"]

MAX_WORDS = 4
EMBEDDED_CANDIDATES = 60  # the strongest by frequency go on to the embedding stage
SAME_TOPIC = 0.82  # cosine above which two phrases name one topic
PARENT_DISTANCE = 0.55  # cosine distance below which topics share a parent
SUBSUMED_SHARE = 0.6  # a word said mostly inside a longer phrase is that phrase's topic
CONTENT_POS = frozenset({"NOUN", "PROPN", "ADJ"})
HEAD_POS = frozenset({"NOUN", "PROPN"})
# Nouns that fill sentences in speech without naming a subject.
_GENERIC_WORDS = (
    "thing things lot lots way ways kind sort bit stuff something anything everything nothing guy guys "
    "people person one ones time times idea ideas point question moment minute "
    "minutes second seconds today tomorrow yesterday week day days year years part case fact sense "
    "number end start lot place side matter problem example reason term terms type types level use "
    "meeting mean percent couple half while hand"
)
GENERIC = frozenset(_GENERIC_WORDS.split()) | INTERJECTIONS
# Adjectives that judge or count rather than name a kind ("cheaper plan" is the plan topic).
_VAGUE_ADJECTIVES = (
    "new old good bad big small little large other same different main whole few many much certain real "
    "nice great first last next own several various general specific particular important possible simple "
    "basic entire sure quick"
)
VAGUE_ADJECTIVES = frozenset(_VAGUE_ADJECTIVES.split())


@dataclass
class _Candidate:
    key: str
    words: tuple[str, ...]
    messages: set[int] = field(default_factory=set)
    surfaces: Counter[str] = field(default_factory=Counter)
    score: float = 0.0

    @property
    def text(self) -> str:
        return self.surfaces.most_common(1)[0][0]


def topic_count(message_count: int) -> int:
    """Up to ~10 topics for a half-hour meeting, ~25 for a long one."""
    return max(3, min(30, 5 + message_count // 40))


def find_topics(utterances: list[Utterance]) -> list[Topic]:
    if not utterances:
        return []
    candidates = _candidates(utterances)
    minimum = 2 if len(utterances) >= 30 else 1
    ranked = sorted(
        (found for found in candidates.values() if len(found.messages) >= minimum),
        key=lambda found: (-_frequency_score(found), found.key),
    )[:EMBEDDED_CANDIDATES]
    if not ranked:
        return []
    vectors = embed([found.text for found in ranked])
    _score(ranked, vectors)
    kept, kept_vectors = _merge(ranked, vectors, topic_count(len(utterances)))
    parents = _parents(kept, kept_vectors)
    best = max(found.score for found in kept)
    return [
        Topic(
            id=_topic_id(found.text),
            text=found.text,
            score=round(found.score / best, 3),
            messageIds=[utterances[index].id for index in sorted(found.messages)],
            parent=parents.get(found.key),
        )
        for found in kept
    ]


def _candidates(utterances: list[Utterance]) -> dict[str, _Candidate]:
    candidates: dict[str, _Candidate] = {}
    for index, doc in enumerate(parse_all([utterance.text for utterance in utterances])):
        for chunk in doc.noun_chunks:
            phrase = _content_words(chunk)
            if not phrase:
                continue
            words = tuple(token.lemma_.lower() for token in phrase)
            key = " ".join(words)
            found = candidates.setdefault(key, _Candidate(key, words))
            found.messages.add(index)
            found.surfaces[_surface(phrase)] += 1
    _drop_subsumed_words(candidates)
    return candidates


def _content_words(chunk: Span) -> list:  # type: ignore[type-arg]
    """The chunk's trailing run of content words, ending on a noun that is not filler."""
    tokens = list(chunk)
    while tokens and not (tokens[-1].pos_ in HEAD_POS and _plain(tokens[-1])):
        tokens.pop()
    run: list = []  # type: ignore[type-arg]
    for token in reversed(tokens):
        if token.pos_ not in CONTENT_POS or token.is_stop or not _plain(token) or len(run) == MAX_WORDS:
            break
        if token.pos_ == "ADJ" and (token.tag_ in {"JJR", "JJS"} or token.lemma_.lower() in VAGUE_ADJECTIVES):
            break
        run.insert(0, token)
    if not any(token.pos_ in HEAD_POS and token.lemma_.lower() not in GENERIC for token in run):
        return []
    return run


def _plain(token: object) -> bool:
    text: str = token.text  # type: ignore[attr-defined]
    return text.isalpha() and len(text) > 1


def _surface(phrase: list) -> str:  # type: ignore[type-arg]
    return " ".join(token.text if token.pos_ == "PROPN" else token.text.lower() for token in phrase)


def _drop_subsumed_words(candidates: dict[str, _Candidate]) -> None:
    """ "control" said mostly as part of "remote control" is not a topic of its own."""
    inside: dict[str, set[int]] = defaultdict(set)
    for found in candidates.values():
        if len(found.words) > 1:
            for word in found.words:
                inside[word] |= found.messages
    for key in [key for key, found in candidates.items() if len(found.words) == 1]:
        found = candidates[key]
        if len(found.messages & inside.get(key, set())) >= SUBSUMED_SHARE * len(found.messages):
            del candidates[key]


def _frequency_score(found: _Candidate) -> float:
    return math.log1p(len(found.messages)) * (1.0 + 0.35 * (len(found.words) - 1))


def _score(ranked: list[_Candidate], vectors: np.ndarray) -> None:
    weights = np.array([_frequency_score(found) for found in ranked], dtype=np.float32)
    centroid = (weights[:, None] * vectors).sum(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    centrality = np.clip(vectors @ centroid, 0.0, 1.0)
    for found, weight, close in zip(ranked, weights, centrality, strict=True):
        found.score = float(weight * (0.5 + close))


def _merge(ranked: list[_Candidate], vectors: np.ndarray, limit: int) -> tuple[list[_Candidate], np.ndarray]:
    order = sorted(range(len(ranked)), key=lambda index: -ranked[index].score)
    kept: list[int] = []
    for index in order:
        twin = next((chosen for chosen in kept if _same_topic(ranked, vectors, chosen, index)), None)
        if twin is not None:
            ranked[twin].messages |= ranked[index].messages
        elif len(kept) < limit:
            kept.append(index)
    return [ranked[index] for index in kept], vectors[kept]


def _same_topic(ranked: list[_Candidate], vectors: np.ndarray, first: int, second: int) -> bool:
    one, other = set(ranked[first].words), set(ranked[second].words)
    return one <= other or other <= one or float(vectors[first] @ vectors[second]) >= SAME_TOPIC


def _parents(kept: list[_Candidate], vectors: np.ndarray) -> dict[str, str]:
    """Child key -> its parent's text, from average-linkage clusters of the topics' meanings."""
    if len(kept) < 2:
        return {}
    from sklearn.cluster import AgglomerativeClustering

    labels = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=PARENT_DISTANCE
    ).fit_predict(vectors)
    members: dict[int, list[_Candidate]] = defaultdict(list)
    for found, label in zip(kept, labels, strict=True):
        members[int(label)].append(found)
    parents: dict[str, str] = {}
    for group in members.values():
        head = max(group, key=lambda found: found.score)
        parents.update({found.key: head.text for found in group if found is not head})
    return parents


def _topic_id(text: str) -> str:
    """Stable across re-analysis, numeric like Symbl's ids."""
    return str(int(hashlib.sha1(f"topic:{text}".encode()).hexdigest()[:13], 16))
