"""Lexical similarity between messages: TF-IDF vectors and TextRank centrality over them.

Cheap enough to run on every message of a long meeting (an 800-message similarity matrix is a sparse
product of a few milliseconds), which sentence embeddings on two CPU cores are not.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

__all__ = ["centrality", "tfidf_matrix"]

DAMPING = 0.85
ITERATIONS = 40
PAIRWISE_LIMIT = 4000  # beyond this many messages, rank by similarity to the centroid (linear, not n^2)


def tfidf_matrix(texts: list[str]) -> sparse.csr_matrix:
    """One L2-normalised row per text; stop words and one-letter tokens left out."""
    vectorizer = TfidfVectorizer(
        stop_words="english", sublinear_tf=True, token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9']+\b"
    )
    try:
        return vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # nothing but stop words
        return sparse.csr_matrix((len(texts), 1), dtype=np.float64)


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
