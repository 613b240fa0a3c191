"""The frame of an action (who acts, with which modal or construction), who a subject names, and the
person a sentence is said to, shared by `action_frames.py` (statements, questions, imperatives),
`indirect_actions.py` (requests put indirectly) and `stated_tasks.py` (tasks stated with a noun)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

# named: a person by name; role: "the industrial designer"; anyone: whoever takes it on
Who = Literal["speaker", "addressee", "named", "role", "group", "anyone"]
HEDGE_ROOTS = {"think", "guess", "suppose", "believe", "reckon", "feel", "hope", "say", "expect", "imagine"}
# "The industrial designer will ...": a role, assigned by its name when no speaker has it.
ROLE_WORDS = {"manager", "designer", "expert", "lead", "owner", "engineer", "developer", "secretary", "chair"}
# A name in one of these roles is what the verb acts on ("want to do Vista,"), not someone spoken to.
ARGUMENTS = {"pobj", "dobj", "nsubj", "nsubjpass", "attr", "dative", "compound", "poss", "conj"}
GROUP_WORDS = {"everyone", "everybody", "each", "all", "one", "team", "group", "department", "committee"}
ANYONE_WORDS = {"someone", "somebody", "anyone", "anybody", "who"}
FILLERS = {"um", "uh", "so", "okay", "ok", "and", "then", "now", "well", "right", "the", "our", "my"}


@dataclass(frozen=True, slots=True)
class Frame:
    verb: Token
    who: Who
    modal: str  # will / must / should / can / want / try, or request / imperative / lets / offer / asked
    name: str | None = None
    polite: bool = False  # asked with "if you could ...": the "if" is no condition
    later: bool = False  # the words say it is for after the meeting: "our homework is to ..."


def vocative(sentence: Span) -> str | None:
    """A name said to someone: "John, can you ...", "... by Friday, Maria?"."""
    words = [t for t in sentence if not t.is_space]
    for index in (0, len(words) - 1, len(words) - 2):
        if not 0 <= index < len(words):
            continue
        token = words[index]
        beside = [words[i] for i in (index - 1, index + 1) if 0 <= i < len(words)]
        if token.pos_ == "PROPN" and any(t.text == "," for t in beside) and token.dep_ not in ARGUMENTS:
            return token.text
    return None


def role_spoken_to(sentence: Span) -> str | None:
    """A role said to someone at the start: "User Interface Designer, uh Roo, I would like ...", "um the
    marketing expert, ..." (the words before the first comma are fillers, a determiner and the role)."""
    comma = next((t for t in sentence if t.text == ","), None)
    if comma is None:
        return None
    before = [t for t in sentence if t.i < comma.i and t.lower_ not in FILLERS]
    if not before or before[-1].lemma_.lower() not in ROLE_WORDS or len(before) > 4:
        return None
    return " ".join(t.text for t in before)


def who_of(subject: Token) -> tuple[Who | None, str | None]:
    word = _partitive_pronoun(subject) or subject.lower_
    if word in {"i", "we"}:
        return ("speaker" if word == "i" else "group"), None
    if word == "you":
        return "addressee", None
    if subject.tag_ == "NNPS":
        return None, None  # "the Liberals", "all Canadians": a party or a people, no one in the meeting
    if subject.pos_ == "PROPN" or subject.ent_type_ == "PERSON":
        names = [t.text for t in subject.subtree if t.pos_ == "PROPN"]
        return "named", " ".join(names) or subject.text
    if word in ANYONE_WORDS:
        return "anyone", None
    if subject.lemma_.lower() in ROLE_WORDS:
        named = [
            t.text for c in subject.children if c.dep_ == "appos" for t in c.subtree if t.pos_ == "PROPN"
        ]
        if named:
            return "named", " ".join(named)  # "our IT lead, Priya, will ..."
        role = [t.text for t in subject.subtree if t.dep_ in {"compound", "amod"} and t.i < subject.i]
        return "role", " ".join([*role, subject.text])
    if word in GROUP_WORDS or subject.lemma_.lower() in GROUP_WORDS:
        return "group", None
    return None, None


def _partitive_pronoun(subject: Token) -> str | None:
    """ "the three of us" acts as "we", "each of you" as "you"."""
    if subject.lower_ in {"none", "neither"}:
        return None
    of = next((c for c in subject.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    pronoun = next((c.lower_ for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
    return {"us": "we", "you": "you"}.get(pronoun or "")
