"""Action items in one parsed sentence: commitments ("I'll send the deck"), requests ("can you review the
contract", "John, please call them"), obligations ("we need to book the venue") and proposals ("let's
schedule a call", "maybe we could ask legal").

Rules over the dependency parse: find the clause's frame (who acts, and with which modal or construction),
walk chains like "going to have to decide" down to the lexical verb, and score:
- the frame sets the base score (a named person or "I" with "will" is firmer than "you can");
- a deadline or a later-time marker ("next meeting", "afterwards") raises it;
- hedges ("maybe", "I think"), conditions ("if ..."), "just", and verbs that narrate the meeting itself
  ("I'll show you", "let's start") lower it, so they fall under the default threshold of 0.5.
`definitive` is a firm frame (will / must / need to / let's / a request) with no hedge or condition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

Who = Literal["speaker", "addressee", "named", "group"]

MODALS = {"will": "will", "shall": "will", "must": "must", "should": "should", "ought": "should"}
MODALS |= {"can": "can", "could": "can", "may": "can", "might": "can", "would": "can"}
# Verbs whose xcomp carries the action: "going to send", "have to decide", "try to call".
CHAIN = {"go": "will", "gon": "will", "plan": "will", "intend": "will", "need": "must", "have": "must"}
CHAIN |= {"got": "must", "get": "must", "try": "try", "want": "want", "like": "want", "mean": "want"}
CHAIN |= {"supposed": "must", "suppose": "must", "able": "can", "be": "will"}
HEDGE_ROOTS = {"think", "guess", "suppose", "believe", "reckon", "feel", "hope", "say", "expect", "imagine"}
BASE = {  # (who, modal class) -> score
    "speaker": {"will": 0.85, "must": 0.75, "should": 0.6, "can": 0.6, "want": 0.55, "try": 0.6},
    "group": {"will": 0.7, "must": 0.75, "should": 0.65, "can": 0.6, "want": 0.5, "try": 0.55},
    "named": {"will": 0.85, "must": 0.8, "should": 0.65, "can": 0.6, "want": 0.5, "try": 0.6},
    "addressee": {"will": 0.65, "must": 0.65, "should": 0.6, "can": 0.45, "want": 0.4, "try": 0.55},
}
FIRM = {"will", "must"}
# Not actions whatever the frame: states, opinions, perception.
STATIVE = {
    "be", "seem", "know", "think", "believe", "like", "love", "hate", "want", "mean", "guess", "suppose",
    "feel", "hope", "wish", "understand", "agree", "wonder", "bet", "imagine", "expect", "hear", "matter",
    "depend", "cost", "belong", "remember", "forget", "realise", "realize", "notice", "happen", "sound",
    "look", "need", "appear", "prefer", "lose", "end", "become", "stay", "remain", "fit", "mind", "excuse",
}  # fmt: skip
# Verbs that usually narrate the meeting as it happens ("I'll show you", "let's start", "we'll see").
NARRATION = {
    "talk", "speak", "show", "explain", "go", "start", "begin", "draw", "tell", "say", "move", "pass",
    "hand", "introduce", "recap", "summarise", "summarize", "see", "stop", "continue", "wait", "sit", "grab",
    "open", "turn", "give", "run", "mention", "point", "hold", "come", "read", "switch", "play", "try",
    "leave", "break", "finish", "wind", "skip", "vote", "save", "write", "press", "click", "put", "clap",
}  # fmt: skip
# What a narrating verb makes or files when it is work, not narration ("write the report").
WORK_PRODUCTS = {"minutes", "report", "summary", "notes", "document", "proposal", "quote", "invoice", "draft"}
WORK_PRODUCTS |= {"reports", "documents", "proposals", "quotes", "invoices", "drafts"}
LIGHT_OBJECTS = {"look", "chat", "call", "meeting", "word", "think", "discussion", "talk", "go", "review"}
HEDGES = {"maybe", "perhaps", "probably", "possibly", "hopefully", "might", "may", "could"}
GROUP_WORDS = {"someone", "somebody", "everyone", "everybody", "anyone", "anybody", "each", "all", "one"}
GROUP_WORDS |= {"team", "group", "manager", "designer", "expert", "lead", "owner", "department"}
FUTURE_MARKERS = re.compile(
    r"\b(next\s+(meeting|time|session|call)|after\s+(the|this)\s+(meeting|call|break|lunch)|afterwards|"
    r"later|soon|asap|as\s+soon\s+as|before\s+the\s+next|offline|tomorrow)\b",
    re.IGNORECASE,
)
CONDITIONAL = re.compile(r"^\W*(\w+\W+){0,3}?(if|unless|whether)\b", re.IGNORECASE)

# Further contact: these action items are follow-ups.
CONTACT_VERBS = {
    "send", "email", "e-mail", "mail", "forward", "call", "phone", "ring", "text", "message", "contact",
    "ping", "reply", "respond", "invite", "remind", "schedule", "reschedule", "meet", "notify", "inform",
}  # fmt: skip
CONTACT_PARTICLES = {("follow", "up"), ("circle", "back"), ("get", "back"), ("reach", "out"), ("check", "in")}
CONTACT_PARTICLES |= {("catch", "up"), ("loop", "in"), ("touch", "base"), ("get", "in")}
MEETING_WORDS = {"meeting", "call", "chat", "session", "demo", "appointment", "sync", "catch", "follow"}
ARRANGE_VERBS = {"set", "arrange", "organise", "organize", "book", "plan", "have", "hold", "fix", "put"}
SKIP_IN_PHRASE = {"conj", "cc", "punct", "advcl", "mark", "parataxis", "relcl", "intj", "discourse"}


@dataclass(frozen=True, slots=True)
class ActionMatch:
    verb: Token  # the lexical verb of the action ("decide" in "we're going to have to decide")
    score: float
    definitive: bool
    who: Who
    name: str | None  # the named assignee as written ("John"), when there is one
    follow_up: bool
    phrase: str  # the action phrase ("send the revised schedule")


@dataclass(frozen=True, slots=True)
class _Frame:
    verb: Token
    who: Who
    modal: str  # a key of BASE's inner tables, or "request" / "imperative" / "lets"
    name: str | None = None


def find_action(sentence: Span, *, question_form: bool, has_due: bool) -> ActionMatch | None:
    """The action item the sentence states or asks for, or None."""
    frame = _frame(sentence, question_form=question_form)
    if frame is None or not _is_action_verb(frame.verb):
        return None
    score, firm = _base(frame)
    text = sentence.text
    hedged = _hedged(sentence, frame.verb)
    future = has_due or bool(FUTURE_MARKERS.search(text))
    follow_up = _is_follow_up(frame.verb)
    if has_due:
        score += 0.1
    elif future:
        score += 0.05
    if _narrates(frame.verb) and not future and not follow_up:
        score -= 0.3
    if any(child.lower_ == "just" for child in frame.verb.children):
        score -= 0.1
    if hedged:
        score -= 0.1
    if CONDITIONAL.search(text):
        score -= 0.15
    if not _has_complement(frame.verb):
        score -= 0.15
    definitive = firm and not hedged and not CONDITIONAL.search(text)
    return ActionMatch(
        verb=frame.verb,
        score=round(min(max(score, 0.0), 0.98), 3),
        definitive=definitive,
        who=frame.who,
        name=frame.name,
        follow_up=follow_up,
        phrase=action_phrase(frame.verb),
    )


def _narrates(verb: Token) -> bool:
    """ "I'll write it on the board" narrates; "I'll write the report", "I'll put the minutes in the folder"
    name work that outlasts the meeting."""
    if verb.lemma_.lower() not in NARRATION:
        return False
    return not any(c.dep_ == "dobj" and c.lower_ in WORK_PRODUCTS for c in verb.children)


def _base(frame: _Frame) -> tuple[float, bool]:
    if frame.modal == "request":
        return (0.85 if frame.name else 0.8), True
    if frame.modal == "imperative":
        return (0.8 if frame.name else 0.6), True
    if frame.modal == "lets":
        return 0.75, True
    return BASE[frame.who][frame.modal], frame.modal in FIRM


def _frame(sentence: Span, *, question_form: bool) -> _Frame | None:
    root = sentence.root
    if root.pos_ not in {"VERB", "AUX"}:  # "I'll send it, right?" is parsed around "right"
        root = next((c for c in root.children if c.dep_ in {"ccomp", "parataxis"} and c.pos_ == "VERB"), root)
    if question_form:
        asked = _question_frame(sentence, root)
        if asked is not None or not _declarative_order(root):
            return asked  # else a tag question: "I'll send it, right?"
    lemma = root.lemma_.lower()
    if lemma == "let" or any(c.dep_ == "aux" and c.lemma_.lower() == "let" for c in root.children):
        return _lets_frame(root)
    subject = _subject(root)
    if lemma in HEDGE_ROOTS and subject is not None and subject.lower_ in {"i", "we"}:
        inner = next((c for c in root.children if c.dep_ == "ccomp" and c.pos_ in {"VERB", "AUX"}), None)
        return _frame_for_clause(inner, sentence) if inner is not None else None
    if lemma in {"want", "need", "like"} and subject is not None and subject.lower_ in {"i", "we"}:
        requested = _request_of_other(root)  # "I want you to ...", "we need John to ..."
        if requested is not None:
            return requested
    return _frame_for_clause(root, sentence)


def _frame_for_clause(verb: Token, sentence: Span) -> _Frame | None:
    subject = _subject(verb)
    if subject is None:
        return _imperative(verb, sentence)
    if any(child.dep_ == "neg" for child in verb.children):
        return None
    lexical, markers = _lexical_chain(verb)
    markers |= {
        MODALS[c.lemma_.lower()] for c in verb.children if c.dep_ == "aux" and c.lemma_.lower() in MODALS
    }
    if "wo" in {c.lower_ for c in verb.children} or any(c.dep_ == "neg" for c in lexical.children):
        return None
    modal = _strongest(markers)
    who, name = _who(subject)
    if modal is None or who is None:
        return None
    return _Frame(lexical, who, modal, name)


def _question_frame(sentence: Span, root: Token) -> _Frame | None:
    """Only some questions ask for an action: "can you ...", "should we ...", "why don't we ..."."""
    subject = _subject(root)
    auxiliaries = {c.lower_ for c in root.children if c.dep_ == "aux"}
    why_not = "why" in {t.lower_ for t in sentence} and any(c.dep_ == "neg" for c in root.children)
    if subject is None or root.tag_ != "VB" or (any(c.dep_ == "neg" for c in root.children) and not why_not):
        return None
    if any(t.tag_ in {"WP", "WDT", "WP$"} for t in sentence if t.i < root.i):
        return None  # "what else can you do?" asks for information
    if why_not:
        auxiliaries.add("should")  # "why don't we/you ..." proposes
    lexical, _ = _lexical_chain(root)
    if subject.lower_ == "you" and auxiliaries & {"can", "could", "would", "will", "ca", "should"}:
        return _Frame(lexical, "addressee", "request", _vocative(sentence))
    if subject.lower_ == "we" and auxiliaries & {"should", "shall"}:
        return _Frame(lexical, "speaker", "should")
    return None


def _declarative_order(root: Token) -> bool:
    subject = _subject(root)
    auxiliaries = [c.i for c in root.children if c.dep_ == "aux"]
    return subject is not None and subject.i < min(auxiliaries, default=root.i)


def _lets_frame(root: Token) -> _Frame | None:
    """ "let's schedule a call" (let + ccomp) or "let's see" (parsed with "let" as an auxiliary)."""
    if root.lemma_.lower() == "let":
        action = next(
            (c for c in root.children if c.dep_ in {"ccomp", "xcomp"} and c.pos_ in {"VERB", "AUX"}), None
        )
    else:
        action = root
    if action is None or any(c.dep_ == "neg" for c in action.children):
        return None
    us = next((c for c in [*root.children, *action.children] if c.lower_ in {"'s", "us", "me"}), None)
    if us is None:
        return None
    lexical, _ = _lexical_chain(action)
    return _Frame(lexical, "speaker", "lets" if us.lower_ != "me" else "will")


def _request_of_other(root: Token) -> _Frame | None:
    clause = next((c for c in root.children if c.dep_ in {"ccomp", "xcomp"} and c.pos_ == "VERB"), None)
    subject = _subject(clause) if clause is not None else None
    if clause is None or subject is None or subject.lower_ in {"i", "we"}:
        return None
    who, name = _who(subject)
    name = name or _vocative(root.sent)
    return _Frame(_lexical_chain(clause)[0], who, "request", name) if who else None


def _imperative(verb: Token, sentence: Span) -> _Frame | None:
    """A bare verb opening the sentence (after "so", "please", or a name and a comma)."""
    if verb.tag_ != "VB" or verb.dep_ != "ROOT" or any(c.dep_ in {"aux", "neg"} for c in verb.children):
        return None
    before = [t for t in sentence if t.i < verb.i and not t.is_punct]
    name = _vocative(sentence)
    allowed = {"so", "okay", "ok", "and", "then", "now", "please", "just", "um", "uh", "well", "also"}
    if any(t.lower_ not in allowed and (name is None or t.text not in name.split()) for t in before):
        return None
    return _Frame(_lexical_chain(verb)[0], "addressee", "imperative", name)


def _lexical_chain(verb: Token) -> tuple[Token, set[str]]:
    """Walk "going to have to decide" down to "decide", collecting what each link says."""
    markers: set[str] = set()
    for _ in range(4):
        lemma = verb.lemma_.lower()
        link = CHAIN.get(lemma)
        following = next(
            (c for c in verb.children if c.dep_ in {"xcomp", "ccomp"} and c.tag_ == "VB" and c.i > verb.i),
            None,
        )
        if link is None or following is None or (lemma == "go" and verb.tag_ != "VBG") or _past(verb):
            break
        if lemma == "be" and not any(t.lower_ in {"able", "supposed", "going"} for t in verb.children):
            break
        markers.add(link)
        verb = following
    return verb, markers


def _past(verb: Token) -> bool:
    """Said of the past: "we had to remove", "we've had to", "I was going to" report, they do not commit.
    "We've got to" is the exception: a present obligation in a perfect's form."""
    if verb.lower_ == "got":
        return False
    if verb.tag_ == "VBD":
        return True
    auxiliaries = [c for c in verb.children if c.dep_ == "aux"]
    return any(c.tag_ == "VBD" for c in auxiliaries) or (
        verb.tag_ == "VBN" and any(c.lemma_.lower() == "have" for c in auxiliaries)
    )


