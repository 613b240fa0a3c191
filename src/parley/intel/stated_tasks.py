"""Tasks stated with a noun rather than a modal: "our next step is for Tom to call the supplier", "it's
your job to check the figures", "that's something we need to look into"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.intel.frame import Frame, Who, who_of
from parley.intel.verb_chains import CHAIN, MODALS, lexical_chain, strongest, subject_of

if TYPE_CHECKING:
    from spacy.tokens import Token

DUTIES = {"job", "task", "responsibility", "duty"}  # "it's your job to ..." (with an owner)
OWNERS: dict[str, Who] = {"your": "addressee", "my": "speaker", "our": "group"}


def stated_task(root: Token) -> Frame | None:
    if root.lemma_.lower() != "be":
        return None
    return _next_step(root) or _duty(root) or _something_to_do(root)


def _next_step(root: Token) -> Frame | None:
    """ "The next step is for Tom to call the supplier", "our homework is to read the paper", "the action
    item is that Mike sends the contract": an assignment stated as what comes next (not "our task is to
    design a remote control", the project itself)."""
    subject = subject_of(root)
    if subject is None or not _names_next_step(subject):
        return None
    clauses = (c for c in root.children if c.dep_ in {"xcomp", "ccomp", "advcl"} and c.pos_ == "VERB")
    action = next(clauses, None)
    if action is None:
        return None
    doer = subject_of(action)
    who, name = who_of(doer) if doer is not None else ("group", None)
    return Frame(lexical_chain(action)[0], who or "group", "will", name, later=True)


def _names_next_step(subject: Token) -> bool:
    lemma, modifiers = subject.lemma_.lower(), {c.lower_ for c in subject.children}
    return (
        lemma in {"homework", "assignment"}
        or ("next" in modifiers and lemma == "step")
        or ("action" in modifiers and lemma == "item")
    )


def _duty(root: Token) -> Frame | None:
    """ "It's your job to check the figures", "it's Anna's responsibility to book the room" (not "our task
    is to design a remote control": the duty needs an owner and a dummy "it")."""
    subject, duty = subject_of(root), next((c for c in root.children if c.dep_ == "attr"), None)
    if subject is None or subject.lower_ != "it" or duty is None or duty.lemma_.lower() not in DUTIES:
        return None
    action = next((c for c in [*root.children, *duty.children] if c.dep_ in {"xcomp", "acl", "relcl"}), None)
    owner = next((c for c in duty.children if c.dep_ == "poss"), None)
    if action is None or action.pos_ != "VERB" or owner is None:
        return None
    if owner.lower_ in OWNERS:
        return Frame(lexical_chain(action)[0], OWNERS[owner.lower_], "must")
    who, name = who_of(owner)
    return Frame(lexical_chain(action)[0], who, "must", name) if who is not None else None


def _something_to_do(root: Token) -> Frame | None:
    """ "That's something we need to look into", "that's one thing I'll follow up on": the task is the
    thing named, what "we need to" or "I'll" do with it."""
    thing = next(
        (c for c in root.children if c.dep_ == "attr" and c.lemma_.lower() in {"something", "thing"}), None
    )
    clause = next((c for c in thing.children if c.dep_ == "relcl"), None) if thing is not None else None
    subject = subject_of(clause)
    if clause is None or subject is None or subject.lower_ not in {"i", "we", "you"}:
        return None
    action, markers = lexical_chain(clause)
    if action.i == clause.i:  # "something we need to look into": the infinitive hangs from the thing
        action = next((c for c in thing.children if c.dep_ == "acl" and c.pos_ == "VERB"), clause)
        markers |= {CHAIN[clause.lemma_.lower()]} if clause.lemma_.lower() in CHAIN else set()
    markers |= {MODALS[c.lower_] for c in clause.children if c.dep_ == "aux" and c.lower_ in MODALS}
    modal = strongest(markers)
    who, _ = who_of(subject)
    if modal is None or modal not in {"must", "will", "should"} or who is None:
        return None  # not "something we could look into"
    return Frame(action, who, modal)
