"""Volunteering: a short reply that takes on what someone has just asked for.

"Could somebody send the minutes?" - "I'll do that." / "Who's going to book the venue?" - "I will." /
"Can you send me the report by Friday?" - "Sure, will do." The reply names no task of its own, so it is
bound to the latest request in the few messages before it by another speaker: the action item is the
request's, firm now, assigned to whoever replied, and it lists both messages. A reply with nothing to bind
to is read on its own like any other sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from parley.intel.actions import DEADLINE, MIN_SCORE, clip_score

if TYPE_CHECKING:
    from spacy.tokens import Span

    from parley.intel.actions import ActionMatch
    from parley.intel.due_dates import DuePhrase
    from parley.intel.model import Utterance

WINDOW = 3  # messages back to look for the request
VOLUNTEERED = 0.85  # a task someone has said they will do
_ASSENT = r"(?:(?:sure|yes|yeah|yep|okay|ok|of course|absolutely|no problem|fine|right|all ?right|great)\W+)*"
_TAKE_ON = (  # longest first: the regex takes the first alternative that fits
    r"(?:take care of|look after|deal with|do|handle|take|sort|get|cover|manage|own)"
    r"(?:\s+(?:that one|this one|it|that|this|them|those))?(?:\s+(?:on|out))?"
)
_ON_IT = r"(?:i'?m on it|on it|will do|can do|leave (?:it|that|this) (?:with|to) me|me)"
REPLY = re.compile(
    rf"^\W*{_ASSENT}(?:(?:i'll|i\s+(?:will|can|could|shall))(?:\s+{_TAKE_ON})?|{_ON_IT})"
    r"(?P<tail>(?:\W+[\w']+){0,4})\W*$",
    re.IGNORECASE,
)
FILLERS = {"then", "too", "yeah", "sure", "myself", "personally", "if", "you", "like", "want", "it"}
# Frames that ask someone else to act, or name no one: these wait for a taker.
OPEN_WHO = {"addressee", "group", "anyone"}


@dataclass(frozen=True, slots=True)
class Reading:
    """One sentence of one message, as the insight rules read it."""

    index: int  # the utterance
    number: int  # the sentence within it
    sentence: Span
    text: str
    due: DuePhrase | None
    action: ActionMatch | None  # whatever its score
    question: float


def is_reply(text: str, due_text: str | None) -> bool:
    """Whether `text` only takes something on: "I'll do it", "Sure, will do", "I can do that tomorrow"
    (`due_text`: the deadline found in it, which may follow)."""
    match = REPLY.match(text.strip().replace("\u2019", "'"))
    if match is None:
        return False
    tail = match["tail"]
    if due_text:
        tail = tail.replace(due_text, " ")
    return all(word.lower() in FILLERS for word in re.findall(r"[\w']+", tail))


def bind_volunteers(readings: list[Reading], utterances: list[Utterance]) -> dict[tuple[int, int], Reading]:
    """Request (utterance, sentence) -> the reply that took it on; the first taker wins."""
    bound: dict[tuple[int, int], Reading] = {}
    replies: set[tuple[int, int]] = set()
    for position, reading in enumerate(readings):
        if not is_reply(reading.text, reading.due.text if reading.due else None):
            continue
        request = _request_for(reading, readings, position, utterances, replies)
        if (
            request is not None
            and request.action is not None
            and (request.index, request.number) not in bound
            and volunteered_score(request, reading) >= MIN_SCORE
        ):
            bound[request.index, request.number] = reading
            replies.add((reading.index, reading.number))
    return bound


def volunteered_score(request: Reading, reply: Reading) -> float:
    """A firm commitment's base, with what the request's own words add or take away ("who would like to
    go next?" - "me" stays narration of the meeting); a deadline said only in the reply counts too."""
    assert request.action is not None
    due_in_reply = DEADLINE if request.due is None and reply.due is not None else 0.0
    return clip_score(VOLUNTEERED + request.action.evidence + due_in_reply)


def _request_for(
    reply: Reading,
    readings: list[Reading],
    position: int,
    utterances: list[Utterance],
    replies: set[tuple[int, int]],
) -> Reading | None:
    """The latest open request by another speaker in the WINDOW messages before the reply, which is
    `readings[position]`."""
    replier = utterances[reply.index].speaker_key
    if replier is None:
        return None
    for reading in (readings[earlier] for earlier in range(position - 1, -1, -1)):
        if reading.index < reply.index - WINDOW:
            return None
        if reading.index == reply.index or (reading.index, reading.number) in replies:
            continue
        asker = utterances[reading.index].speaker_key
        if asker is not None and asker != replier and _open(reading.action):
            return reading
    return None


def _open(action: ActionMatch | None) -> bool:
    return action is not None and action.who in OPEN_WHO and action.name is None
