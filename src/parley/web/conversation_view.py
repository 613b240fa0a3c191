"""What the conversation page shows, gathered from the core: the transcript with speakers and word times,
the analysis (summary, insights, topics, trackers, entities) each linked to its moment, and the charts.

Shared by the owner's page and the read-only shared page; only the template's controls differ.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from parley.api.symbl import mapping
from parley.conversations import library, overview
from parley.conversations import service as conversations
from parley.intel.model import Insight, MessageRef
from parley.models import Conversation, Member, MessageRow
from parley.web.charts import Speaker, analytics_charts

COLOURS = 8  # speaker colours in the stylesheet (.speaker-0 ... .speaker-7)


@dataclass(frozen=True)
class Moment:
    """A place in the conversation a link jumps to: the message and when it starts."""

    message_id: str
    start: float


@dataclass(frozen=True)
class Sentence:
    id: str
    start: float
    end: float
    text: str
    speaker: str | None
    colour: int | None
    words: list[tuple[str, float]]  # (word, start)


@dataclass(frozen=True)
class InsightItem:
    text: str
    moment: Moment | None
    assignee: str | None = None
    due: str | None = None


@dataclass(frozen=True)
class Mention:
    """A value found in the transcript (a tracker phrase, an entity) and the moments it was found at."""

    label: str
    moments: list[Moment]


@dataclass
class ConversationView:
    conversation: Conversation
    status: library.Status
    members: list[tuple[Member, int]]  # each member and its colour
    sentences: list[Sentence]
    media_type: str | None  # None: nothing to play (a text conversation)
    summary: list[InsightItem] | None
    insights: dict[str, list[InsightItem]]
    topics: list[InsightItem]
    trackers: list[tuple[str, list[Mention]]]
    entities: list[Mention]
    charts: list[Markup] = field(default_factory=list)

    @property
    def player(self) -> str:
        return "video" if (self.media_type or "").startswith("video/") else "audio"


INSIGHT_SECTIONS = (("action_item", "Action items"), ("follow_up", "Follow-ups"), ("question", "Questions"))


def build(session: Session, conversation: Conversation) -> ConversationView:
    rows = conversations.get_messages(session, conversation_id=conversation.id)
    colours = {member.id: member.position % COLOURS for member in conversation.members}
    names = {member.id: member.name for member in conversation.members}
    moments = {row.id: Moment(row.id, row.start) for row in rows}
    analysis = overview.analysis_of(session, conversation_id=conversation.id)
    key = overview.media_key(session, conversation_id=conversation.id)
    speakers = {member_id: Speaker(names[member_id], colours[member_id]) for member_id in names}
    return ConversationView(
        conversation=conversation,
        status=library.get_status(session, conversation_id=conversation.id),
        members=[(member, colours[member.id]) for member in conversation.members],
        sentences=[_sentence(row, names, colours) for row in rows],
        media_type=(mimetypes.guess_type(key)[0] or "audio/mpeg") if key else None,
        summary=[_item(s.text, _first(s.messageRefs, moments)) for s in analysis.summary]
        if analysis.summary is not None
        else None,
        insights={
            kind: [_insight(item, moments, names) for item in analysis.insights if item.type == kind]
            for kind, _ in INSIGHT_SECTIONS
        },
        topics=[_item(topic.text, _moment(topic.messageIds, moments)) for topic in analysis.topics],
        trackers=[
            (hit.name, [Mention(match.value, _moments(match.messageRefs, moments)) for match in hit.matches])
            for hit in analysis.trackers
        ],
        entities=[
            Mention(
                f"{entity.type}{'/' + entity.subType if entity.subType else ''}: {match.detectedValue}",
                _moments(match.messageRefs, moments),
            )
            for entity in analysis.entities
            for match in entity.matches
        ],
        charts=analytics_charts(overview.analytics_of(session, conversation=conversation), speakers)
        if rows
        else [],
    )


def _sentence(row: MessageRow, names: dict[str, str], colours: dict[str, int]) -> Sentence:
    member_id = row.member_id or ""
    return Sentence(
        id=row.id,
        start=row.start,
        end=row.end,
        text=row.text,
        speaker=names.get(member_id),
        colour=colours.get(member_id),
        words=[(text, start) for text, start, _end, _score in row.words],
    )


def _item(text: str, moment: Moment | None) -> InsightItem:
    return InsightItem(text=text, moment=moment)


def _insight(item: Insight, moments: dict[str, Moment], names: dict[str, str]) -> InsightItem:
    assignee = None
    if item.assignee is not None:
        known = names.get(item.assignee.memberId) if item.assignee.memberId else None
        assignee = known or item.assignee.name or item.assignee.email
    return InsightItem(
        text=item.text, moment=_moment(item.messageIds, moments), assignee=assignee, due=item.dueBy
    )


def _moment(message_ids: list[str], moments: dict[str, Moment]) -> Moment | None:
    return next((moments[i] for i in message_ids if i in moments), None)


def _first(refs: list[MessageRef], moments: dict[str, Moment]) -> Moment | None:
    return _moment([ref.id for ref in refs], moments)


def _moments(refs: list[MessageRef], moments: dict[str, Moment]) -> list[Moment]:
    found = dict.fromkeys(ref.id for ref in refs if ref.id in moments)
    return [moments[message_id] for message_id in found]


def export_payload(session: Session, conversation: Conversation) -> dict[str, Any]:
    """The Symbl shape `conversations.export.render` takes (as `parley process` builds it)."""
    rows = conversations.get_messages(session, conversation_id=conversation.id)
    return {"conversation": mapping.conversation(conversation)} | mapping.messages(
        conversation, rows, verbose=False
    )
