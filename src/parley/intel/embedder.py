"""Sentence embeddings from two models that ship inside packages (`model_files`; never downloaded).

- `MINILM` (all-MiniLM-L6-v2, 384 dimensions): fast; topics, summaries and the first pass of trackers.
- `MPNET` (all-mpnet-base-v2, 768 dimensions): about six times slower and far better at telling a
  paraphrase from a sentence on the same subject (bench/trackers.py), so trackers use it on the few
  messages that the first pass finds close to some tracker.

Stages of one analysis embed the same sentences, so each model caches its vectors by text.
"""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from parley.intel import model_files

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = ["MINILM", "MPNET", "SentenceEncoder", "embed"]


class SentenceEncoder:
    """One sentence-transformers model, loaded on first use, with unit-length vectors cached by text."""

    def __init__(
        self,
        locate: Callable[[], Path],
        *,
        dimension: int,
        bfloat16: bool = False,
        cache_size: int = 50_000,
    ) -> None:
        self._locate = locate
        self.dimension = dimension
        self.bfloat16 = bfloat16
        self.cache_size = cache_size
        self._lock = threading.Lock()
        self._model: SentenceTransformer | None = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def model(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")  # belt and braces: the model is a local folder
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(str(self._locate()), device="cpu")
            return self._model

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length vectors, one row per text (cosine similarity is a dot product)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encoder = self.model()
        with self._lock:
            missing = list(dict.fromkeys(text for text in texts if text not in self._cache))
        if missing:
            with self._precision():
                vectors = encoder.encode(
                    missing, batch_size=64, normalize_embeddings=True, convert_to_numpy=True
                )
            with self._lock:
                self._cache.update(zip(missing, vectors.astype(np.float32), strict=True))
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        with self._lock:
            return np.stack([self._cache[text] for text in texts])

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def _precision(self) -> AbstractContextManager[object]:
        if not self.bfloat16:
            return nullcontext()
        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16)


def native_bfloat16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether the CPU multiplies bfloat16 matrices in hardware (AVX-512 BF16 or AMX). There mpnet runs
    about twice as fast under bfloat16 autocast, its vectors within 0.999 cosine of float32; elsewhere
    bfloat16 would be emulated, and slower."""
    try:
        flags = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r"\b(?:avx512_bf16|amx_bf16)\b", flags) is not None


MINILM = SentenceEncoder(model_files.minilm_path, dimension=384)
MPNET = SentenceEncoder(
    model_files.mpnet_path,
    dimension=768,
    bfloat16=native_bfloat16(),
    cache_size=20_000,
)


def embed(texts: list[str]) -> np.ndarray:
    """MiniLM vectors (`MINILM.embed`)."""
    return MINILM.embed(texts)
