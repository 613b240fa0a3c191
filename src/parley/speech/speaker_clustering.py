"""Who is who: clustering speaker embeddings into voices, and counting the voices.

Spectral clustering on a pruned cosine affinity, after Park et al., "Auto-Tuning Spectral Clustering for
Speaker Diarization Using Normalized Maximum Eigengap" (2019): each row of the affinity keeps its `p`
strongest neighbours, binarised and symmetrised; `p` is chosen where the largest eigengap of the Laplacian
is widest relative to `p`, and that eigengap gives the speaker count (at most `num_speakers` or
`max_speakers`). Cost is bounded: at most `max_points` embeddings (evenly spread over the recording) take
part in the eigen-decomposition; every embedding then goes to its nearest centroid.

When the caller gives `num_speakers` and the eigengap finds fewer voices, the missing speakers are seeded
with the windows that fit no voice found, rather than forcing k-means to cut a voice in two: in meetings one
person often holds the floor while the others only interject (AMI excerpts: one speaker has 95 % of the
speech in some), and splitting the main voice costs far more than mislabelling an interjection. Measured on
the AMI excerpts with the true count: 40 % DER this way, 54-57 % forcing k spectral clusters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Two clusters whose centroids are more alike than this are one voice (rarely fires: GE2E centroids of two
# real speakers measured 0.85-0.93 on the AMI excerpts and the pyannote sample; 0.86 merged real pairs).
_ONE_SPEAKER_COSINE = 0.95


@dataclass(frozen=True, slots=True)
class Clustering:
    labels: np.ndarray  # (n,) int, 0..k-1
    centroids: np.ndarray  # (k, dim), unit length

    def similarity(self, embeddings: np.ndarray) -> np.ndarray:
        """(n, k) cosine of each unit-length embedding to each speaker's centroid."""
        return embeddings @ self.centroids.T


def cluster_speakers(
    embeddings: np.ndarray,
    *,
    num_speakers: int | None = None,
    max_speakers: int = 8,
    max_points: int = 1200,
    refine_iterations: int = 0,
    one_speaker_cosine: float = _ONE_SPEAKER_COSINE,
) -> Clustering:
    """Label unit-length `embeddings` (n, dim) with speakers 0..k-1 (k = `num_speakers` when given)."""
    n = len(embeddings)
    if n == 0:
        return _single(embeddings)
    max_speakers = max(1, min(max_speakers, n))
    if num_speakers is not None:
        num_speakers = max(1, min(num_speakers, n))
    if n < 3 or num_speakers == 1 or max_speakers == 1:
        return _single(embeddings)

    sample = np.linspace(0, n - 1, min(n, max_points)).round().astype(int)
    points = embeddings[sample]
    spectral, k = _spectral(points, num_speakers or max_speakers)
    labels = _kmeans(spectral[:, :k], k)
    centroids = _centroids(points, labels, k)
    labels, centroids = _refine(embeddings, centroids, refine_iterations)
    if num_speakers and len(centroids) < num_speakers:
        labels, centroids = _add_outliers(embeddings, labels, centroids, num_speakers, refine_iterations)
    if (
        num_speakers is None
        and len(centroids) == 2
        and float(centroids[0] @ centroids[1]) > one_speaker_cosine
    ):
        return _single(embeddings)
    return Clustering(labels, centroids)


def extend_voices(embeddings: np.ndarray, clustering: Clustering, k: int) -> Clustering:
    """`clustering` with voices added until there are `k` (at most one per embedding), each seeded with the
    embedding least like any voice so far; every embedding then goes to its nearest voice."""
    k = min(k, len(embeddings))
    if len(clustering.centroids) >= k:
        return clustering
    return Clustering(*_add_outliers(embeddings, clustering.labels, clustering.centroids, k, 0))


def _add_outliers(
    embeddings: np.ndarray, labels: np.ndarray, centroids: np.ndarray, k: int, iterations: int
) -> tuple[np.ndarray, np.ndarray]:
    """Reach `k` speakers by seeding each missing one with the embedding least like any speaker so far:
    splitting off the few windows that fit nobody costs little when wrong, splitting a voice in two a lot."""
    for _ in range(k - len(centroids)):
        fit = np.max(embeddings @ centroids.T, axis=1)
        centroids = np.vstack([centroids, embeddings[int(np.argmin(fit))][None, :]])
        labels, centroids = _refine(embeddings, centroids, iterations)
    return labels, centroids


def _single(embeddings: np.ndarray) -> Clustering:
    dim = embeddings.shape[1]
    centroid = _unit(embeddings.mean(axis=0, keepdims=True)) if len(embeddings) else np.ones((1, dim))
    return Clustering(np.zeros(len(embeddings), int), centroid.astype(np.float32))


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-8)


def _spectral(points: np.ndarray, max_speakers: int) -> tuple[np.ndarray, int]:
    """The Laplacian's eigenvectors (ascending eigenvalues) under the auto-tuned pruning, and the
    speaker count its largest eigengap suggests (capped by `max_speakers`)."""
    n = len(points)
    affinity = points @ points.T
    np.fill_diagonal(affinity, 0.0)
    order = np.argsort(-affinity, axis=1)
    best: tuple[float, np.ndarray, int] | None = None
    for fraction in (0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.2, 0.25, 0.3):
        p = max(2, min(n - 1, round(fraction * n)))
        values, vectors = _laplacian_eigen(_pruned(affinity, order, p), max_speakers + 1)
        gaps = np.diff(values[: max_speakers + 1])
        count = int(np.argmax(gaps)) + 1
        score = p / n / max(float(gaps[count - 1]), 1e-10)
        if best is None or score < best[0]:
            best = (score, vectors, count)
    assert best is not None
    _, vectors, count = best
    return vectors, count


def _pruned(affinity: np.ndarray, order: np.ndarray, p: int) -> np.ndarray:
    binary = np.zeros_like(affinity)
    rows = np.arange(len(affinity))[:, None]
    binary[rows, order[:, :p]] = 1.0
    return 0.5 * (binary + binary.T)


def _laplacian_eigen(affinity: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The `count` smallest eigenvalues and eigenvectors of the Laplacian (only those are computed)."""
    from scipy.linalg import eigh

    laplacian = np.diag(affinity.sum(axis=1)) - affinity
    count = min(count, len(affinity))
    values, vectors = eigh(laplacian, subset_by_index=[0, count - 1], driver="evr")
    return values, vectors


def _kmeans(points: np.ndarray, k: int) -> np.ndarray:
    from sklearn.cluster import KMeans

    if k == 1:
        return np.zeros(len(points), int)
    return KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(points)


def _centroids(embeddings: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    dim = embeddings.shape[1]
    sums = np.zeros((k, dim))
    np.add.at(sums, labels, embeddings)
    return _unit(sums).astype(np.float32)


def _refine(embeddings: np.ndarray, centroids: np.ndarray, iterations: int) -> tuple[np.ndarray, np.ndarray]:
    """Assign every embedding to its nearest centroid and re-estimate; clusters that empty out are
    dropped, so the count can only shrink."""
    labels = np.argmax(embeddings @ centroids.T, axis=1)
    for _ in range(iterations):
        kept = np.unique(labels)
        centroids = _centroids(embeddings, np.searchsorted(kept, labels), len(kept))
        new = np.argmax(embeddings @ centroids.T, axis=1)
        if np.array_equal(new, np.searchsorted(kept, labels)):
            labels = new
            break
        labels = new
    return labels, centroids
