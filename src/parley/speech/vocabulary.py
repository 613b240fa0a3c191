"""Custom vocabulary (Symbl's `customVocabulary`) applied after recognition.

Whisper's own biasing hurts on long audio: on 10 minutes of real speech (bench/vocabulary.py) tiny.en's
`hotwords` and `initial_prompt` raised WER from 0.15 to 0.19-0.20 (0.09 to 0.16-0.35 in another run),
dropping passages or repeating the terms. So terms are enforced afterwards instead: a run of one to a
few recognised words whose spelling or sound is very close to a term is replaced by the term. The
thresholds are strict on purpose; a wrong replacement is worse than a missed one.
"""

from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from parley.transcript import Word

# Minimum spelling similarity (1 - edit distance / longer length) for a replacement.
DEFAULT_THRESHOLD = 0.8
# Terms shorter than this (in letters) are only re-spelled on an exact match: any fuzzy rule would hit
# ordinary short words ("beep" is one edit from "beat", "beer", "keep", ...).
_MIN_FUZZY_LETTERS = 5
# A sound-alike needs this many consonant sounds to be trusted, and a loose spelling likeness besides.
_MIN_SOUND_KEY = 4
_SOUND_SPELLING_FLOOR = 0.5

_CORE = re.compile(r"\w(?:.*\w)?", re.DOTALL)  # a word without its edge punctuation
_NOT_LETTER = re.compile(r"[\W_]+")
# Spelling -> sound, applied in order. Voiced/voiceless pairs are merged because that is where
# recognisers slip ("Kubernetes" heard as "cooper nettie's").
_SOUND_RULES = (
    (re.compile(r"ph"), "f"),
    (re.compile(r"[ck]h"), "k"),
    (re.compile(r"sch|sh"), "X"),  # capitals and digits cannot collide with letters still to map
    (re.compile(r"th"), "0"),
    (re.compile(r"ck|q"), "k"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"c"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"^[kgp](?=n)|^w(?=r)"), ""),
    (re.compile(r"[bp]"), "p"),
    (re.compile(r"[dt]"), "t"),
    (re.compile(r"[gkj]"), "k"),
    (re.compile(r"[fv]"), "f"),
    (re.compile(r"[sz]"), "s"),
    (re.compile(r"(?<=.)[aeiouyhw]"), ""),  # keep only the first letter's vowel
    (re.compile(r"^[aeiouy]"), "a"),
    (re.compile(r"(.)\1+"), r"\1"),
)


@dataclass(frozen=True, slots=True)
class _Term:
    tokens: tuple[str, ...]
    letters: str
    sound: str


@dataclass(frozen=True, slots=True)
class _Match:
    term: _Term
    length: int  # recognised words replaced
    score: float


