"""The library: an app's conversations (and the recordings among them), searched, filtered and paged.

Transcript search is a SQL `LIKE` over the stored messages (and the conversation's name): exact substrings,
no ranking or stemming, and a full scan of the app's messages per search. That keeps one code path for
SQLite and PostgreSQL; a full-text index is the step up when libraries grow to many thousands of hours.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, Text, cast, func, or_, select
from sqlalchemy.orm import Session, selectinload

from parley.intel.model import Analysis
from parley.models import (
    Channel,
    Conversation,
    ConversationAnalysis,
    Job,
    JobStatus,
    MessageRow,
    Recording,
)


class ConversationState(enum.StrEnum):
    """Where a conversation is in its life, from its latest job (and its recording, if it has one)."""

    waiting = "waiting"  # a recording whose media has not arrived yet
    queued = "queued"  # a job waits for a worker
    processing = "processing"  # a worker runs the job; `progress` says how far
    ready = "ready"  # the transcript and analysis are readable
    failed = "failed"  # the latest job failed; its error says why


@dataclass(frozen=True)
class Status:
    state: ConversationState
    progress: float  # 0..1
    error: str | None = None

    @property
    def active(self) -> bool:
        return self.state in (
            ConversationState.waiting,
            ConversationState.queued,
            ConversationState.processing,
        )


@dataclass(frozen=True)
class Filters:
    text: str | None = None  # a substring of the transcript or the name
    tracker: str | None = None  # conversations where a tracker of this name fired
    channel_id: str | None = None  # recordings in this channel
    since: date | None = None  # started on or after this day (UTC)
    until: date | None = None  # started on or before this day (UTC)


@dataclass(frozen=True)
class Item:
    conversation: Conversation
    status: Status
    channel: Channel | None
    match: MessageRow | None  # the first message the text search found


@dataclass(frozen=True)
class Page:
    items: list[Item]
    total: int
    offset: int
    limit: int


def status_of(job: Job | None, *, is_recording: bool = False) -> Status:
    if job is None:
        # A conversation with no job was created by a recording still waiting for its media.
        state = ConversationState.waiting if is_recording else ConversationState.ready
        return Status(state, 0.0)
    if job.status == JobStatus.completed:
        return Status(ConversationState.ready, 1.0)
    if job.status == JobStatus.failed:
        return Status(ConversationState.failed, job.progress, job.error)
    if job.status == JobStatus.in_progress:
        return Status(ConversationState.processing, job.progress)
    return Status(ConversationState.queued, 0.0)


def latest_job(session: Session, *, conversation_id: str) -> Job | None:
    query = select(Job).where(Job.conversation_id == conversation_id).order_by(Job.created_at.desc()).limit(1)
    return session.scalars(query).first()


def get_status(session: Session, *, conversation_id: str) -> Status:
    is_recording = session.scalar(select(Recording.id).where(Recording.conversation_id == conversation_id))
    return status_of(latest_job(session, conversation_id=conversation_id), is_recording=bool(is_recording))


def search(session: Session, *, app_id: str, filters: Filters, limit: int, offset: int) -> Page:
    """Newest first; `total` counts every conversation the filters let through."""
    query = _filtered(session, app_id, filters)
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = session.scalars(
        query.options(selectinload(Conversation.members))
        .order_by(Conversation.created_at.desc(), Conversation.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    recordings = _recordings(session, [row.id for row in rows])
    items = [
        Item(
            conversation=row,
            status=status_of(latest_job(session, conversation_id=row.id), is_recording=row.id in recordings),
            channel=recordings.get(row.id),
            match=_first_match(session, row.id, filters.text) if filters.text else None,
        )
        for row in rows
    ]
    return Page(items=items, total=total, offset=offset, limit=limit)


def channels(session: Session, *, workspace_id: str) -> list[Channel]:
    query = select(Channel).where(Channel.workspace_id == workspace_id).order_by(Channel.name)
    return list(session.scalars(query))


def _filtered(session: Session, app_id: str, filters: Filters) -> Select[Any]:
    query = select(Conversation).where(Conversation.app_id == app_id)
    if filters.text:
        pattern = _like(filters.text)
        said = select(MessageRow.conversation_id).where(MessageRow.text.ilike(pattern, escape="\\"))
        query = query.where(or_(Conversation.name.ilike(pattern, escape="\\"), Conversation.id.in_(said)))
    if filters.channel_id:
        in_channel = select(Recording.conversation_id).where(Recording.channel_id == filters.channel_id)
        query = query.where(Conversation.id.in_(in_channel))
    if filters.since:
        query = query.where(Conversation.start_time >= _midnight(filters.since))
    if filters.until:
        query = query.where(Conversation.start_time < _midnight(filters.until + timedelta(days=1)))
    if filters.tracker:
        query = query.where(
            Conversation.id.in_(tracker_fired_in(session, app_id=app_id, name=filters.tracker))
        )
    return query


def tracker_fired_in(session: Session, *, app_id: str, name: str) -> list[str]:
    """Ids of the app's conversations whose analysis has a hit for the tracker called `name`.

    The documents are JSON, queried the same way on both databases: a `LIKE` on their text narrows them to
    those that mention the name, and only those are parsed to check it is a tracker hit with matches.
    """
    mentioned = json.dumps(name)[1:-1]  # as the name is escaped inside the stored JSON
    query = (
        select(ConversationAnalysis.conversation_id, ConversationAnalysis.document)
        .join(Conversation, Conversation.id == ConversationAnalysis.conversation_id)
        .where(
            Conversation.app_id == app_id,
            cast(ConversationAnalysis.document, Text).like(_like(mentioned), escape="\\"),
        )
    )
    return [
        conversation_id
        for conversation_id, document in session.execute(query)
        if any(hit.name == name and hit.matches for hit in Analysis.model_validate(document).trackers)
    ]


def _recordings(session: Session, conversation_ids: list[str]) -> dict[str, Channel | None]:
    """The channel of each conversation that is a recording (None: a recording outside any channel)."""
    if not conversation_ids:
        return {}
    query = (
        select(Recording.conversation_id, Channel)
        .outerjoin(Channel, Channel.id == Recording.channel_id)
        .where(Recording.conversation_id.in_(conversation_ids))
    )
    return {conversation_id: channel for conversation_id, channel in session.execute(query)}


def _first_match(session: Session, conversation_id: str, text: str) -> MessageRow | None:
    query = (
        select(MessageRow)
        .where(MessageRow.conversation_id == conversation_id, MessageRow.text.ilike(_like(text), escape="\\"))
        .order_by(MessageRow.position)
        .limit(1)
    )
    return session.scalars(query).first()


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)
