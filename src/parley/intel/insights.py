"""Questions, action items and follow-ups (Symbl's insight types), plus the action phrases of messages.

Every sentence of every message is parsed once (the shared spaCy cache) and read by two rule sets:
`questions.question_score` and `actions.find_action`. One sentence may be both a question and an action
item ("Can you send me the report by Friday?"), as in Symbl.

Follow-ups are the action items about further contact (send, call, schedule, follow up, get back to ...).
Like Symbl, which lists them under /follow-ups and not under /action-items, each is stored once, with type
`follow_up`; /insights returns all three types together.

Assignees: a first-person commitment ("I'll", "we need to", "let's") is the speaker's; a named person
("John will ...", "John, can you ...") is that person, matched to a member by full or first name when one
of the speakers has it; "you" is the addressee: the next other speaker to talk (who answers), else the
previous one; "someone" or "who" is whoever takes the task on in a short reply ("I'll do that",
volunteers.py), which also makes the request's item firm and adds the reply's message to it. Only items
scored >= 0.5 are kept: the API's confidenceThreshold cannot go lower.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import TYPE_CHECKING

from parley.intel.actions import MIN_SCORE, ActionMatch, find_action
from parley.intel.due_dates import DuePhrase, find_due
from parley.intel.entities import name_bounds
from parley.intel.language import parse_all
from parley.intel.model import AnalysisContext, Assignee, Insight, InsightEntity, Phrase, Utterance
from parley.intel.questions import asks_by_wording, question_score
from parley.intel.run_on import clauses
from parley.intel.verb_chains import subject_of
from parley.intel.volunteers import Reading, bind_volunteers, volunteered_score

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

CHAIN_LINKS = {"xcomp", "ccomp", "aux"}  # "going to send", "I think I'll send"
OTHER_CLAUSES = {"advcl", "conj", "parataxis", "relcl"}
RUN_ON_NUMBERS = 1000  # clause k of run-on sentence n is numbered 1000 * (n + 1) + k
ADDRESSEE_WINDOW = 3  # utterances to look ahead (or back) for the person a request was said to


def find_insights(
    utterances: list[Utterance], context: AnalysisContext
) -> tuple[list[Insight], dict[str, list[Phrase]]]:
    insights: list[Insight] = []
    phrases: dict[str, list[Phrase]] = {}
    people = people_of(utterances)
    readings = _read(utterances, context, punctuated=_punctuated(utterances))
    taken = bind_volunteers(readings, utterances)
    replies = {(reply.index, reply.number) for reply in taken.values()}
    for reading in readings:
        utterance = utterances[reading.index]
        if reading.question >= MIN_SCORE:
            insights.append(_question(utterance, reading.number, reading.text, reading.question))
        action, reply = reading.action, taken.get((reading.index, reading.number))
        if action is None or (reading.index, reading.number) in replies:
            continue
        if reply is not None:
            item = _volunteered(reading, reply, utterances)
        elif action.score >= MIN_SCORE:
            assignee = _assignee(action, utterances, reading.index, people)
            item = _action_item(utterance, reading.number, reading.sentence, action, assignee, reading.due)
        else:
            continue
        insights.append(item)
        phrases.setdefault(utterance.id, []).append(Phrase(text=action.phrase))
    return insights, phrases


def _read(utterances: list[Utterance], context: AnalysisContext, *, punctuated: bool) -> list[Reading]:
    """Every sentence once: its question score, its deadline and its action frame. In unpunctuated text a
    sentence that runs several clauses together is read for actions clause by clause (`run_on.py`)."""
    sentences = [
        (index, number, sentence)
        for index, doc in enumerate(parse_all([u.text for u in utterances]))
        for number, sentence in enumerate(doc.sents)
        if sentence.text.strip()
    ]
    run_on = {} if punctuated else {(i, n): clauses(s) for i, n, s in sentences}
    parse_all([piece for pieces in run_on.values() if len(pieces) > 1 for piece in pieces])  # one batch
    readings = []
    for index, number, sentence in sentences:
        pieces = run_on.get((index, number), [])
        asked = question_score(sentence, punctuated=punctuated)
        readings.append(_reading(index, number, sentence, context, asked, acts=len(pieces) < 2))
        if len(pieces) < 2:
            continue
        parts = [part for doc in parse_all(pieces) for part in doc.sents if part.text.strip()]
        for k, part in enumerate(parts, start=1):  # numbered apart from the sentences of the message
            readings.append(_reading(index, RUN_ON_NUMBERS * (number + 1) + k, part, context, 0.0, acts=True))
    return readings


def _reading(
    index: int, number: int, sentence: Span, context: AnalysisContext, asked: float, *, acts: bool
) -> Reading:
    text = sentence.text.strip()
    due = find_due(text, context.conversation_start, context.timezone_offset_minutes)
    if not acts:
        return Reading(index, number, sentence, text, due, None, asked)
    action = find_action(sentence, question_form=asks_by_wording(sentence), has_due=due is not None)
    if action is not None and due is not None and not _in_clause(sentence, due, action.verb):
        # "I'm travelling next week, so could we schedule it for the week after?": a time in the sentence
        # still speaks of later (the score keeps it), but it is not this action's deadline
        due = None
    return Reading(index, number, sentence, text, due, action, asked)


def _in_clause(sentence: Span, due: DuePhrase, verb: Token) -> bool:
    """Whether the deadline belongs to the action's clause: not to another clause with a subject of its
    own ("I'm travelling next week, so could we schedule it ..."); "by Friday" in "I'm going to send it by
    Friday" may hang from "going", on the action's own chain."""
    chain = {t.i for t in (verb, *verb.ancestors)} if verb.dep_ in CHAIN_LINKS else {verb.i}
    start = sentence.start_char + len(sentence.text) - len(sentence.text.lstrip()) + due.offset
    token = next((t for t in sentence if t.idx <= start < t.idx + len(t.text)), None)
    while token is not None and token.i not in chain:
        if _other_clause(token):
            return False
        token = token.head if token.head.i != token.i else None  # spaCy makes a new Token each time
    return True