def _strongest(markers: set[str]) -> str | None:
    for modal in ("must", "will", "should", "try", "want", "can"):
        if modal in markers:
            return modal
    return None


def _subject(verb: Token | None) -> Token | None:
    if verb is None:
        return None
    return next((c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}), None)


def _who(subject: Token) -> tuple[Who | None, str | None]:
    word = subject.lower_
    if word in {"i", "we"}:
        return ("speaker" if word == "i" else "group"), None
    if word == "you":
        return "addressee", None
    if subject.pos_ == "PROPN" or subject.ent_type_ == "PERSON":
        names = [t.text for t in subject.subtree if t.pos_ == "PROPN"]
        return "named", " ".join(names) or subject.text
    if word in GROUP_WORDS or subject.lemma_.lower() in GROUP_WORDS:
        return "group", None
    return None, None


def _vocative(sentence: Span) -> str | None:
    """A name said to someone: "John, can you ...", "... by Friday, Maria?"."""
    words = [t for t in sentence if not t.is_space]
    for index in (0, len(words) - 1, len(words) - 2):
        if not 0 <= index < len(words):
            continue
        token = words[index]
        beside = [words[i] for i in (index - 1, index + 1) if 0 <= i < len(words)]
        if token.pos_ == "PROPN" and any(t.text == "," for t in beside) and token.dep_ != "pobj":
            return token.text
    return None


