"""The frame of a sentence that may state an action: who acts (the speaker, the addressee, a named person
or role, the group, or anyone who takes it on) and with which modal or construction ("will", "must", "can",
a request, an imperative, "let's", "who's going to ...?").

Chains like "going to have to decide" are walked down to the lexical verb (`verb_chains.py`); `actions.py`
scores the frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from parley.intel.verb_chains import MODALS, lexical_chain, strongest, subject_of

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

# named: a person by name; role: "the industrial designer"; anyone: whoever takes it on
Who = Literal["speaker", "addressee", "named", "role", "group", "anyone"]

HEDGE_ROOTS = {"think", "guess", "suppose", "believe", "reckon", "feel", "hope", "say", "expect", "imagine"}
GROUP_WORDS = {"everyone", "everybody", "each", "all", "one", "team", "group", "department"}
# "The industrial designer will ...": a role, assigned by its name when no speaker has it.
ROLE_WORDS = {"manager", "designer", "expert", "lead", "owner", "engineer", "developer", "secretary", "chair"}
ANYONE_WORDS = {"someone", "somebody", "anyone", "anybody", "who"}
ELIDED_SUBJECT = {"want", "like", "mean"}  # a bare "want to ..." drops "do you", it does not order
RECEIVING = {"see", "hear", "get", "have", "receive", "read", "review"}
ADDRESSED_GROUPS = {"two", "three", "both", "all", "guys", "folks"}
QUOTES = {'"', "“", "”"}
# Words a time phrase before a bare imperative may hold ("by next meeting, please come up with ...").
LATER_WORDS = {"next", "tomorrow", "tonight", "later", "afterwards", "week", "month", "friday", "monday"}
ASKING_AUXILIARIES = {"can", "could", "would", "will", "ca"}  # "can you ...?", "could somebody ...?"
REQUEST_AUXILIARIES = ASKING_AUXILIARIES | {"'ll"}  # also "by when do you think you'll ..."
GRATEFUL = {"great", "helpful", "good", "nice", "useful", "perfect", "brilliant", "fantastic", "appreciated"}
# "Further instructions will be sent by your coach", "the minutes will be circulated": announced to people.
PASSED_ON = {"send", "email", "e-mail", "mail", "forward", "circulate", "distribute", "share", "upload"}
SENT_THINGS = {"minutes", "instructions", "instruction", "information", "details", "slides", "email"}
SENT_THINGS |= {"file", "files", "report", "notes", "summary", "document", "documents", "agenda", "link"}
SENT_THINGS |= {"invitation"}
RECIPIENTS = {"you", "us", "everyone", "everybody", "all", "them", "team"}
# A name in one of these roles is what the verb acts on ("want to do Vista,"), not someone spoken to.
ARGUMENTS = {"pobj", "dobj", "nsubj", "nsubjpass", "attr", "dative", "compound", "poss", "conj"}


@dataclass(frozen=True, slots=True)
class Frame:
    verb: Token
    who: Who
    modal: str  # will / must / should / can / want / try, or request / imperative / lets / offer / asked
    name: str | None = None
    polite: bool = False  # asked with "if you could ...": the "if" is no condition


def find_frame(sentence: Span, *, question_form: bool) -> Frame | None:
    """The frame of the main clause, of what "I think" governs, or of a request inside "I want you to"."""
    root = sentence.root
    if root.pos_ not in {"VERB", "AUX"} or root.tag_ == "MD":  # "I'll send it, right?", "I'll I'll take"
        root = next((c for c in root.children if c.dep_ in {"ccomp", "parataxis"} and c.pos_ == "VERB"), root)
    requested = _asked_when(sentence) or _pseudo_cleft(root) or _polite_if(sentence)
    if requested is not None:
        return requested
    if question_form:
        asked = _question_frame(sentence, root)
        if asked is not None or not _declarative_order(root):
            return asked  # else a tag question: "I'll send it, right?"
    lemma = root.lemma_.lower()
    if lemma == "let" or any(c.dep_ == "aux" and c.lemma_.lower() == "let" for c in root.children):
        return _lets_frame(root)
    subject = subject_of(root)
    if lemma in HEDGE_ROOTS and subject is not None and subject.lower_ in {"i", "we"}:
        inner = next((c for c in root.children if c.dep_ == "ccomp" and c.pos_ in {"VERB", "AUX"}), None)
        return _frame_for_clause(inner, sentence) if inner is not None else None
    if lemma in {"want", "need", "like"} and subject is not None and subject.lower_ in {"i", "we"}:
        requested = _request_of_other(root)  # "I want you to ...", "we need John to ..."
        if requested is not None:
            return requested
    return _frame_for_clause(root, sentence)


def _frame_for_clause(verb: Token, sentence: Span) -> Frame | None:
    subject = subject_of(verb)
    if subject is None:
        return _imperative(verb, sentence)
    if any(child.dep_ == "neg" for child in verb.children):
        return None
    lexical, markers = lexical_chain(verb)
    markers |= {
        MODALS[c.lemma_.lower()] for c in verb.children if c.dep_ == "aux" and c.lemma_.lower() in MODALS
    }
    if "wo" in {c.lower_ for c in verb.children} or any(c.dep_ == "neg" for c in lexical.children):
        return None
    modal = strongest(markers)
    who, name = _who(subject)
    if subject.dep_ == "nsubjpass" and who not in {"role", "named"}:
        return _passed_on(lexical, modal, subject)  # not "I'll get rid of it"; yes "Mark will be focused on"
    if modal is None and lexical is verb and verb.dep_ == "ROOT" and _addressed_group(subject):
        return Frame(verb, "addressee", "imperative")  # "you two prepare the presentation"
    if modal is None or who is None:
        return None
    if modal == "can" and who == "group" and subject.lower_ != "we":
        return None  # "the manufacturing department can deliver a curved case": what it is able to do
    return Frame(lexical, who, modal, name)


def _asked_when(sentence: Span) -> Frame | None:
    """ "When can you send me the figures?", "by when do you think you can give me a plan?": asking when
    takes the task for granted. Not "when you can buy it in the shop, ..." (no question)."""
    opening = [t for t in sentence[:6] if t.lower_ == "when"]
    if not opening:
        return None
    for verb in sentence[opening[0].i - sentence.start + 1 :]:
        subject = subject_of(verb)
        auxiliaries = [c for c in verb.children if c.dep_ == "aux" and c.lower_ in REQUEST_AUXILIARIES]
        if verb.pos_ != "VERB" or subject is None or subject.lower_ != "you" or not auxiliaries:
            continue
        inverted = auxiliaries[0].i < subject.i
        if inverted or verb.head.lemma_.lower() in HEDGE_ROOTS:
            return Frame(lexical_chain(verb)[0], "addressee", "request", _vocative(sentence))
    return None


def _polite_if(sentence: Span) -> Frame | None:
    """ "So if you would look at that and let us know", "if you could send me the deck, that'd be great":
    a request, not a condition (not "if you would like, I can ...")."""
    for mark in sentence:
        verb = mark.head
        if mark.lower_ != "if" or mark.dep_ != "mark" or verb.lemma_.lower() in ELIDED_SUBJECT | {"need"}:
            continue
        subject = subject_of(verb)
        auxiliaries = {c.lower_ for c in verb.children if c.dep_ == "aux"}
        if subject is None or subject.lower_ != "you" or verb.pos_ != "VERB":
            continue
        if (auxiliaries & {"could", "would"} and _stands_alone(verb)) or (
            "can" in auxiliaries and _thanked(verb.head)
        ):
            return Frame(lexical_chain(verb)[0], "addressee", "request", _vocative(sentence), polite=True)
    return None


def _stands_alone(verb: Token) -> bool:
    """The if-clause is all there is ("so if you would look at that") or what follows only thanks; not "if
    you could connect it too hard, you may get ..."."""
    main = verb.head
    return verb.dep_ == "ROOT" or main.pos_ not in {"VERB", "AUX"} or _thanked(main)


