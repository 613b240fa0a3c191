"""Action items in one parsed sentence: commitments ("I'll send the deck"), requests ("can you review the
contract", "John, please call them"), obligations ("we need to book the venue") and proposals ("let's
schedule a call", "maybe I could ask legal").

Rules over the dependency parse: find the clause's frame (who acts, and with which modal or construction),
walk chains like "going to have to decide" down to the lexical verb, and score:
- the frame sets the base score (a named person or "I" with "will" is firmer than "you can"; a bare
  imperative or "let me" is weak unless it is a follow-up);
- a deadline or a later-time marker ("next meeting", "afterwards") raises it, and so does a task that
  outlasts the meeting ("find out", "look into", "the report", "the minutes");
- hedges ("maybe", "I think"), conditions ("if ..."), "just", the moment itself ("now", "here"), verbs that
  narrate the meeting or do its own business ("I'll show you", "let's discuss"), and what "we could" or
  "we should" do with no task or later time (a proposal in discussion) lower it, so they fall under the
  default threshold of 0.5.
`definitive` is a firm frame (will / must / need to / let's / a request) with no hedge or condition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from parley.intel.action_frames import HEDGE_ROOTS, RECEIVING, Frame, Who, find_frame
from parley.intel.follow_ups import in_touch, is_follow_up
from parley.intel.verb_chains import infinitive_noun
from parley.intel.work import DISPLAYS, is_task, is_work_product, narrates

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

BASE = {  # (who, modal class) -> score
    "speaker": {"will": 0.85, "must": 0.75, "should": 0.6, "can": 0.6, "want": 0.55, "try": 0.6},
    "group": {"will": 0.7, "must": 0.75, "should": 0.65, "can": 0.6, "want": 0.5, "try": 0.55},
    "named": {"will": 0.85, "must": 0.8, "should": 0.65, "can": 0.6, "want": 0.5, "try": 0.6},
    "addressee": {"will": 0.65, "must": 0.55, "should": 0.6, "can": 0.45, "want": 0.4, "try": 0.55},
}
BASE["role"] = BASE["named"]  # "the industrial designer will ..."
BASE["anyone"] = BASE["group"]  # "someone needs to book the venue"
# "Who's going to book the venue?" names no one: an action item once someone takes it on (volunteers.py).
ASKED = 0.3
FIRM = {"will", "must"}
MIN_SCORE = 0.5  # items below are dropped: the API's confidenceThreshold cannot go lower
DEADLINE = 0.1  # what a deadline adds
# A bare imperative ("use big buttons", "select the pen") and "let me ..." ("let me get that") are, in
# meetings, mostly proposals or acts of the moment: they pass 0.5 only with more evidence (a deadline, a
# later time, a task); "send me the deck" and "let me call them" are follow-ups and pass.
BARE_IMPERATIVE = 0.45
OFFER = 0.45
PLEASE = 0.15  # "please send ...", "please reply to the email": asked for, not a design instruction
# A commitment with no later time, no task that outlasts the meeting and no further contact ("I'll get rid
# of this", "we have to use plastic"): in meetings, mostly the moment or the product under discussion.
UNSUPPORTED = -0.15
UNSUPPORTED_GROUP = -0.3  # "we need to examine this", "let's make those four": no one, nothing, no time
NARRATION_PENALTY = UNSUPPORTED - 0.3
# Not actions whatever the frame: states, opinions, perception.
STATIVE = {
    "be", "seem", "know", "think", "believe", "like", "love", "hate", "want", "mean", "guess", "suppose",
    "feel", "hope", "wish", "understand", "agree", "wonder", "bet", "imagine", "expect", "hear", "matter",
    "depend", "cost", "belong", "remember", "forget", "realise", "realize", "notice", "happen", "sound",
    "look", "need", "appear", "prefer", "lose", "end", "become", "stay", "remain", "fit", "mind", "excuse",
}  # fmt: skip
# Done by saying them ("I'd like to thank the volunteers", "I can assure the member that ..."): no task.
SPEECH_ACTS = {
    "thank", "welcome", "congratulate", "recognise", "recognize", "acknowledge", "commend", "assure",
}  # fmt: skip
DONE = {"done", "finished", "completed", "ready", "sorted", "fixed"}  # "I'll have it done by Friday"
LIGHT_OBJECTS = {"look", "chat", "call", "meeting", "word", "think", "discussion", "talk", "review"}
LISTENERS = {"you", "everyone", "everybody", "anyone", "anybody", "y'all"}
SHOWN = {"it", "this", "that", "me", "us", "them", "everything", "anything"}  # "can you see me?" on video
GENERIC_ADVERBS = {"always", "ever", "never", "usually", "normally", "generally"}
# Said of a product's user ("you can buy the covers").
CONSUMER_VERBS = {"buy", "use", "press", "push", "lose", "afford", "drop", "throw"}
HEDGES = {"maybe", "perhaps", "probably", "possibly", "hopefully", "might", "may", "could"}
FUTURE_MARKERS = re.compile(
    r"\b(next\s+(meeting|time|session|call)|after\s+(the|this)\s+(meeting|call|break|lunch)|afterwards|"
    r"later|soon|asap|as\s+soon\s+as|before\s+the\s+next|offline|tomorrow|"
    r"by\s+when|when\s+(can|could|will|would|do)\s+you|when\s+you\s+think)\b",  # asking when it will be done
    re.IGNORECASE,
)
# Within the meeting: "in a minute", "in just a second", "in a few minutes" (a due time, but not later work).
WITHIN_MINUTES = re.compile(
    r"\bin\s+(just\s+)?(a|a\s+few|a\s+couple\s+of|few|\d+|two|three|four|five|ten|fifteen|twenty)\s+"
    r"(minute|second|sec|moment)s?\b",
    re.I,
)
# "So today I'd like to walk you through the pricing": the day of the meeting, not a deadline ("I'll send
# it today" puts it last).
OPENING_TODAY = re.compile(r"^\W*(\w+\W+){0,2}?today\b", re.I)
# Said of the meeting in progress ("I'll redraw it now", "first off we should state", "I'll take the
# mouse"): not work for later.
IMMEDIATE = re.compile(
    r"\b(now|here|first\s+(off|of\s+all)|(at|for)\s+the\s+moment|for\s+now|"
    r"(on|onto|to)\s+the\s+(white\s*)?(board|screen|flip\s*chart)|"
    r"the\s+(whiteboard|mouse|pen|marker|pointer|projector|flip\s*chart))\b",
    re.I,
)
WHETHER_VERBS = {"check", "see", "ask", "find", "wonder", "confirm", "verify", "test", "figure"}
CONDITIONAL = re.compile(r"^\W*(\w+\W+){0,3}?(if|unless|whether)\b", re.IGNORECASE)

SKIP_IN_PHRASE = {"conj", "cc", "punct", "advcl", "mark", "parataxis", "relcl", "intj", "discourse"}


@dataclass(frozen=True, slots=True)
class ActionMatch:
    verb: Token  # the lexical verb of the action ("decide" in "we're going to have to decide")
    score: float
    evidence: float  # what the score adds to the frame's base: time, kind of work, hedges, conditions
    definitive: bool
    who: Who
    name: str | None  # the named assignee as written ("John"), when there is one
    follow_up: bool
    phrase: str  # the action phrase ("send the revised schedule")


def find_action(sentence: Span, *, question_form: bool, has_due: bool) -> ActionMatch | None:
    """The action item the sentence states or asks for, or None."""
    frame = find_frame(sentence, question_form=question_form)
    asked = question_form or any(t.text == "?" for t in sentence)
    if (
        frame is None
        or not _is_action_verb(frame.verb)
        or (asked and frame.modal != "asked" and _asks_for_information(sentence, frame))
    ):
        return None
    text = sentence.text
    hedged = _hedged(sentence, frame.verb)
    conditional = not frame.polite and (bool(CONDITIONAL.search(text)) or _has_condition(frame.verb))
    follow_up = is_follow_up(frame.verb)
    of_the_meeting = bool(WITHIN_MINUTES.search(text) or OPENING_TODAY.search(text))
    has_due = has_due and not of_the_meeting
    marked_later = frame.later or bool(FUTURE_MARKERS.search(text))
    later = has_due or marked_later or follow_up
    timing = _timing(
        has_due=has_due,
        marked_later=marked_later,
        now=of_the_meeting or bool(IMMEDIATE.search(text)),
        follow_up=follow_up,
    )
    base, firm = _base(frame, follow_up=follow_up)
    evidence = _evidence(frame, timing=timing, later=later) - 0.1 * hedged - 0.15 * conditional
    return ActionMatch(
        verb=frame.verb,
        score=clip_score(base + evidence),
        evidence=evidence,
        definitive=firm and not hedged and not conditional,
        who=frame.who,
        name=frame.name,
        follow_up=follow_up,
        phrase=action_phrase(frame.verb),
    )


def _evidence(frame: Frame, *, timing: float, later: bool) -> float:
    """What the words around the frame add to its base (the kind of work, besides `timing`: a deadline or a
    later time, or the moment) or take away ("just", "you'd have to", a verb with nothing after it). Hedges
    and conditions are counted by the caller."""
    evidence = timing + _kind_of_work(frame, later=later)
    if _said_with(frame.verb, {"just"}):
        evidence -= 0.1
    if frame.who == "addressee" and frame.modal not in {"request", "imperative"} and _generic_you(frame.verb):
        evidence -= 0.2  # "you'd have to figure out", "you can buy the covers": what anyone would do
    if _said_with(frame.verb, GENERIC_ADVERBS):
        evidence -= 0.2  # "Canada will always stand up for ...", "you can always phone": habits and stances
    if not _has_complement(frame.verb):
        evidence -= 0.15
    if _broken_off(frame.verb.sent):
        evidence -= 0.15  # "y you'll pick one of those for": the task is never said in full
    return evidence


def _broken_off(sentence: Span) -> bool:
    """The sentence stops on a word that needs more after it ("... one of those for", "..., or I")."""
    words = [t for t in sentence if not t.is_space]
    if not words or words[-1].is_punct:
        return False
    last = words[-1]
    return last.pos_ in {"ADP", "DET", "CCONJ", "SCONJ", "AUX", "PART"} or last.lower_ in {"i", "we"}


def _generic_you(verb: Token) -> bool:
    """ "You'd have to figure out", "you can buy the covers", "you'll make money": "you" is anyone,
    usually the product's user, not the person addressed."""
    return (
        _said_with(verb, {"would", "'d"})
        or verb.lemma_.lower() in CONSUMER_VERBS
        or any(c.dep_ == "dobj" and c.lower_ == "money" for c in verb.children)
    )