def _other_clause(token: Token) -> bool:
    """A clause with a subject of its own that is no complement of the action: "if you send it by Friday,
    (I'll review it)", "I'm travelling next week, (so could we ...)" (parsed as a complement put first);
    not "(let) me know by Friday"."""
    if subject_of(token) is None:
        return False
    return token.dep_ in OTHER_CLAUSES or (token.dep_ == "ccomp" and token.i < token.head.i)


def _volunteered(request: Reading, reply: Reading, utterances: list[Utterance]) -> Insight:
    """The request's action item, taken on by whoever replied: firm, theirs, with both messages."""
    assert request.action is not None
    due = request.due or reply.due
    score = max(request.action.score, volunteered_score(request, reply))
    action = replace(request.action, score=score, definitive=True)
    assignee = _member_of(utterances[reply.index])
    item = _action_item(
        utterances[request.index], request.number, request.sentence, action, assignee, request.due
    )
    return item.model_copy(
        update={
            "messageIds": [*item.messageIds, utterances[reply.index].id],
            "dueBy": due.value if due else None,
        }
    )


def _punctuated(utterances: list[Utterance]) -> bool:
    """Most messages end in ".", "?" or "!": a transcript written with punctuation (see questions.py)."""
    ended = sum(1 for u in utterances if u.text.rstrip().endswith((".", "?", "!")))
    return ended * 2 >= len(utterances)


def _question(utterance: Utterance, number: int, text: str, score: float) -> Insight:
    return Insight(
        id=insight_id(utterance.id, number, "question"),
        type="question",
        text=text,
        score=score,
        messageIds=[utterance.id],
    )


