"""The frame of a sentence that may state an action: who acts (the speaker, the addressee, a named person
or role, the group, or anyone who takes it on) and with which modal or construction ("will", "must", "can",
a request, an imperative, "let's", "who's going to ...?").

Chains like "going to have to decide" are walked down to the lexical verb (`verb_chains.py`); requests put
indirectly ("would you mind ...", "what I'd like you to do is ...") are in `indirect_actions.py`;
`actions.py` scores the frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.intel.frame import ANYONE_WORDS, HEDGE_ROOTS, Frame, Who, role_spoken_to, vocative, who_of
from parley.intel.indirect_actions import ASKING_AUXILIARIES, ELIDED_SUBJECT, indirect_action
from parley.intel.stated_tasks import stated_task
from parley.intel.verb_chains import MODALS, had_better, lexical_chain, strongest, subject_of

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

RECEIVING = {"see", "hear", "get", "have", "receive", "read", "review"}
ADDRESSED_GROUPS = {"two", "three", "both", "all", "guys", "folks"}
QUOTES = {'"', "“", "”"}
# Words a time phrase before a bare imperative may hold ("by next meeting, please come up with ...").
LATER_WORDS = {"next", "tomorrow", "tonight", "later", "afterwards", "week", "month", "friday", "monday"}
# "Further instructions will be sent by your coach", "the minutes will be circulated": announced to people.
PASSED_ON = {"send", "email", "e-mail", "mail", "forward", "circulate", "distribute", "share", "upload"}
SENT_THINGS = {"minutes", "instructions", "instruction", "information", "details", "slides", "email"}
SENT_THINGS |= {"file", "files", "report", "notes", "summary", "document", "documents", "agenda", "link"}
SENT_THINGS |= {"invitation"}
RECIPIENTS = {"you", "us", "everyone", "everybody", "all", "them", "team"}
# "I'm sure you will ...": what the speaker is sure of is the action's frame.
SURE = {"sure", "confident", "certain"}

__all__ = ["HEDGE_ROOTS", "RECEIVING", "Frame", "Who", "find_frame"]


def find_frame(sentence: Span, *, question_form: bool) -> Frame | None:
    """The frame of the main clause, of what "I think" governs, or of a request inside "I want you to";
    failing those, of a firm commitment joined to the main clause ("I'm not aware of that proposal,
    but I will take a look")."""
    root = sentence.root
    if root.pos_ not in {"VERB", "AUX"} or root.tag_ == "MD":  # "I'll send it, right?", "I'll I'll take"
        root = next((c for c in root.children if c.dep_ in {"ccomp", "parataxis"} and c.pos_ == "VERB"), root)
    return _main_frame(sentence, root, question_form=question_form) or _joined_frame(sentence, root)


def _main_frame(sentence: Span, root: Token, *, question_form: bool) -> Frame | None:
    requested = indirect_action(sentence, root)
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
    speaking = subject is not None and subject.lower_ in {"i", "we"}
    if speaking and (lemma in HEDGE_ROOTS or _sure(root)):
        inner = _believed(root)
        return _frame_for_clause(inner, sentence) if inner is not None else None
    if speaking and lemma in {"want", "need", "like", "ask"}:
        requested = _request_of_other(root)  # "I want you to ...", "we need John to ...", "I'd ask that you"
        if requested is not None:
            return requested
    return stated_task(root) or _frame_for_clause(root, sentence)


def _joined_frame(sentence: Span, root: Token) -> Frame | None:
    """ "I don't know, but I'll find out", "I'm not aware of it, but I commit to asking": a firm commitment
    of the speaker or the group joined to a clause that states none (not "you lose it and you can ring
    it", nor "we can ask ourselves")."""
    for clause in root.children:
        subject = subject_of(clause)
        if clause.dep_ != "conj" or clause.pos_ != "VERB" or subject is None:
            continue
        if subject.lower_ not in {"i", "we"}:
            continue
        frame = _frame_for_clause(clause, sentence)
        if frame is not None and frame.modal in {"will", "must"}:
            return frame
    return None


def _sure(root: Token) -> bool:
    return root.lemma_.lower() == "be" and any(c.dep_ == "acomp" and c.lower_ in SURE for c in root.children)


def _believed(root: Token) -> Token | None:
    """What "I think" or "I'm sure" governs: "I'm sure you will do some trend watching"."""
    holders = [root, *(c for c in root.children if c.dep_ == "acomp" and c.lower_ in SURE)]
    clauses = (c for holder in holders for c in holder.children if c.dep_ == "ccomp")
    return next((c for c in clauses if c.pos_ in {"VERB", "AUX"}), None)


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
    if had_better(verb):
        markers.add("should")
    if "wo" in {c.lower_ for c in verb.children} or any(c.dep_ == "neg" for c in lexical.children):
        return None
    modal = strongest(markers)
    who, name = who_of(subject)
    if subject.dep_ == "nsubjpass" and who not in {"role", "named"}:
        return _passed_on(lexical, modal, subject)  # not "I'll get rid of it"; yes "Mark will be focused on"
    if modal is None and lexical is verb and verb.dep_ == "ROOT" and _addressed_group(subject):
        return Frame(verb, "addressee", "imperative")  # "you two prepare the presentation"
    if modal is None or who is None:
        return None
    if modal == "can" and who == "group" and subject.lower_ != "we":
        return None  # "the manufacturing department can deliver a curved case": what it is able to do
    return Frame(lexical, who, modal, name)


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
    who, name = who_of(agent) if agent is not None else (None, None)
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
        return Frame(lexical, "addressee", "request", vocative(sentence))
    if subject.lower_ == "we" and auxiliaries & {"should", "shall"}:
        return Frame(lexical, "speaker", "should")
    asks_what = any(t.tag_ in {"WP", "WRB", "WDT"} for t in sentence)  # "so we could get it down to what?"
    if subject.lower_ == "we" and auxiliaries & {"can", "could"} and not asks_what:
        return Frame(lexical, "speaker", "can")  # "can we set up a call for Tuesday?"
    if subject.lower_ == "i" and auxiliaries & {"should", "shall"}:
        return Frame(lexical, "speaker", "offer")  # "shall I send you the minutes?"
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
        return Frame(root, "addressee", "imperative", vocative(root.sent))  # "let me know", "let them know"
    us = next((c for c in [*root.children, *action.children] if c.lower_ in {"'s", "us", "me"}), None)
    if us is None:
        return None
    delegated = _delegated(action)
    if delegated is not None:
        return delegated
    lexical, _ = lexical_chain(action)
    return Frame(lexical, "speaker", "lets" if us.lower_ != "me" else "offer")


def _delegated(action: Token) -> Frame | None:
    """ "Let's get Sam to look at it", "let's have Peter review the code": Sam's and Peter's task."""
    if action.lemma_.lower() not in {"get", "have"}:
        return None
    for clause in action.children:
        doer = subject_of(clause) if clause.dep_ in {"ccomp", "xcomp"} and clause.pos_ == "VERB" else None
        who, name = who_of(doer) if doer is not None else (None, None)
        if who in {"named", "role"}:
            return Frame(lexical_chain(clause)[0], who, "lets", name)
    return None


def _request_of_other(root: Token) -> Frame | None:
    wanted = next((c for c in root.children if c.dep_ == "dobj" and c.lower_ in ANYONE_WORDS), None)
    task = next((c for c in wanted.children if c.dep_ in {"relcl", "acl"}), None) if wanted else None
    if task is not None and any(c.lower_ == "to" for c in task.children):
        return Frame(lexical_chain(task)[0], "anyone", "request")  # "we need someone to review it"
    clause = next((c for c in root.children if c.dep_ in {"ccomp", "xcomp"} and c.pos_ == "VERB"), None)
    if clause is not None and _receives_yours(clause):
        return Frame(clause, "addressee", "request", vocative(root.sent))  # "I'd like to see your concept"
    subject = subject_of(clause) if clause is not None else None
    if clause is not None and subject is None and clause.lemma_.lower() in RECEIVING:
        return _wanted_from(clause)  # "User Interface Designer, I'd like to see the concept"
    if clause is None or subject is None or subject.lower_ in {"i", "we"}:
        return None
    who, name = who_of(subject)
    name = name or vocative(root.sent)
    return Frame(lexical_chain(clause)[0], who, "request", name) if who else None


def _wanted_from(clause: Token) -> Frame | None:
    """What the speaker would like to see or receive, said to a person or a role by name."""
    name = vocative(clause.sent)
    if name is not None:
        return Frame(clause, "named", "request", name)
    role = role_spoken_to(clause.sent)
    return Frame(clause, "role", "request", role) if role is not None else None


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
    negated = any(c.dep_ in {"aux", "neg"} for c in verb.children)
    if verb.tag_ != "VB" or verb.dep_ != "ROOT" or (negated and verb.lemma_.lower() != "forget"):
        return None  # but "don't forget to send it" is "remember to send it"
    if verb.lemma_.lower() in ELIDED_SUBJECT or any(t.text in QUOTES for t in sentence if t.i < verb.i):
        return None
    timing = {t.i for c in verb.children if c.i < verb.i and _later_phrase(c) for t in c.subtree}
    timing |= {c.i for c in verb.children if c.dep_ in {"aux", "neg"}}  # "don't (forget)"
    # "If it still happens, please reply to the email": the condition comes first (scored in actions.py)
    timing |= {t.i for c in verb.children if c.i < verb.i and c.dep_ == "advcl" for t in c.subtree}
    before = [t for t in sentence if t.i < verb.i and not t.is_punct and t.i not in timing]
    name = vocative(sentence)
    allowed = {"so", "okay", "ok", "and", "then", "now", "please", "just", "um", "uh", "well", "also"}
    allowed |= {"yes", "yeah", "sure", "alright", "right", "great", "perfect", "oh"}  # "Yes, please send ..."
    allowed |= {"everyone", "everybody", "guys", "folks", "team", "all"}  # "Everyone, please send me ..."
    if any(t.lower_ not in allowed and (name is None or t.text not in name.split()) for t in before):
        return None
    return Frame(lexical_chain(verb)[0], "addressee", "imperative", name)


def _later_phrase(token: Token) -> bool:
    """ "by next meeting", "tomorrow": when the bare imperative after it is to be done."""
    return token.dep_ in {"prep", "npadvmod", "advmod"} and any(
        t.lower_ in LATER_WORDS or t.ent_type_ in {"DATE", "TIME"} for t in token.subtree
    )
