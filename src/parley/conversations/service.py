"""Conversations, their members and messages, always read through the owning app."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import asc, delete, desc, func, select
from sqlalchemy.orm import Session, selectinload

from parley.conversations.speaker_events import SpeakerEvent, speaker_of, speaking_intervals
from parley.ids import numeric_id, uuid_id
from parley.models import Conversation, Job, Member, MessageRow
from parley.transcript import Speaker, Transcript


def create(session: Session, *, app_id: str, kind: str, name: str | None) -> Conversation:
    conversation_id = numeric_id()
    conversation = Conversation(id=conversation_id, app_id=app_id, type=kind, name=name or conversation_id)
    session.add(conversation)
    session.flush()
    return conversation


def get(session: Session, *, app_id: str, conversation_id: str) -> Conversation | None:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.app_id != app_id:
        return None
    return conversation


def get_all(
    session: Session,
    *,
    app_id: str,
    limit: int = 100,
    offset: int = 0,
    newest_first: bool = True,
    started_from: datetime | None = None,
    started_before: datetime | None = None,
) -> list[Conversation]:
    """The app's conversations by start time; with bounds, those started in [started_from, started_before)."""
    direction = desc if newest_first else asc
    query = (
        select(Conversation)
        .where(Conversation.app_id == app_id)
        .options(selectinload(Conversation.members))
        .order_by(direction(Conversation.start_time), direction(Conversation.created_at))
        .limit(limit)
        .offset(offset)
    )
    if started_from is not None:
        query = query.where(Conversation.start_time >= started_from)
    if started_before is not None:
        query = query.where(Conversation.start_time < started_before)
    return list(session.scalars(query))


def merge_metadata(
    session: Session, conversation: Conversation, entries: dict[str, Any] | None, *, drop: str | None = None
) -> None:
    """Remove the key `drop` from the conversation's metadata, then merge `entries` in (a key given again
    takes the new value). The metadata is re-read under a row lock first, so writers racing on one
    conversation (a client's PUT, a live session ending) never lose each other's entries (PostgreSQL;
    SQLite has one writer at a time)."""
    if not entries and drop is None:
        return
    session.refresh(conversation, attribute_names=["metadata_"], with_for_update=True)
    kept = {key: value for key, value in (conversation.metadata_ or {}).items() if key != drop}
    conversation.metadata_ = kept | (entries or {})


def shown_metadata(conversation: Conversation) -> dict[str, Any]:
    """The conversation's metadata as clients see it: entries whose key starts with "_" are the server's own
    bookkeeping (a live call's process, say) and stay inside."""
    return {key: value for key, value in (conversation.metadata_ or {}).items() if not key.startswith("_")}


def get_messages(session: Session, *, conversation_id: str) -> list[MessageRow]:
    query = (
        select(MessageRow).where(MessageRow.conversation_id == conversation_id).order_by(MessageRow.position)
    )
    return list(session.scalars(query))


def senders(session: Session, *, conversation_id: str) -> dict[str, Member | None]:
    """Each message's member (None where nobody is known to have said it), by message id."""
    members = {
        m.id: m for m in session.scalars(select(Member).where(Member.conversation_id == conversation_id))
    }
    rows = session.execute(
        select(MessageRow.id, MessageRow.member_id).where(MessageRow.conversation_id == conversation_id)
    )
    return {message_id: members.get(member_id) if member_id else None for message_id, member_id in rows}


def confidence_threshold(session: Session, *, conversation: Conversation) -> float:
    """The confidenceThreshold of the latest job on the conversation (Symbl's default 0.5 if none said)."""
    latest = session.scalars(
        select(Job).where(Job.conversation_id == conversation.id).order_by(Job.created_at.desc()).limit(1)
    ).first()
    return float((latest.options or {}).get("confidenceThreshold", 0.5)) if latest else 0.5


def delete_conversation(session: Session, *, conversation: Conversation) -> None:
    session.delete(conversation)


def content_end(session: Session, *, conversation_id: str, excluding_job: str) -> float:
    """Where an appended job's media starts: the end of everything earlier jobs put in the conversation."""
    query = select(func.max(MessageRow.end)).where(
        MessageRow.conversation_id == conversation_id, MessageRow.job_id != excluding_job
    )
    return float(session.scalar(query) or 0.0)