def _action_item(
    utterance: Utterance,
    number: int,
    sentence: Span,
    action: ActionMatch,
    assignee: Assignee | None,
    due: DuePhrase | None,
) -> Insight:
    kind = "follow_up" if action.follow_up else "action_item"
    text = sentence.text.strip()
    return Insight(
        id=insight_id(utterance.id, number, kind),
        type=kind,
        text=text,
        score=action.score,
        messageIds=[utterance.id],
        entities=_entities(sentence, text, None if action.who == "role" else assignee, due),
        phrases=[Phrase(text=action.phrase)],
        definitive=action.definitive,
        assignee=assignee,
        dueBy=due.value if due else None,
    )


def _entities(
    sentence: Span, text: str, named: Assignee | None, due: DuePhrase | None
) -> list[InsightEntity]:
    """People named in the sentence (`named`: the assignee, whose name the tagger may have missed; a role
    such as "the industrial designer" is no person) and its deadline."""
    lead = len(sentence.text) - len(sentence.text.lstrip())
    names = [bounds for ent in sentence.ents if ent.label_ == "PERSON" and (bounds := name_bounds(ent))]
    found = [
        person_entity(sentence.doc.text[start:end], start - sentence.start_char - lead)
        for start, end in names
    ]
    name = named.name if named is not None else None
    if name and not any(item.text == name for item in found):
        offset = text.find(name)
        if offset >= 0:  # a named assignee the tagger missed
            found.append(person_entity(name, offset))
    if due is not None:
        found.append(due_entity(due, due.offset))
    return sorted(found, key=lambda item: item.offset)


def person_entity(name: str, offset: int) -> InsightEntity:
    """A person as an insight's entity, at `offset` in the insight's text."""
    return InsightEntity(type="person", text=name, offset=offset, value=name)


def due_entity(due: DuePhrase, offset: int) -> InsightEntity:
    """The deadline as an insight's entity, at `offset` in the insight's text."""
    kind = "datetime" if due.has_time else "date"
    return InsightEntity(type=kind, text=due.text, offset=offset, value=due.value)


def _assignee(
    action: ActionMatch, utterances: list[Utterance], index: int, people: dict[str, Assignee]
) -> Assignee | None:
    if action.name:
        return named_assignee(action.name, people)
    if action.who in {"speaker", "group"}:
        return _member_of(utterances[index])
    if action.who == "addressee":
        return _addressee(utterances, index)
    return None


def named_assignee(name: str, people: dict[str, Assignee]) -> Assignee:
    lowered = name.lower()
    return people.get(lowered) or people.get(lowered.split()[0]) or Assignee(name=name)


def _member_of(utterance: Utterance) -> Assignee | None:
    if utterance.member_id is None and utterance.speaker is None:
        return None
    return Assignee(memberId=utterance.member_id, name=utterance.speaker, email=utterance.email)


def _addressee(utterances: list[Utterance], index: int) -> Assignee | None:
    """Whoever answers next, else whoever spoke last before: a request is usually said to one of them."""
    speaker = utterances[index].speaker_key
    after = utterances[index + 1 : index + 1 + ADDRESSEE_WINDOW]
    before = reversed(utterances[max(0, index - ADDRESSEE_WINDOW) : index])
    for other in [*after, *before]:
        key = other.speaker_key
        if key is not None and key != speaker:
            return _member_of(other)
    return None


def people_of(utterances: list[Utterance]) -> dict[str, Assignee]:
    """Speakers by lowercased full name and first name (a first name shared by two people is dropped)."""
    found: dict[str, Assignee] = {}
    shared: set[str] = set()
    for utterance in utterances:
        member = _member_of(utterance)
        if member is None or not utterance.speaker:
            continue
        full = utterance.speaker.lower()
        found[full] = member
        first = full.split()[0]
        if first in found and found[first].memberId != member.memberId and first != full:
            shared.add(first)
        found.setdefault(first, member)
    return {key: value for key, value in found.items() if key not in shared}


def insight_id(*parts: object) -> str:
    """Stable across re-analysis (the same parts give the same id), digits like Symbl's ids."""
    digest = hashlib.sha256(":".join(str(part) for part in parts).encode()).digest()
    return str(int.from_bytes(digest[:8], "big") % 10**16).zfill(16)