def _thanked(main: Token) -> bool:
    """ "..., that would be helpful", "... that'd be great"."""
    return main.lemma_.lower() == "be" and any(
        c.dep_ == "acomp" and c.lower_ in GRATEFUL for c in main.children
    )


def _pseudo_cleft(root: Token) -> Frame | None:
    """ "What I'd like you to do is prepare the slides", "what you can do is come up with a prototype":
    the addressee is asked to do what follows "is"."""
    if root.lemma_.lower() != "be":
        return None
    clause = next((c for c in root.children if c.dep_ == "csubj"), None)
    action = next((c for c in root.children if c.dep_ in {"xcomp", "ccomp"} and c.pos_ == "VERB"), None)
    if clause is None or action is None:
        return None
    words = {t.lower_ for t in clause.subtree}
    if not {"what", "you", "do"} <= words:
        return None
    return Frame(lexical_chain(action)[0], "addressee", "request", _vocative(root.sent))


def _passed_on(verb: Token, modal: str | None, subject: Token) -> Frame | None:
    """What will be sent or circulated to people, by whom the agent names ("by your coach") or by anyone;
    not a signal sent to the chip."""
    if modal != "will" or verb.lemma_.lower() not in PASSED_ON:
        return None
    agent = next(
        (t for c in verb.children if c.dep_ == "agent" for t in c.children if t.dep_ == "pobj"), None
    )
    to_people = any(t.dep_ == "pobj" and t.lower_ in RECIPIENTS for t in verb.subtree)
    if agent is None and not to_people and subject.lower_ not in SENT_THINGS:
        return None
    who, name = _who(agent) if agent is not None else (None, None)
    return Frame(verb, who or "anyone", modal, name)


