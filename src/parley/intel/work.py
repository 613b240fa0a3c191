"""Work for later or the meeting's own business: "I'll write the report", "I'll look into the prices",
"I'll put it in the shared folder" name work that outlasts the meeting; "I'll show you", "let's start",
"I'll write it on the board", "I'll put the link in the chat" narrate the meeting as it happens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.intel.follow_ups import in_the_call, presents

if TYPE_CHECKING:
    from spacy.tokens import Token

# Verbs that usually narrate the meeting as it happens ("I'll show you", "let's start", "we'll see").
NARRATION = {
    "talk", "speak", "show", "explain", "go", "start", "begin", "draw", "tell", "say", "move", "pass",
    "hand", "introduce", "recap", "summarise", "summarize", "see", "stop", "continue", "wait", "sit", "grab",
    "open", "turn", "give", "run", "mention", "point", "hold", "come", "read", "switch", "play", "try",
    "leave", "break", "finish", "wind", "skip", "vote", "save", "write", "press", "click", "put", "clap",
    "discuss", "evaluate", "consider", "concentrate", "focus", "state", "confirm", "answer", "expand",
    "elaborate", "clarify", "repeat", "reiterate", "stress", "emphasise", "emphasize", "highlight",
    "mute", "unmute", "scroll", "zoom", "spell",
}  # fmt: skip
# "I'll bring up the idea of colours" (not "... with legal"), "I'll walk you through them", "we'll get to
# my preferences"
NARRATION_PARTICLES = {("bring", "up"), ("walk", "through"), ("get", "to")}
DISPLAYS = {"board", "whiteboard", "screen", "flipchart", "slide", "slides"}
FILE_PLACES = {"folder", "drive", "wiki", "repository", "repo", "sharepoint", "dropbox", "inbox"}
# What a narrating verb makes or files when it is work, not narration ("write the report").
WORK_PRODUCTS = {"minutes", "report", "summary", "notes", "document", "proposal", "quote", "invoice", "draft"}
WORK_PRODUCTS |= {"reports", "documents", "proposals", "quotes", "invoices", "drafts", "ticket", "tickets"}
# Work done away from the meeting: preparing, checking, and the errands of business (book, order, sign).
TASK_VERBS = {
    "prepare", "present", "research", "investigate", "finish", "complete", "draft", "submit", "deliver",
    "circulate", "distribute", "update", "study", "specify", "review", "check", "book", "order", "buy",
    "purchase", "pay", "sign", "hire", "ship", "install", "renew", "cancel", "reserve", "register",
}  # fmt: skip
TASK_PARTICLES = {("find", "out"), ("figure", "out"), ("look", "into"), ("sort", "out"), ("fill", "out")}
TASK_PARTICLES |= {("fill", "in"), ("write", "up"), ("work", "on"), ("get", "back")}
TASK_PARTICLES |= {("put", "together")}
# Narrating verbs that make something with these particles: "put together an agenda", "come up with a model"
# (but "we should come up with fewer buttons" is a proposal, so only the first is a task for later).
MAKING_PARTICLES = {("put", "together"), ("come", "up")}


def is_task(verb: Token) -> bool:
    lemma = verb.lemma_.lower()
    particles = _particles(verb, lemma)
    return (
        lemma in TASK_VERBS
        or bool(particles & TASK_PARTICLES)
        or any(is_work_product(t) for t in verb.subtree if t.dep_ in {"dobj", "pobj", "nsubjpass"})
        or _placed(verb, FILE_PLACES)
        or _investigates(verb)
    )


def _investigates(verb: Token) -> bool:
    """ "I have to look at it again", "I'll take a closer look at it", "could you see whether it went out?":
    examining something after the meeting (not "let's look at the next slide", "let's see")."""
    lemma = verb.lemma_.lower()
    if lemma == "see":
        return _asks_whether(verb)
    if lemma == "look":
        return any(c.lower_ == "at" for c in verb.children) and any(
            c.lower_ in {"again", "closer", "further"} for c in verb.children
        )
    return lemma in {"have", "take"} and any(
        c.dep_ == "dobj"
        and c.lower_ == "look"
        and any(a.lower_ in {"closer", "close", "proper"} for a in c.children)
        for c in verb.children
    )


def _asks_whether(verb: Token) -> bool:
    """ "see whether it went out", "see if the build passes": a clause opened by "whether" or "if"."""
    return any(
        c.dep_ in {"ccomp", "advcl"}
        and any(m.dep_ == "mark" and m.lower_ in {"whether", "if"} for m in c.children)
        for c in verb.children
    )


def _particles(verb: Token, lemma: str) -> set[tuple[str, str]]:
    """("look", "into") for "look into the prices": the verb with each particle or preposition it takes
    ("together" in "put that together" is parsed as an adverb)."""
    return {
        (lemma, c.lower_)
        for c in verb.children
        if c.dep_ in {"prt", "prep"} or (c.dep_ == "advmod" and c.lower_ == "together")
    }


def _placed(verb: Token, places: set[str]) -> bool:
    """ "put it in the shared folder" (FILE_PLACES), "write it on the board" (DISPLAYS)."""
    return any(t.dep_ == "pobj" and t.lower_ in places for t in verb.subtree)


def is_work_product(token: Token) -> bool:
    """ "the minutes", "the report"; not "a couple of minutes", "five minutes"."""
    counted = token.head.lower_ == "of" or any(c.dep_ == "nummod" for c in token.children)
    return token.lower_ in WORK_PRODUCTS and not counted


def narrates(verb: Token) -> bool:
    """ "I'll write it on the board" narrates; "I'll write the report", "I'll put it in the shared folder"
    name work that outlasts the meeting."""
    lemma = verb.lemma_.lower()
    particles = _particles(verb, lemma)
    if presents(verb) or any(c.dep_ == "dobj" and c.lower_ == "screen" for c in verb.children):
        return True  # "I'm going to share my screen"
    if any(in_the_call(t) for t in verb.subtree):
        return True
    if (lemma not in NARRATION and not particles & NARRATION_PARTICLES) or particles & MAKING_PARTICLES:
        return False
    if particles & TASK_PARTICLES and not _placed(verb, DISPLAYS):
        return False  # "I'll write it up", not "I'll write up our results on the board"
    made = any(c.dep_ == "dobj" and is_work_product(c) for c in verb.children)
    return not (made or _placed(verb, FILE_PLACES))
