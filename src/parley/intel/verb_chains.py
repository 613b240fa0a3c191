"""Verb chains: "going to have to decide" walked down to "decide", collecting what each link says
("going to" -> will, "have to" -> must, "I'd be happy to" -> will). A past-tense link ("we had to", "I was
going to") reports rather than commits and ends the chain."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Token

MODALS = {"will": "will", "shall": "will", "must": "must", "should": "should", "ought": "should"}
MODALS |= {"can": "can", "could": "can", "may": "can", "might": "can", "would": "can"}
# Verbs whose xcomp carries the action: "going to send", "have to decide", "try to call".
CHAIN = {"go": "will", "gon": "will", "plan": "will", "intend": "will", "need": "must", "have": "must"}
CHAIN |= {"got": "must", "get": "must", "try": "try", "want": "want", "like": "want", "mean": "want"}
CHAIN |= {"supposed": "must", "suppose": "must", "able": "can", "be": "will"}
# Commitments and reminders: "I promise to send it", "I volunteer to take notes", "remember to bring it".
CHAIN |= {"promise": "will", "volunteer": "will", "undertake": "will", "remember": "will", "forget": "will"}
# Aspect adds nothing to what the chain says: "going to be continuing working on", "I'll keep working on".
ASPECTUAL = {"continue", "keep", "start", "begin"}
# "I'm able to", "I'd be happy to send": the verb hangs from the adjective.
ADJECTIVE_LINKS = {"able": "can", "supposed": "must", "happy": "will", "glad": "will", "willing": "will"}
ADJECTIVE_LINKS |= {"ready": "will"}


def lexical_chain(verb: Token) -> tuple[Token, set[str]]:
    """Walk "going to have to decide" down to "decide", collecting what each link says."""
    markers: set[str] = set()
    for _ in range(4):
        if _past(verb):
            break
        link, following = _link(verb)
        if link is None or following is None:
            break
        if link:
            markers.add(link)
        verb = following
    return verb, markers


def _link(verb: Token) -> tuple[str | None, Token | None]:
    """What one link says and the verb it leads to: "going" -> (will, send) in "going to send", "be" ->
    (will, send) in "I'd be happy to send", where the verb hangs from the adjective."""
    lemma = verb.lemma_.lower()
    if lemma == "be":
        adjective = next(
            (c for c in verb.children if c.dep_ == "acomp" and c.lower_ in ADJECTIVE_LINKS), None
        )
        if adjective is not None:
            return ADJECTIVE_LINKS[adjective.lower_], _verb_complement(adjective)
        if not any(t.lower_ in {"able", "supposed", "going"} for t in verb.children):
            return None, None
    if lemma == "go" and verb.tag_ != "VBG":
        return None, None
    if lemma in ASPECTUAL:
        return "", next((c for c in verb.children if c.dep_ == "xcomp" and c.tag_ == "VBG"), None)
    if lemma == "commit":  # "I commit to asking my officials ..."
        to = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "to"), None)
        return "will", next((c for c in to.children if c.dep_ == "pcomp"), None) if to is not None else None
    return CHAIN.get(lemma), _verb_complement(verb)


def _verb_complement(head: Token) -> Token | None:
    return next(
        (
            c
            for c in head.children
            if c.dep_ in {"xcomp", "ccomp"}
            and (c.tag_ == "VB" or infinitive_noun(c) or _progressive(c))
            and c.i > head.i
        ),
        None,
    )


def _progressive(verb: Token) -> bool:
    """ "(going) to be continuing": the -ing form after "to be"."""
    return verb.tag_ == "VBG" and any(c.dep_ == "aux" and c.lower_ == "be" for c in verb.children)


def infinitive_noun(token: Token) -> bool:
    """ "(I'll have) to uh research": a filler between "to" and the verb gets it parsed as a noun."""
    return token.pos_ == "NOUN" and any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children)


def _past(verb: Token) -> bool:
    """Said of the past: "we had to remove", "we've had to", "I was going to", "we've been trying to"
    report, they do not commit.
    "We've got to" is the exception: a present obligation in a perfect's form."""
    if verb.lower_ == "got" or had_better(verb):
        return False
    if verb.tag_ == "VBD":
        return True
    auxiliaries = [c for c in verb.children if c.dep_ == "aux"]
    if any(c.lower_ == "been" for c in auxiliaries):
        return True  # "we've been trying to": what has gone on so far
    return any(c.tag_ == "VBD" for c in auxiliaries) or (
        verb.tag_ == "VBN" and any(c.lemma_.lower() == "have" for c in auxiliaries)
    )


def had_better(verb: Token) -> bool:
    """ "I had better look at it again", "you'd better call them": should, not the past."""
    return any(c.lower_ == "better" and c.dep_ == "advmod" for c in verb.children) and any(
        c.dep_ == "aux" and c.lower_ in {"had", "'d"} for c in verb.children
    )


def strongest(markers: set[str]) -> str | None:
    for modal in ("must", "will", "should", "try", "want", "can"):
        if modal in markers:
            return modal
    return None


def subject_of(verb: Token | None) -> Token | None:
    if verb is None:
        return None
    subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}]
    spoken_to = [c for c in subjects if c.i + 1 < len(c.doc) and c.doc[c.i + 1].text == ","]
    ordered = verb.tag_ == "VB" and not any(c.dep_ == "aux" for c in verb.children)
    if len(subjects) > 1 or (spoken_to and ordered):
        # "Ivy, can you get estimates?", "Everyone, please send me ...": the name is said to them
        subjects = [c for c in subjects if c not in spoken_to] or ([] if ordered else subjects)
    # The parser sometimes hangs the subject from the auxiliary: "I think I had better look at it".
    misplaced = (s for a in verb.children if a.dep_ == "aux" for s in a.children if s.dep_ == "nsubj")
    return next(iter(subjects), None) or next(misplaced, None)
