"""Requests put indirectly: asking when ("when can you send me the figures?"), a pseudo-cleft ("what I'd
like you to do is ..."), a polite "if you could ...", and polite questions and wishes ("would you mind
sending ...", "do you think you could ...", "I was hoping you could ...", "I wonder if you could ...")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.intel.frame import HEDGE_ROOTS, Frame, vocative
from parley.intel.verb_chains import lexical_chain, subject_of

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

ASKING_AUXILIARIES = {"can", "could", "would", "will", "ca"}  # "can you ...?", "could somebody ...?"
REQUEST_AUXILIARIES = ASKING_AUXILIARIES | {"'ll"}  # also "by when do you think you'll ..."
ELIDED_SUBJECT = {"want", "like", "mean"}  # a bare "want to ..." drops "do you", it does not order
GRATEFUL = {"great", "helpful", "good", "nice", "useful", "perfect", "brilliant", "fantastic", "appreciated"}
# "I was hoping you could ...", "I wonder if you could ...": the lemma of "hoping" is not always "hope".
WISHING = {"hope", "hoping", "hoped", "wonder", "wondering", "wondered"}


def indirect_action(sentence: Span, root: Token) -> Frame | None:
    return (
        _asked_when(sentence)
        or _pseudo_cleft(root)
        or _polite_if(sentence)
        or _would_you_mind(root)
        or _wished_of_you(root)
        or _got_you_to(root)
    )


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
            return Frame(lexical_chain(verb)[0], "addressee", "request", vocative(sentence))
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
            return Frame(lexical_chain(verb)[0], "addressee", "request", vocative(sentence), polite=True)
    return None


def _stands_alone(verb: Token) -> bool:
    """The if-clause is all there is ("so if you would look at that") or what follows only thanks; not "if
    you could connect it too hard, you may get ..."."""
    main = verb.head
    return verb.dep_ == "ROOT" or main.pos_ not in {"VERB", "AUX"} or _thanked(main)


def _thanked(main: Token) -> bool:
    """ "..., that would be helpful", "... that'd be great", "I'd appreciate it if ..."."""
    lemma = main.lemma_.lower()
    grateful = any(c.dep_ == "acomp" and c.lower_ in GRATEFUL for c in main.children)
    return lemma == "appreciate" or (lemma == "be" and grateful)


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
    return Frame(lexical_chain(action)[0], "addressee", "request", vocative(root.sent))


def _would_you_mind(root: Token) -> Frame | None:
    """ "Would you mind sending me the link?", "do you mind taking notes?"."""
    subject = subject_of(root)
    if root.lemma_.lower() != "mind" or subject is None or subject.lower_ != "you":
        return None
    doing = next((c for c in root.children if c.dep_ in {"xcomp", "ccomp"} and c.tag_ == "VBG"), None)
    if doing is None or any(c.dep_ == "neg" for c in root.children):
        return None
    return Frame(lexical_chain(doing)[0], "addressee", "request", vocative(root.sent))


def _wished_of_you(root: Token) -> Frame | None:
    """ "Do you think you could prepare a demo?", "I was hoping you could look over the draft", "I wonder
    if you could ...": what "you could" do, asked of you or hoped for (not "I think you could use
    infrared", a proposal)."""
    subject = subject_of(root)
    if subject is None or any(c.dep_ == "neg" for c in root.children):
        return None
    asks_you = (
        subject.lower_ == "you"
        and root.lemma_.lower() == "think"
        and root.i > min((c.i for c in root.children if c.dep_ == "aux"), default=root.i)
    )
    wishes = subject.lower_ in {"i", "we"} and root.lower_ in WISHING
    if not asks_you and not wishes:
        return None
    for clause in root.children:
        said_to = subject_of(clause)
        auxiliaries = {c.lower_ for c in clause.children if c.dep_ == "aux"}
        if clause.dep_ != "ccomp" or said_to is None or said_to.lower_ != "you":
            continue
        if auxiliaries & {"could", "would", "can", "might"}:
            return Frame(lexical_chain(clause)[0], "addressee", "request", vocative(root.sent), polite=True)
    return None


def _got_you_to(root: Token) -> Frame | None:
    """ "Can I get you to send me the file?", "could I ask you to review the draft?"."""
    subject = subject_of(root)
    if subject is None or subject.lower_ != "i" or root.lemma_.lower() not in {"get", "ask"}:
        return None
    if not any(c.dep_ == "aux" and c.lower_ in ASKING_AUXILIARIES and c.i < subject.i for c in root.children):
        return None
    for clause in root.children:
        infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in clause.children)
        if clause.dep_ not in {"ccomp", "xcomp"} or clause.pos_ != "VERB" or not infinitive:
            continue  # not "can I ask whether you've got any views?"
        doer = subject_of(clause) or next((c for c in root.children if c.dep_ == "dobj"), None)
        if doer is not None and doer.lower_ == "you":
            return Frame(lexical_chain(clause)[0], "addressee", "request", vocative(root.sent))
    return None