def _addressed_group(subject: Token) -> bool:
    """ "You two", "you both", "you guys": people told what to do, not a statement about "you"."""
    if subject.lower_ == "you":
        return any(c.lower_ in ADDRESSED_GROUPS for c in subject.children)
    return subject.lower_ in ADDRESSED_GROUPS and any(c.lower_ == "you" for c in subject.children)


def _question_frame(sentence: Span, root: Token) -> Frame | None:
    """Only some questions ask for an action: "can you ...", "should we ...", "why don't we ..."."""
    subject = subject_of(root)
    if subject is not None and subject.lower_ == "who":
        return _volunteer_wanted(root)
    auxiliaries = {c.lower_ for c in root.children if c.dep_ == "aux"}
    why_not = "why" in {t.lower_ for t in sentence} and any(c.dep_ == "neg" for c in root.children)
    if subject is None or root.tag_ != "VB" or (any(c.dep_ == "neg" for c in root.children) and not why_not):
        return None
    if why_not:
        auxiliaries.add("should")  # "why don't we/you ..." proposes
    lexical, _ = lexical_chain(root)
    if subject.lower_ == "you" and auxiliaries & (ASKING_AUXILIARIES | {"should"}):
        return Frame(lexical, "addressee", "request", _vocative(sentence))
    if subject.lower_ == "we" and auxiliaries & {"should", "shall"}:
        return Frame(lexical, "speaker", "should")
    if subject.lower_ in ANYONE_WORDS and auxiliaries & ASKING_AUXILIARIES:
        return Frame(lexical, "anyone", "request")  # "could somebody send the minutes?"
    return None


def _volunteer_wanted(root: Token) -> Frame | None:
    """ "Who's going to book the venue?", "who can send the minutes?": a task that waits for a volunteer
    (not "who booked it?")."""
    if any(c.dep_ == "neg" for c in root.children):
        return None
    lexical, markers = lexical_chain(root)
    markers |= {MODALS[c.lower_] for c in root.children if c.dep_ == "aux" and c.lower_ in MODALS}
    return Frame(lexical, "anyone", "asked") if markers else None


def _declarative_order(root: Token) -> bool:
    subject = subject_of(root)
    auxiliaries = [c.i for c in root.children if c.dep_ == "aux"]
    return subject is not None and subject.i < min(auxiliaries, default=root.i)