def clip_score(score: float) -> float:
    return round(min(max(score, 0.0), 0.98), 3)


def _said_with(verb: Token, words: set[str]) -> bool:
    """One of `words` modifies the verb or a link of its chain ("would" in "you'd have to figure out")."""
    return any(c.lower_ in words for t in (verb, *verb.ancestors) for c in t.children)


def _timing(*, has_due: bool, marked_later: bool, now: bool, follow_up: bool) -> float:
    """A deadline or a later time raises the score; the moment itself lowers it, even for further contact
    ("first of all I want to ask Ed about ..." opens the meeting's business)."""
    if has_due:
        return DEADLINE
    if marked_later:
        return 0.05
    if now:
        return -0.3
    return 0.05 if follow_up else 0.0


def _kind_of_work(frame: Frame, *, later: bool) -> float:
    """Narrating the meeting, or doing its own business ("we have to decide"), is not work to do later; a
    task that outlasts the meeting ("find out", "the report") is; what "we could" or "we should" do with
    neither is a proposal under discussion ("we should use infrared")."""
    if narrates(frame.verb) and not later and not _assigned_work(frame):
        return NARRATION_PENALTY
    if is_task(frame.verb):
        return 0.1
    if later:
        return 0.0
    nobody = frame.who in {"group", "anyone"}
    if nobody and frame.modal in {"can", "should"}:
        return -0.2
    return UNSUPPORTED_GROUP if nobody or frame.modal == "lets" else UNSUPPORTED