def _is_action_verb(verb: Token) -> bool:
    lemma = verb.lemma_.lower()
    if verb.pos_ not in {"VERB", "AUX"}:
        return False
    if lemma == "have":
        return any(c.dep_ == "dobj" and c.lemma_.lower() in LIGHT_OBJECTS for c in verb.children)
    if lemma == "see" and any(c.dep_ == "dobj" and c.lower_ == "you" for c in verb.children):
        return False  # "I'll see you after lunch", "see you next week": a goodbye
    return lemma not in STATIVE or (
        lemma == "look" and any(c.lower_ in {"into", "at"} for c in verb.children)
    )


def _is_follow_up(verb: Token) -> bool:
    lemma = verb.lemma_.lower()
    if lemma in CONTACT_VERBS:
        return not (lemma == "call" and any(c.dep_ == "oprd" for c in verb.children))
    particles = {(lemma, c.lower_) for c in verb.children if c.dep_ in {"prt", "advmod", "prep"}}
    if particles & CONTACT_PARTICLES:
        return True
    objects = {c.lemma_.lower() for c in verb.subtree if c.dep_ in {"dobj", "pobj"}}
    if lemma in ARRANGE_VERBS and objects & MEETING_WORDS:
        return True
    return lemma in {"talk", "speak", "write"} and any(
        c.dep_ == "prep" and c.lower_ in {"to", "with"} for c in verb.children
    )


