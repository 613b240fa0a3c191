"""Follow-ups: action items about further contact (send, call, schedule, circle back, keep someone in
the loop), told apart from presenting to the people in the meeting ("I'll tell you about the trends")."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Token

# Further contact: these action items are follow-ups.
CONTACT_VERBS = {
    "send", "email", "e-mail", "mail", "forward", "call", "phone", "ring", "text", "message", "contact",
    "ping", "reply", "respond", "invite", "remind", "schedule", "reschedule", "meet", "notify", "inform",
}  # fmt: skip
CHANNELS = {"email", "e-mail", "mail", "phone", "post", "text", "slack", "chat"}
CONTACT_PARTICLES = {("follow", "up"), ("circle", "back"), ("get", "back"), ("reach", "out"), ("check", "in")}
CONTACT_PARTICLES |= {("catch", "up"), ("loop", "in"), ("touch", "base"), ("get", "in"), ("chase", "up")}
CALL_PLACES = {"chat", "chatbox"}  # "I'll put the link in the chat": done in the call, there and then
MEETING_WORDS = {"meeting", "call", "chat", "session", "demo", "appointment", "sync", "catch", "follow"}
MEETING_WORDS |= {"calendar", "diary", "invite"}  # "I'll put it in the calendar"
ARRANGE_VERBS = {"set", "arrange", "organise", "organize", "book", "plan", "have", "hold", "fix", "put"}
# "I'm gonna inform you about the trend-watching I've done": a presentation, not further contact.
PRESENTING = {"inform", "tell", "update", "brief"}
PRESENT = {"you", "everyone", "everybody", "us", "all"}
PEOPLE = {"PRP", "NNP"}  # "to you", "to Anna"; not "to what"


def is_follow_up(verb: Token) -> bool:
    """The action's verb makes further contact: "send me the deck", "let me know", "ask Srini about it"."""
    lemma = verb.lemma_.lower()
    if lemma == "let":
        return any(c.lemma_.lower() == "know" for c in verb.children)
    if in_touch(verb):
        return True
    if lemma == "keep":  # "keep Ed in the loop", "keep you posted"
        return any(t.lower_ in {"loop", "posted", "informed", "updated"} for t in verb.subtree)
    if lemma == "meet":  # "meet the team next week", not "meet the requirements"
        met = [c for c in verb.children if c.dep_ == "dobj"]
        return all(c.pos_ in {"PRON", "PROPN"} or c.lemma_.lower() in {"team", "client"} for c in met)
    if lemma in CONTACT_VERBS:
        return not ((lemma == "call" and any(c.dep_ == "oprd" for c in verb.children)) or presents(verb))
    if lemma == "ask":  # "ask Srini about it", not "ask you something" or "ask a question"
        asked = [c for c in verb.children if c.dep_ in {"dobj", "dative"}]
        return bool(asked) and not any(c.lower_ in {"you", "question", "questions"} for c in asked)
    if any(
        c.dep_ == "prep"
        and c.lower_ in {"via", "by", "over"}
        and any(o.lower_ in CHANNELS for o in c.children)
        for c in verb.children
    ):
        return True  # "do it via the email", "confirm by phone"
    particles = {(lemma, c.lower_) for c in verb.children if c.dep_ in {"prt", "advmod", "prep"}}
    if particles & CONTACT_PARTICLES:
        return True
    objects = {c.lemma_.lower() for c in verb.subtree if c.dep_ in {"dobj", "pobj"} and not in_the_call(c)}
    if lemma in ARRANGE_VERBS and objects & MEETING_WORDS:
        return True
    if lemma == "get" and any(  # "we'll get that to you", "I'll get it to Anna by Friday"
        c.dep_ in {"prep", "dative"} and c.lower_ == "to" and any(o.tag_ in PEOPLE for o in c.children)
        for c in verb.children
    ):
        return True
    if lemma in {"raise", "bring"}:  # "raise it with legal", "bring up the contract with legal"
        return any(c.dep_ == "prep" and c.lower_ == "with" for c in verb.children)
    return lemma in {"talk", "speak", "write"} and any(
        c.dep_ == "prep" and c.lower_ in {"to", "with"} for c in verb.children
    )


def in_the_call(token: Token) -> bool:
    """ "(put the link) in the chat": the call's own chat, not a chat to arrange ("set up a chat")."""
    return token.lower_ in CALL_PLACES and token.head.lower_ in {"in", "into", "on"}


def in_touch(verb: Token) -> bool:
    """ "I'll be in touch", "we'll get in touch with them", "let's stay in touch"."""
    return verb.lemma_.lower() in {"be", "get", "stay", "keep"} and any(
        c.dep_ == "prep" and c.lower_ == "in" and any(o.lower_ == "touch" for o in c.children)
        for c in verb.children
    )


def presents(verb: Token) -> bool:
    """ "I'll tell you about the trends", "let me update everyone on the budget", "I want to remind members
    that ...": said to those present."""
    if verb.lemma_.lower() == "remind":
        return any(c.dep_ == "ccomp" for c in verb.children)
    return (
        verb.lemma_.lower() in PRESENTING
        and any(c.dep_ in {"dobj", "dative"} and c.lower_ in PRESENT for c in verb.children)
        and any(c.dep_ == "prep" and c.lower_ in {"about", "on"} for c in verb.children)
    )
