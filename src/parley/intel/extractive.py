"""Extractive summaries: sentences are ranked by TextRank over TF-IDF similarity (a sentence that shares its
vocabulary with many others states what the meeting kept coming back to), then picked greedily with a
penalty for repeating an already picked one (maximal marginal relevance), and returned in time order, each
referring to its message. A long turn is several statements, so each sentence of a message stands alone.
As many sentences as `SHARE` of the messages are picked, at most `MAX_SENTENCES`.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np
from scipy import sparse

from parley.intel.language import parse_all
from parley.intel.model import MessageRef, SummarySentence, Utterance
from parley.intel.text_similarity import centrality, content_words, tfidf_matrix

__all__ = ["extractive_summary", "ranked_messages", "sentence_id", "summary_size"]

SHARE = 0.06
MAX_SENTENCES = 10
MIN_CONTENT_WORDS = 3  # sentences with fewer ("Yeah, okay, we will uh") rarely carry a meeting's content
REDUNDANCY = 0.3  # weight of the similarity to already picked messages in the MMR trade-off


def summary_size(message_count: int) -> int:
    return max(1, min(MAX_SENTENCES, round(SHARE * message_count)))


def extractive_summary(utterances: list[Utterance], size: int | None = None) -> list[SummarySentence]:
    sentences = _sentences(utterances)
    picked = _pick(sentences, size or summary_size(len(utterances)))
    return [_sentence(sentences[index]) for index in sorted(picked)]


def _sentences(utterances: list[Utterance]) -> list[Utterance]:
    """Each sentence of each message, as an utterance with its message's id (the shared parse, so reading
    them costs nothing after the insights)."""
    docs = parse_all([utterance.text for utterance in utterances])
    return [
        replace(utterance, text=sentence.text.strip())
        for utterance, doc in zip(utterances, docs, strict=True)
        for sentence in doc.sents
        if sentence.text.strip()
    ]


def _sentence(utterance: Utterance) -> SummarySentence:
    return SummarySentence(
        id=sentence_id(utterance.text), text=utterance.text, messageRefs=[MessageRef(id=utterance.id)]
    )


def ranked_messages(utterances: list[Utterance]) -> list[int]:
    """Message indices from the most to the least central (short messages last)."""
    scores = _scores(utterances, tfidf_matrix([utterance.text for utterance in utterances]))
    return sorted(range(len(utterances)), key=lambda index: -scores[index])


def sentence_id(text: str) -> str:
    return str(int(hashlib.sha1(f"summary:{text}".encode()).hexdigest()[:13], 16))


def _scores(utterances: list[Utterance], matrix: sparse.csr_matrix) -> np.ndarray:
    # Ties (tiny conversations with nothing in common) go to the message with more content words.
    scores = centrality(matrix) + 1e-6 * np.diff(matrix.indptr)
    words = np.array([len(content_words(utterance.text)) for utterance in utterances])
    return np.where(words >= MIN_CONTENT_WORDS, scores, scores * 0.01)


def _pick(utterances: list[Utterance], size: int) -> list[int]:
    matrix = tfidf_matrix([utterance.text for utterance in utterances])
    scores = _scores(utterances, matrix)
    scores = scores / (scores.max() or 1.0)
    shortlist = np.argsort(-scores)[: size * 8]  # MMR only needs the strong candidates
    vectors = matrix[shortlist]
    similarity = (vectors @ vectors.T).toarray()
    picked: list[int] = []
    for _ in range(min(size, len(shortlist))):
        best, best_value = -1, -np.inf
        for position, index in enumerate(shortlist):
            if position in picked:
                continue
            repeat = max((similarity[position, chosen] for chosen in picked), default=0.0)
            value = (1 - REDUNDANCY) * scores[index] - REDUNDANCY * repeat
            if value > best_value:
                best, best_value = position, value
        picked.append(best)
    return [int(shortlist[position]) for position in picked]