def save_job_results(
    session: Session, *, conversation: Conversation, job_id: str, transcript: Transcript, offset: float
) -> None:
    """Replace whatever this job wrote before (a retried job must not duplicate) with `transcript`.

    `offset` shifts the transcript's times, for media appended after earlier content. A message with an
    `id` is stored under it (the row it replaces had it), one without gets a new id.
    """
    session.execute(delete(MessageRow).where(MessageRow.job_id == job_id))
    session.execute(delete(Member).where(Member.job_id == job_id))
    member_ids = _merge_members(session, conversation=conversation, job_id=job_id, transcript=transcript)
    first_position = (
        session.scalar(
            select(func.max(MessageRow.position)).where(MessageRow.conversation_id == conversation.id)
        )
        or 0
    )
    for index, message in enumerate(transcript.messages, start=first_position + 1):
        session.add(
            MessageRow(
                id=message.id or numeric_id(),
                conversation_id=conversation.id,
                job_id=job_id,
                member_id=member_ids.get(message.speaker) if message.speaker else None,
                position=index,
                text=message.text,
                start=round(message.start + offset, 3),
                end=round(message.end + offset, 3),
                channel=message.channel,
                words=[
                    [
                        word.text,
                        round(word.start + offset, 3),
                        round(word.end + offset, 3),
                        round(word.score, 4),
                    ]
                    for word in message.words
                ],
            )
        )
    conversation.duration = max(conversation.duration, offset + transcript.duration)
    conversation.end_time = conversation.start_time + timedelta(seconds=conversation.duration)
    if transcript.language:
        conversation.language = transcript.language


def _merge_members(
    session: Session, *, conversation: Conversation, job_id: str, transcript: Transcript
) -> dict[str, str]:
    """Member ids by speaker key; a speaker already in the conversation (same key) is reused."""
    existing = _members_by_key(session, conversation.id)
    return {
        speaker.key: get_or_create_member(session, conversation.id, speaker, existing, job_id=job_id).id
        for speaker in transcript.speakers
    }


def _members_by_key(session: Session, conversation_id: str) -> dict[str, Member]:
    return {
        member.key: member
        for member in session.scalars(select(Member).where(Member.conversation_id == conversation_id))
    }


def get_or_create_member(
    session: Session,
    conversation_id: str,
    speaker: Speaker,
    existing: dict[str, Member],
    *,
    job_id: str | None = None,
) -> Member:
    """The conversation's member for `speaker.key`, added (at the end of the list) if new."""
    member = existing.get(speaker.key)
    if member is None:
        member = Member(
            id=uuid_id(),
            conversation_id=conversation_id,
            job_id=job_id,
            key=speaker.key,
            name=speaker.name,
            email=speaker.email,
            user_id=speaker.user_id,
            position=len(existing),
        )
        session.add(member)
        session.flush()
        existing[speaker.key] = member
    return member


def update_member(
    session: Session, *, conversation: Conversation, member_id: str, name: str | None, email: str | None
) -> Member | None:
    """Rename a member or set its e-mail; messages refer to the member, so they follow."""
    member = next((m for m in conversation.members if m.id == member_id), None)
    if member is None:
        return None
    if name is not None:
        member.name = name
    if email is not None:
        member.email = email
    return member


def attribute_by_events(
    session: Session,
    *,
    conversation: Conversation,
    events: list[SpeakerEvent],
    users: list[Speaker],
    strict: bool = True,
) -> int:
    """Re-attribute messages to the users speaker events name; returns how many messages changed hands
    (`strict`: see `speaking_intervals`)."""
    intervals = speaking_intervals(events, end_of_conversation=conversation.duration, strict=strict)
    existing = _members_by_key(session, conversation.id)
    member_ids = {
        user.key: get_or_create_member(session, conversation.id, user, existing).id for user in users
    }
    changed = 0
    for message in get_messages(session, conversation_id=conversation.id):
        user_key = speaker_of((message.start, message.end), intervals)
        if user_key is not None and message.member_id != member_ids[user_key]:
            message.member_id = member_ids[user_key]
            changed += 1
    return changed