def _lets_frame(root: Token) -> Frame | None:
    """ "let's schedule a call" (let + ccomp) or "let's see" (parsed with "let" as an auxiliary); "let me
    know" asks the addressee to tell."""
    if root.lemma_.lower() == "let":
        action = next(
            (c for c in root.children if c.dep_ in {"ccomp", "xcomp"} and c.pos_ in {"VERB", "AUX"}), None
        )
    else:
        action = root
    if action is None or any(c.dep_ == "neg" for c in action.children):
        return None
    if root.lemma_.lower() == "let" and action.lemma_.lower() == "know":
        return Frame(root, "addressee", "imperative", _vocative(root.sent))  # "let me know", "let them know"
    us = next((c for c in [*root.children, *action.children] if c.lower_ in {"'s", "us", "me"}), None)
    if us is None:
        return None
    lexical, _ = lexical_chain(action)
    return Frame(lexical, "speaker", "lets" if us.lower_ != "me" else "offer")


def _request_of_other(root: Token) -> Frame | None:
    wanted = next((c for c in root.children if c.dep_ == "dobj" and c.lower_ in ANYONE_WORDS), None)
    task = next((c for c in wanted.children if c.dep_ in {"relcl", "acl"}), None) if wanted else None
    if task is not None and any(c.lower_ == "to" for c in task.children):
        return Frame(lexical_chain(task)[0], "anyone", "request")  # "we need someone to review it"
    clause = next((c for c in root.children if c.dep_ in {"ccomp", "xcomp"} and c.pos_ == "VERB"), None)
    if clause is not None and _receives_yours(clause):
        return Frame(clause, "addressee", "request", _vocative(root.sent))  # "I'd like to see your concept"
    subject = subject_of(clause) if clause is not None else None
    if clause is None or subject is None or subject.lower_ in {"i", "we"}:
        return None
    who, name = _who(subject)
    name = name or _vocative(root.sent)
    return Frame(lexical_chain(clause)[0], who, "request", name) if who else None


def _receives_yours(verb: Token) -> bool:
    """ "(I'd like to) see your interface concept", "(we need to) get your figures": the addressee is to
    produce it."""
    return verb.lemma_.lower() in RECEIVING and any(
        c.dep_ == "dobj" and any(p.dep_ == "poss" and p.lower_ == "your" for p in c.children)
        for c in verb.children
    )


def _imperative(verb: Token, sentence: Span) -> Frame | None:
    """A bare verb opening the sentence (after "so", "please", or a name and a comma); not "want to ..."
    ("(do you) want to do Vista?"), nor words in quotation marks (a phrase mentioned, not said to anyone)."""
    if verb.tag_ != "VB" or verb.dep_ != "ROOT" or any(c.dep_ in {"aux", "neg"} for c in verb.children):
        return None
    if verb.lemma_.lower() in ELIDED_SUBJECT or any(t.text in QUOTES for t in sentence if t.i < verb.i):
        return None
    timing = {t.i for c in verb.children if c.i < verb.i and _later_phrase(c) for t in c.subtree}
    before = [t for t in sentence if t.i < verb.i and not t.is_punct and t.i not in timing]
    name = _vocative(sentence)
    allowed = {"so", "okay", "ok", "and", "then", "now", "please", "just", "um", "uh", "well", "also"}
    if any(t.lower_ not in allowed and (name is None or t.text not in name.split()) for t in before):
        return None
    return Frame(lexical_chain(verb)[0], "addressee", "imperative", name)


def _later_phrase(token: Token) -> bool:
    """ "by next meeting", "tomorrow": when the bare imperative after it is to be done."""
    return token.dep_ in {"prep", "npadvmod", "advmod"} and any(
        t.lower_ in LATER_WORDS or t.ent_type_ in {"DATE", "TIME"} for t in token.subtree
    )


def _who(subject: Token) -> tuple[Who | None, str | None]:
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


def _vocative(sentence: Span) -> str | None:
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
