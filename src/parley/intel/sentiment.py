"""Sentiment of a message or of a topic's messages: a lexicon with rules in the manner of VADER.

Each sentence is scored alone: word valences from `sentiment_lexicon`, strengthened or softened by the
word before ("very good", "slightly worried"), flipped and damped by a negation up to three words back
("not good", "never had a problem"), weighted towards what follows "but", raised by "!" and by a word in
capitals. The sum is squashed into [-1, 1]; a longer text is the mean of its sentences, so a topic's
sentiment reflects how its messages read on the whole. Offline and fast: no model is loaded.
"""

from __future__ import annotations

import math
import re

from parley.intel.sentiment_lexicon import BOOSTERS, LEXICON, NEGATIONS

__all__ = ["polarity", "suggested"]

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|n't")
NEGATION_WINDOW = 3
NEGATION_FACTOR = -0.74  # a negated word keeps about three quarters of its strength, reversed
CAPS_BOOST = 0.7
SQUASH = 15.0  # how fast a sum of valences approaches +-1 (VADER's normalisation constant)
# Symbl's suggested labels: above 0.3 positive, below -0.3 negative, neutral between.
POSITIVE_ABOVE = 0.3
NEGATIVE_BELOW = -0.3


def polarity(text: str) -> float:
    """A score in [-1, 1]; 0 for text without sentiment-bearing words."""
    sentences = [part for part in _SENTENCE.split(text.strip()) if part]
    if not sentences:
        return 0.0
    return round(sum(_sentence_polarity(part) for part in sentences) / len(sentences), 4)


def suggested(score: float) -> str:
    if score > POSITIVE_ABOVE:
        return "positive"
    if score < NEGATIVE_BELOW:
        return "negative"
    return "neutral"


def _sentence_polarity(sentence: str) -> float:
    words = _WORD.findall(sentence)
    shouting = any(word.isupper() and len(word) > 1 for word in words) and not sentence.isupper()
    lowered = [word.lower() for word in words]
    valences = [_valence(index, words, lowered, shouting) for index in range(len(words))]
    valences = _weigh_around_but(lowered, valences)
    total = sum(valences)
    if total:
        total += math.copysign(min(sentence.count("!"), 4) * 0.29, total)
    return total / math.sqrt(total * total + SQUASH)


def _valence(index: int, words: list[str], lowered: list[str], shouting: bool) -> float:
    word = lowered[index]
    value = LEXICON.get(word, 0.0)
    if not value:
        return 0.0
    if shouting and words[index].isupper():
        value += math.copysign(CAPS_BOOST, value)
    if index > 0 and (boost := BOOSTERS.get(lowered[index - 1])):
        value += boost if value > 0 else -boost  # a softener (negative boost) moves towards zero
    window = lowered[max(0, index - NEGATION_WINDOW) : index]
    if any(_is_negation(before) for before in window):
        value *= NEGATION_FACTOR
    return value


def _is_negation(word: str) -> bool:
    return word in NEGATIONS or word.endswith("n't")


def _weigh_around_but(lowered: list[str], valences: list[float]) -> list[float]:
    """What follows "but" carries the speaker's view: it counts 1.5 times, what came before half."""
    if "but" not in lowered:
        return valences
    pivot = lowered.index("but")
    return [value * (0.5 if index < pivot else 1.5) for index, value in enumerate(valences)]