def _assigned_work(frame: Frame) -> bool:
    """ "The UI designer will be focused on the interface concept": what a role or a named person is to
    concentrate on is their part of the work, not narration of the meeting; so is what the speaker asks to
    see or receive from them ("Roo, I'd like to see the user interface concept")."""
    lemma = frame.verb.lemma_.lower()
    if frame.who in {"role", "named"} and lemma in {"focus", "concentrate"}:
        return True
    aloud = lemma == "read" and any(c.dep_ == "dative" for c in frame.verb.children)  # "read me the number"
    return (
        frame.modal == "request"
        and frame.who in {"role", "named", "addressee"}
        and lemma in RECEIVING
        and not aloud
    )


def _base(frame: Frame, *, follow_up: bool) -> tuple[float, bool]:
    if frame.modal == "request":
        return (0.85 if frame.name else 0.8), True
    if frame.modal == "imperative":
        if frame.name:
            return 0.8, True
        return (0.6 if follow_up else BARE_IMPERATIVE) + PLEASE * _said_with(frame.verb, {"please"}), True
    if frame.modal == "offer":
        return (0.6 if follow_up else OFFER), True
    if frame.modal == "lets":
        return 0.75, True
    if frame.modal == "asked":
        return ASKED, False
    return BASE[frame.who][frame.modal], frame.modal in FIRM


