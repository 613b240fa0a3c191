"""Is a sentence a question, and how sure are we? Rules over a spaCy parse plus the punctuation.

Transcribers (and Whisper) mark most questions with "?", but speech also leaves questions unmarked and
marks statements said with a rising tone. So the score combines two kinds of evidence:
- the form: subject-auxiliary inversion ("can you ...", "is there ..."), a wh-word followed by a verb
  ("what did you call it"), "what about ...", an indirect question ("I wonder whether ...", "do you know
  ..."), a tag ("..., isn't it", "..., right?") or an alternative left open ("so you think it's too
  controlling or");
- the mark: a final "?".
A question the speaker answers in the same breath ("are the costs within the budget, yes they are") is
rhetorical and scores 0. Speech repeats words ("is is that ..."), which derails the parse: repeated words
are read once ("w what's" too), and an auxiliary followed by a pronoun counts as inversion whatever the
parse says. Unpunctuated text runs sentences together, so there the form is also looked for after the
sentence's first words: a wh-word then inversion, inversion after a fronted phrase, a tag at the end.
Both together score 0.95; the mark alone 0.55-0.75 (a declarative or a fragment said as a question); the
form alone 0.8 in unpunctuated text, and in punctuated text 0.6 when a full stop ends it (a transcriber
chose not to write "?"), 0.55 when it trails off after five words or more, else 0 (a broken-off fragment).
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

# Words that open a turn without changing its form ("so um can you ...").
OPENERS = {
    "so", "and", "but", "or", "okay", "ok", "well", "oh", "um", "uh", "uhm", "hmm", "mm", "right", "yeah",
    "yes", "no", "like", "now", "then", "alright", "also", "actually", "anyway", "sorry", "just",
}  # fmt: skip
AUXILIARIES = {"be", "do", "have", "can", "could", "will", "would", "shall", "should", "may", "might", "must"}
SUBJECT_DEPS = {"nsubj", "nsubjpass", "expl", "csubj"}
WH_TAGS = {"WDT", "WP", "WP$", "WRB"}
INDIRECT = re.compile(
    r"\b(i\s+wonder(ed)?|i\s+was\s+wondering|i'?m\s+wondering|do\s+you\s+(happen\s+to\s+)?know|"
    r"does\s+anyone\s+know|(can|could|would)\s+you\s+tell\s+(me|us)|any\s+idea|i'?d\s+like\s+to\s+know|"
    r"i\s+want\s+to\s+know|i'?m\s+curious)\s+(whether|if|what|who|whom|when|where|why|how|which)\b",
    re.IGNORECASE,
)
TAG = re.compile(
    r",\s*(?:(?:is|are|was|were|do|does|did|have|has|had|can|could|will|would|should|wo|ca)n'?t\s+"
    r"(?:it|we|you|they|he|she|i|there|that)\s*[,?.]?|(?:right|correct|yeah|no|okay|ok)\s*\??)\s*$",
    re.IGNORECASE,
)
# An auxiliary opening the sentence followed by one of these is an inversion even when the parse is lost.
INVERTED_SUBJECTS = {
    "i", "you", "we", "they", "he", "she", "it", "that", "this", "there", "these", "those",
    "anyone", "anybody", "everyone", "everybody", "someone", "somebody",
}  # fmt: skip
COMPARED = {"so", "neither", "nor", "than", "as"}  # "so do we", "than did they": inverted, not asking
FINITE = {"MD", "VBZ", "VBP", "VBD"}
INVERTED_PRONOUNS = {"you", "we", "they", "he", "she", "it", "there", "anyone", "anybody", "everyone"}
TAG_SUBJECTS = {"it", "we", "you", "they", "he", "she", "i", "there", "that"}
OPEN_ALTERNATIVE = re.compile(r"\bor[\s,.]*$", re.IGNORECASE)
SELF_ANSWERED = re.compile(
    r",\s*(?:yes|no|yeah|nope)\s*,?\s*(?:it|they|we|he|she|i|you|that|there)\s+"
    r"(?:is|are|am|was|were|do|does|did|can|could|will|would|have|has|had)(?:n't|\s+not)?\s*[.!]?\s*$",
    re.IGNORECASE,
)
INDIRECT_FORM = 0.85
TRAILING_WORDS = 5  # fewer, and a sentence broken off is a fragment ("what are we", "is it")
WHAT_ABOUT = re.compile(r"^(what|how)\s+about\b", re.IGNORECASE)


def question_score(sentence: Span, *, punctuated: bool = True) -> float:
    """0 for a statement; otherwise how sure the sentence asks something (see the module docstring).

    `punctuated`: the conversation's sentences end in punctuation (a human or Whisper transcript). There a
    sentence with no final mark is one broken off ("what are we"), and a question form ending in one is
    let through only when its wording is unmistakable.
    """
    text = sentence.text.strip()
    if not any(token.is_alpha for token in sentence):
        return 0.0
    if SELF_ANSWERED.search(text):
        return 0.0
    marked = text.endswith("?")
    form = _form(sentence, text) or (0.0 if punctuated else _inner_form(sentence))
    if marked and form:
        return 0.95
    if form and punctuated:
        if text.endswith((".", "!")):
            if form == INDIRECT_FORM:
                return 0.8  # indirect questions end with a full stop by rule
            return 0.6 if form >= 0.8 else 0.0
        # Trailing off ("is there any rubber in the buttons or any"): a question if enough was said.
        return 0.55 if len(_body(sentence)) >= TRAILING_WORDS else 0.0
    if form:
        return min(form, 0.8)
    if marked:
        words = sum(1 for token in sentence if token.is_alpha)
        return 0.75 if words >= 3 else 0.55
    return 0.0


def asks_by_wording(sentence: Span) -> bool:
    """Worded as a question, whatever the punctuation ("can you ...", "should we ...")."""
    return _form(sentence, sentence.text.strip()) > 0


def _form(sentence: Span, text: str) -> float:
    """How strongly the wording alone asks a question (0: it does not)."""
    body = _body(sentence)
    if not body:
        return 0.0
    unopened = text[body[0].idx - sentence.start_char :]
    if INDIRECT.search(text):
        return INDIRECT_FORM
    if WHAT_ABOUT.match(unopened):
        return 0.8
    if _inverted(body) or _wh_question(body):
        return 0.8
    if TAG.search(text) or (OPEN_ALTERNATIVE.search(text) and len(body) >= TRAILING_WORDS):
        return 0.75
    return 0.0


def _inner_form(sentence: Span) -> float:
    """In unpunctuated text a question often follows what was said before it in the same sentence ("so if
    this isn't to scale what kind of dimensions are you thinking about", "power-wise have we got a
    battery", "it's on the side isn't it"): a tag at the end, an auxiliary and a pronoun inverted after a
    fronted phrase, or a wh-word followed by an inverted auxiliary and subject."""
    words = [token for token in sentence if not token.is_punct and not token.is_space]
    if len(words) >= 5 and (_negative_tag(words[-3:]) or _positive_tag(words[-3:])):
        return 0.75
    if any(_inverted_after(*words[index - 1 : index + 3]) for index in range(2, len(words) - 2)):
        return 0.7
    if any(_wh_then_inversion(words[index:]) for index in range(1, len(words) - 2)):
        return 0.7
    return 0.0


def _wh_then_inversion(words: list[Token]) -> bool:
    """ "what kind of dimensions are you ...", "how wide is it": a wh-word, then within four words an
    auxiliary directly before its subject."""
    if words[0].tag_ not in WH_TAGS or words[0].lower_ in {"that", "which"}:
        return False
    return any(
        auxiliary.lemma_.lower() in AUXILIARIES and subject.lower_ in INVERTED_SUBJECTS
        for auxiliary, subject in pairwise(words[1:5])
    )


def _inverted_after(before: Token, auxiliary: Token, subject: Token, after: Token) -> bool:
    """ "for this first part power-wise have we got a battery": an auxiliary and a pronoun inverted after
    a fronted phrase, the pronoun followed by no finite verb of its own ("the thing is we're ..." is a
    statement; "have we got" is tagged as a past tense), and not "so do we", "than did they"."""
    return (
        _finite_auxiliary(auxiliary)
        and subject.lower_ in INVERTED_PRONOUNS
        and (after.tag_ not in FINITE or (after.tag_ == "VBD" and auxiliary.lemma_.lower() == "have"))
        and before.pos_ in {"NOUN", "ADV", "ADJ", "INTJ"}
        and before.lower_ not in COMPARED
    )


def _positive_tag(last: list[Token]) -> bool:
    """ "that's because of the cost is it", "... does it": an auxiliary and a pronoun closing a sentence
    that has its own verb before them (not "... it is", "and so do we")."""
    before, auxiliary, subject = last
    return (
        _finite_auxiliary(auxiliary)
        and subject.lower_ in TAG_SUBJECTS
        and before.lemma_.lower() not in AUXILIARIES
        and before.lower_ not in COMPARED
        and any(t.pos_ in {"VERB", "AUX"} for t in auxiliary.sent if t.i < before.i)
    )


def _finite_auxiliary(token: Token) -> bool:
    """ "can", "is", "did", "have" as a finite auxiliary (not "be" or "having")."""
    return token.lemma_.lower() in AUXILIARIES and token.tag_ in FINITE


def _negative_tag(last: list[Token]) -> bool:
    """ "isn't it", "didn't we", "haven't they" ("n't" is a token of its own)."""
    auxiliary, negation, subject = last
    return (
        auxiliary.lemma_.lower() in AUXILIARIES
        and negation.lower_ in {"n't", "not"}
        and subject.lower_ in TAG_SUBJECTS
    )


def _body(sentence: Span) -> list[Token]:
    """The words that carry the form: no punctuation, no openers ("so um"), no name addressed, and a word
    said twice in a row read once."""
    tokens = [token for token in sentence if not token.is_punct and not token.is_space]
    start = 0
    while start < len(tokens) and (tokens[start].lower_ in OPENERS or tokens[start].tag_ == "UH"):
        start += 1
    following = (
        tokens[start].nbor() if start < len(tokens) and tokens[start].i + 1 < len(tokens[start].doc) else None
    )
    if following is not None and tokens[start].pos_ == "PROPN" and following.text == ",":
        start += 1  # "John, can you ..." names whom the question is for
    if start + 1 < len(tokens) and _restarted(tokens[start], tokens[start + 1]):
        start += 1  # "w what's our suggestion", "ho how many colours"
    body = tokens[start:]
    return [
        token
        for index, token in enumerate(body)
        if index + 1 == len(body) or body[index + 1].lower_ != token.lower_
    ]


def _restarted(token: Token, following: Token) -> bool:
    """A word broken off and said again in full: "w what", "ho how", "wha what"."""
    return len(token.lower_) < len(following.lower_) and following.lower_.startswith(token.lower_)


def _inverted(body: list[Token]) -> bool:
    """An auxiliary first, then its clause's subject: "can you ...", "is there ...", "did anybody ..."."""
    first = body[0]
    if not _finite_auxiliary(first):
        return False
    if len(body) > 1 and body[1].lower_ in INVERTED_SUBJECTS:
        return True
    clause_heads = {first.i, first.head.i}
    return any(
        token.dep_ in SUBJECT_DEPS and token.head.i in clause_heads and token.i > first.i
        for token in body[1:5]
    )


def _wh_question(body: list[Token]) -> bool:
    """A wh-word that opens a question rather than a clause ("what we need is ..." is a statement)."""
    first = body[0]
    if first.tag_ not in WH_TAGS or first.lower_ in {"that", "which"} or first.lower_.endswith("ever"):
        return False
    rest = body[1:4]
    if not rest:
        return False
    # "what did you ...", "what's that", "how high is it", "which colour would ..."
    for token in rest:
        if _finite_auxiliary(token):
            # "what could happen would be ...": the wh-clause is the subject of a statement
            return not _pronoun_before(body, token) and token.head.dep_ not in {"csubj", "csubjpass"}
        if token.pos_ in {"VERB", "AUX"}:
            return token.dep_ == "ROOT" and token.tag_ in {"VBZ", "VBD", "VBP"} and first.dep_ == "nsubj"
    return False


def _pronoun_before(body: list[Token], auxiliary: Token) -> bool:
    """ "what we are doing is ..." puts the subject before the auxiliary: a free relative, not a question."""
    return any(token.i < auxiliary.i and token.dep_ in SUBJECT_DEPS for token in body[1:])
