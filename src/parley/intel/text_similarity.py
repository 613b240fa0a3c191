"""Lexical similarity between messages: TF-IDF vectors and TextRank centrality over them.

Cheap enough to run on every message of a long meeting (an 800-message similarity matrix is a sparse
product of a few milliseconds), which sentence embeddings on two CPU cores are not.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from parley.intel.spoken import INTERJECTIONS

__all__ = ["centrality", "content_words", "tfidf_matrix"]

DAMPING = 0.85
ITERATIONS = 40
PAIRWISE_LIMIT = 4000  # beyond this many messages, rank by similarity to the centroid (linear, not n^2)
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | INTERJECTIONS)
TOKEN_PATTERN = r"(?u)\b[a-zA-Z][a-zA-Z0-9'-]+\b"  # one-letter tokens ("w we will") are broken-off words


def _vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(stop_words=STOP_WORDS, sublinear_tf=True, token_pattern=TOKEN_PATTERN)


_ANALYZER = _vectorizer().build_analyzer()


def tfidf_matrix(texts: list[str]) -> sparse.csr_matrix:
    """One L2-normalised row per text; stop words, spoken interjections and one-letter tokens left out."""
    try:
        return _vectorizer().fit_transform(texts).tocsr()
    except ValueError:  # nothing but stop words
        return sparse.csr_matrix((len(texts), 1), dtype=np.float64)


def content_words(text: str) -> list[str]:
    """The words of `text` that count for similarity (what `tfidf_matrix` keeps), lowercased."""
    return _ANALYZER(text)


def centrality(matrix: sparse.csr_matrix) -> np.ndarray:
    """TextRank: PageRank over the cosine-similarity graph of the rows (self-loops removed)."""
    count = matrix.shape[0]
    if count == 0:
        return np.zeros(0)
    if count > PAIRWISE_LIMIT:
        centroid = np.asarray(matrix.mean(axis=0)).ravel()
        return np.asarray(matrix @ centroid).ravel()
    similarity = (matrix @ matrix.T).toarray()
    np.fill_diagonal(similarity, 0.0)
    totals = similarity.sum(axis=1, keepdims=True)
    transition = np.divide(similarity, totals, out=np.zeros_like(similarity), where=totals > 0)
    ranks = np.full(count, 1.0 / count)
    for _ in range(ITERATIONS):
        ranks = (1 - DAMPING) / count + DAMPING * (transition.T @ ranks)
    return ranks