def _asks_for_information(sentence: Span, frame: Frame) -> bool:
    """In a question, "What else can you do?", "how many channels do we have to prepare for?": a question
    word before the action asks for information (not "why don't we ...", which proposes, nor "when can you
    send it?", which asks when)."""
    why_not = any(t.lower_ == "why" for t in sentence) and any(t.dep_ == "neg" for t in sentence)
    asking = [t for t in sentence if t.tag_ in {"WP", "WDT", "WP$", "WRB"} and t.i < frame.verb.i]
    if frame.modal == "request" and all(t.lower_ == "when" for t in asking):
        return False
    return not why_not and bool(asking)


def _is_action_verb(verb: Token) -> bool:
    lemma = verb.lemma_.lower()
    if verb.pos_ not in {"VERB", "AUX"} and not infinitive_noun(verb):
        return False
    if lemma == "have":  # "have a look", "have it done by Friday", "have a draft to you"
        return any(
            (c.dep_ == "dobj" and (c.lemma_.lower() in LIGHT_OBJECTS or is_work_product(c)))
            or (c.dep_ in {"ccomp", "oprd", "acomp"} and c.lower_ in DONE)
            for c in verb.children
        )
    if lemma == "see" and any(c.dep_ == "dobj" and c.lower_ == "you" for c in verb.children):
        return False  # "I'll see you after lunch", "see you next week": a goodbye
    if lemma == "see" and _checks_what_is_shown(verb):
        return False  # "can you see my screen?", "can you see it?": a check of the call, no task
    if lemma == "take" and any(t.dep_ == "pobj" and t.lower_ in {"yes", "no"} for t in verb.subtree):
        return False  # "I'll take that as a yes"
    if lemma in {"note", "remember"} and any(c.dep_ == "ccomp" for c in verb.children):
        return False  # "please note that the session is recorded": information, no task
    if lemma in SPEECH_ACTS:
        return False
    if lemma == "keep" and any(t.lower_ == "mind" for t in verb.subtree):
        return False  # "I'll keep that in mind": no task
    return (
        lemma not in STATIVE
        or in_touch(verb)
        or (lemma == "look" and any(c.lower_ in {"into", "at", "over"} for c in verb.children))
    )


def _checks_what_is_shown(verb: Token) -> bool:
    """ "Can you see it?", "can everyone see my screen?": "can" or "could", a listener as subject, and what is
    on show as object; not "I'd like to see the concept" nor "can you see whether it works?"."""
    children = list(verb.children)
    asks = any(c.dep_ == "aux" and c.lower_ in {"can", "could"} for c in children)
    listener = any(c.dep_ == "nsubj" and c.lower_ in LISTENERS for c in children)
    shown = any(
        c.dep_ == "dobj" and (c.lower_ in SHOWN or any(t.lower_ in DISPLAYS for t in c.subtree))
        for c in children
    )
    return asks and listener and shown


def _has_condition(verb: Token) -> bool:
    """ "Let me know if you have questions", "I'll send it unless they object"; not the "if" of whether
    ("I'll check if it works")."""
    if verb.lemma_.lower() in WHETHER_VERBS:
        return False
    return any(
        t.dep_ == "mark" and t.lower_ in {"if", "unless"} and t.head.dep_ == "advcl" for t in verb.subtree
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
        c.dep_ in {"dobj", "prt", "prep", "dative", "xcomp", "ccomp", "attr", "oprd", "agent"}
        for c in verb.children
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