class VocabularyCorrector:
    """Replaces near-misses of the given terms in recognised words, keeping timings."""

    def __init__(self, terms: Sequence[str], *, threshold: float = DEFAULT_THRESHOLD) -> None:
        self._threshold = threshold
        self._terms: list[_Term] = []
        # Indexes, so that each run of words is compared with a handful of terms, not all of them.
        self._by_letters: dict[str, list[_Term]] = defaultdict(list)
        self._by_size: dict[int, list[_Term]] = defaultdict(list)
        self._by_sound: dict[str, list[_Term]] = defaultdict(list)
        for text in dict.fromkeys(t.strip() for t in terms):
            letters = _letters(text)
            if not letters:
                continue
            term = _Term(tuple(text.split()), letters, _sound(letters))
            self._terms.append(term)
            self._by_letters[letters].append(term)
            self._by_size[len(letters)].append(term)
            self._by_sound[term.sound].append(term)
        self._longest = max((len(t.tokens) for t in self._terms), default=0) + 1

    def correct(self, words: Sequence[Word]) -> list[Word]:
        """Return `words` with near-miss runs replaced by vocabulary terms."""
        if not self._terms:
            return list(words)
        letters = [_letters(w.text) for w in words]
        out: list[Word] = []
        position = 0
        while position < len(words):
            match = self._best_match(letters[position : position + self._longest])
            if match is None:
                out.append(words[position])
                position += 1
                continue
            heard = words[position : position + match.length]
            out.extend(heard if _unchanged(heard, match.term.tokens) else _replace(heard, match.term.tokens))
            position += match.length
        return out

    def _best_match(self, spans: Sequence[str]) -> _Match | None:
        """The best term for a run of recognised words starting at `spans[0]` (their letters)."""
        best: _Match | None = None
        if not spans[0]:
            return None  # a lone punctuation "word" never starts or ends a match
        for length in range(1, len(spans) + 1):
            if not spans[length - 1]:
                continue
            heard = "".join(spans[:length])
            for term in self._candidates(heard):
                if abs(len(term.tokens) - length) > 1:
                    continue
                score = self._score(term, heard)
                if score is None or (length > 1 and self._edge_is_spare(term, spans[:length], score)):
                    continue
                # On a tie the longer run wins, so "new jersey" beats "new" alone.
                if best is None or (score, length) > (best.score, best.length):
                    best = _Match(term, length, score)
        return best

    def _candidates(self, heard: str) -> Iterator[_Term]:
        yield from self._by_letters.get(heard, ())
        # Spelling similarity t needs lengths within a factor t of each other.
        size = len(heard)
        for other in range(math.ceil(size * self._threshold), math.floor(size / self._threshold) + 1):
            yield from self._by_size.get(other, ())
        if size >= _MIN_FUZZY_LETTERS:
            yield from self._by_sound.get(_sound(heard), ())

    def _edge_is_spare(self, term: _Term, spans: Sequence[str], score: float) -> bool:
        """Whether the run matches as well without its first or last word ("in new jersey")."""
        for shorter in (spans[1:], spans[:-1]):
            other = self._score(term, "".join(shorter))
            if other is not None and other >= score:
                return True
        return False

    def _score(self, term: _Term, heard: str) -> float | None:
        if heard == term.letters:
            return 1.0
        if len(term.letters) < _MIN_FUZZY_LETTERS or not heard:
            return None
        # An inflection ("America" for "Americans") is a different word, not a misrecognition.
        if heard.startswith(term.letters) or term.letters.startswith(heard):
            return None
        spelling = _similarity(heard, term.letters, self._threshold)
        if spelling:
            return spelling
        if (
            len(term.sound) >= _MIN_SOUND_KEY
            and _sound(heard) == term.sound
            and _similarity(heard, term.letters, _SOUND_SPELLING_FLOOR)
        ):
            return self._threshold  # a sound-alike ranks with the weakest spelling match
        return None


def _replace(heard: Sequence[Word], tokens: Sequence[str]) -> list[Word]:
    """The term's tokens over the time span of the words they replace."""
    leading = _edges(heard[0].text)[0]
    trailing = _edges(heard[-1].text)[2]
    texts = list(tokens)
    if texts[0].islower() and heard[0].text[len(leading) : len(leading) + 1].isupper():
        texts[0] = texts[0][0].upper() + texts[0][1:]  # keep a sentence's capital
    texts[0] = leading + texts[0]
    texts[-1] = texts[-1] + trailing
    score = min(w.score for w in heard)
    speaker = heard[0].speaker
    if len(heard) == len(texts):
        return [Word(t, w.start, w.end, score, speaker) for t, w in zip(texts, heard, strict=True)]
    # Different word counts: share the span out by letters, as a speaker would take longer on them.
    start, end = heard[0].start, heard[-1].end
    weights = [max(len(_letters(t)), 1) for t in texts]
    total = sum(weights)
    out = []
    done = 0
    for text, weight in zip(texts, weights, strict=True):
        first = start + (end - start) * done / total
        done += weight
        out.append(Word(text, first, start + (end - start) * done / total, score, speaker))
    return out


def _unchanged(heard: Sequence[Word], tokens: Sequence[str]) -> bool:
    """Whether the words already are the term (a lowercase term leaves the speaker's capitals alone)."""
    bare = [_edges(w.text)[1] for w in heard]
    return [b.lower() for b in bare] == [t.lower() for t in tokens] and (
        bare == list(tokens) or "".join(tokens).islower()
    )


def _edges(text: str) -> tuple[str, str, str]:
    """(leading punctuation, word, trailing punctuation)."""
    core = _CORE.search(text)
    if core is None:
        return text, "", ""
    return text[: core.start()], core.group(), text[core.end() :]


def _letters(text: str) -> str:
    return _NOT_LETTER.sub("", text).lower()


@functools.lru_cache(maxsize=4096)
def _sound(letters: str) -> str:
    for pattern, replacement in _SOUND_RULES:
        letters = pattern.sub(replacement, letters)
    return letters


def _similarity(a: str, b: str, floor: float) -> float:
    """1 - Levenshtein(a, b) / longer length, or 0.0 as soon as it must fall below `floor`."""
    longest = max(len(a), len(b))
    budget = math.floor((1.0 - floor) * longest + 1e-9)  # 0.2 * 5 is 0.999... in floating point
    if abs(len(a) - len(b)) > budget:
        return 0.0
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        if min(current) > budget:
            return 0.0
        previous = current
    return 1.0 - previous[-1] / longest if previous[-1] <= budget else 0.0
