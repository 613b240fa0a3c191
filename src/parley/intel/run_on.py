"""Run-on sentences of unpunctuated text ("great ivy can you get estimates from the leads", "let's not
decide that now let's revisit it in two weeks"): spaCy finds no sentence end there, so one parse holds
several clauses and only one of them is read as the action. `clauses` cuts such a sentence where a new
clause that may state an action opens: "let's", "I'll", "we need", "can you", "please send" and the like."""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

# After these the next words belong to the same clause: "I think I'll", "so that we can", "if you could".
BINDING = {"think", "guess", "suppose", "sure", "hope", "that", "if", "when", "because", "unless", "whether"}
BINDING |= {"what", "which", "who", "where", "how", "and", "or", "but", "to", "than", "as", "know", "said"}
SUBJECT_OPENINGS = {
    "i": {"'ll", "will", "need", "have", "can", "should", "must", "'m", "am", "'d"},
    "we": {"'ll", "will", "need", "should", "have", "must", "'re", "are"},
    "you": {"'ll", "will", "need", "should", "have", "must"},
}
ASKING = {"can", "could", "would", "will", "should"}
ASKED = {"you", "someone", "somebody", "anyone", "we", "i"}
MIN_WORDS = 2  # a shorter run ("so") is no clause of its own


def clauses(sentence: Span) -> list[str]:
    """The sentence's text cut where a new clause opens; one piece when it holds a single clause."""
    words = [t for t in sentence if not t.is_space]
    cuts, last = [], 0
    for i in range(MIN_WORDS, len(words)):
        if _opens(words, i) and not _topic(words[last:i]):
            cuts.append(words[i].idx)
            last = i
    bounds = [sentence.start_char, *cuts, sentence.end_char]
    pieces = [sentence.doc.text[a:b].strip() for a, b in pairwise(bounds)]
    return [piece for piece in pieces if piece]


def _topic(words: list[Token]) -> bool:
    """A noun phrase put first, with no verb of its own: "the instructions for the next meeting you will
    all receive by email" is one clause (not "great ivy can you ...", a greeting and a name)."""
    nominal = len(words) > 2 and any(t.pos_ == "NOUN" for t in words)  # not "great ivy": a name in lower case
    return nominal and not any(t.pos_ in {"VERB", "AUX"} for t in words)


def _opens(words: list[Token], i: int) -> bool:
    word, following = words[i].lower_, words[i + 1].lower_ if i + 1 < len(words) else ""
    if words[i - 1].lower_ in BINDING or i + 1 >= len(words):
        return False
    if word in SUBJECT_OPENINGS:
        return following in SUBJECT_OPENINGS[word]
    if word == "let":
        return following in {"'s", "us", "me"}
    if word in ASKING:
        return following in ASKED and words[i - 1].lower_ not in {"i", "we", "you", "they", "he", "she", "it"}
    return word == "please" and words[i + 1].tag_ == "VB"