def _hedged(sentence: Span, verb: Token) -> bool:
    lowered = {t.lower_ for t in sentence}
    if lowered & HEDGES:
        return True
    return any(
        t.lemma_.lower() in HEDGE_ROOTS and t.i < verb.i and t.dep_ in {"ROOT", "parataxis"} for t in sentence
    )


def _has_complement(verb: Token) -> bool:
    return any(
        c.dep_ in {"dobj", "prt", "prep", "dative", "xcomp", "ccomp", "attr", "oprd"} for c in verb.children
    )


def action_phrase(verb: Token) -> str:
    """The verb and what it governs to its right: "send the revised schedule to the team"."""
    last = verb.i
    for child in verb.rights:
        if child.dep_ in SKIP_IN_PHRASE or child.ent_type_ in {"DATE", "TIME"}:
            break
        if child.dep_ == "prep" and any(t.ent_type_ in {"DATE", "TIME"} for t in child.subtree):
            break
        last = max(last, child.right_edge.i)
    tokens = [t for t in verb.doc[verb.i : last + 1] if not t.is_space]
    if comma := next((i for i, t in enumerate(tokens) if t.text == ","), None):
        tokens = tokens[:comma]  # "review the contract, Bob": the name is said to someone
    while tokens and tokens[-1].is_punct:
        tokens.pop()
    return "".join(t.text_with_ws for t in tokens).strip()
