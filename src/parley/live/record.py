"""What a live session keeps in the database while it runs, so a process that dies mid-session loses
nothing it had received: the job row, what ending the session needs, and every final message as it arrives.

Ownership is a heartbeat on the job row. The process running a session stamps its job's `updated_at` every
third of `job_lease_seconds`; a live job still `in_progress` whose stamp is older than the lease has lost
its process, and the first process to take it over (one conditional update) finishes it from what was
kept. `lease_expires_at` stays empty on purpose: batch runners claim jobs by that column and must never run
a live one.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from parley.conversations import service as conversations
from parley.conversations.speaker_events import SpeakerEvent
from parley.jobs import service as jobs
from parley.jobs.options import JobOptions
from parley.live.events import LiveMessage
from parley.models import Conversation, Job, JobStatus, LiveSpeakerEvent, Member, MessageRow, utcnow
from parley.transcript import Speaker

LIVE_KIND = "live"
_METADATA_KEY = "live"  # the conversation metadata entry holding the `StopPlan`
_PHONE_KEY = "_phone"  # the call's process: an internal entry, never shown (conversations.shown_metadata)


@dataclass(frozen=True)
class Phone:
    """The baresip process holding a telephony session's call, so that whoever ends the session after its
    server died can hang the call up (`sip_phone.end_left_call`, on the same host only)."""

    pid: int
    folder: str  # its config folder: with the pid, tells it from a process that reused the pid
    host: str  # the host it runs on (`this_host()`)

    def as_metadata(self) -> dict[str, Any]:
        return {"pid": self.pid, "folder": self.folder, "host": self.host}

    @classmethod
    def of(cls, stored: dict[str, Any] | None) -> Phone | None:
        if not stored:
            return None
        return cls(pid=int(stored["pid"]), folder=str(stored["folder"]), host=str(stored["host"]))


@dataclass(frozen=True)
class StopPlan:
    """What ending the session needs beyond its messages, kept so that another process can end it too.

    Stored in the conversation's metadata (clients read it there, hence the camelCase keys)."""

    connection_id: str
    site_url: str = ""  # the base URL the summary e-mail links the shared page under
    timezone: str | None = None  # the summary e-mail shows the meeting start in it
    summary_emails: list[str] = field(default_factory=list)  # the sendSummaryEmail recipients

    def as_metadata(self) -> dict[str, Any]:
        return {
            "connectionId": self.connection_id,
            "siteUrl": self.site_url,
            "timezone": self.timezone,
            "summaryEmails": self.summary_emails,
        }

    @classmethod
    def of(cls, conversation: Conversation) -> StopPlan:
        stored = (conversation.metadata_ or {}).get(_METADATA_KEY) or {}
        return cls(
            connection_id=str(stored.get("connectionId", "")),
            site_url=str(stored.get("siteUrl", "")),
            timezone=stored.get("timezone"),
            summary_emails=list(stored.get("summaryEmails") or []),
        )


def this_host() -> str:
    return socket.gethostname()


def owner_id() -> str:
    """This process's id on the live job rows it runs (fits `Job.worker_id`)."""
    return f"live:{this_host()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def open_job(
    session: Session,
    *,
    app_id: str,
    source: str,
    options: JobOptions,
    plan: StopPlan,
    owner: str,
    language: str,
    max_active: int,
) -> tuple[Job, Conversation]:
    """The session's job (`in_progress`, owned by `owner`) and its conversation, with the stop plan."""
    job = jobs.submit(
        session,
        app_id=app_id,
        kind=LIVE_KIND,
        options=options.model_dump(mode="json", exclude_defaults=True),
        max_active=max_active,
    )
    job.status, job.worker_id, job.attempts = JobStatus.in_progress, owner, 1
    conversation = jobs.conversation_of(session, job)
    conversation.metadata_ = {"source": source, _METADATA_KEY: plan.as_metadata()}
    conversation.language = language
    return job, conversation


def note_phone(session: Session, *, conversation_id: str, phone: Phone | None) -> None:
    """Record the process holding the session's call (None: forget it, the call is over)."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is not None:
        entries = {_PHONE_KEY: phone.as_metadata()} if phone else None
        conversations.merge_metadata(session, conversation, entries, drop=_PHONE_KEY)


def phone_of(conversation: Conversation) -> Phone | None:
    """The process holding the session's call, while the call may be up."""
    return Phone.of((conversation.metadata_ or {}).get(_PHONE_KEY))


def append_messages(
    session: Session, *, conversation_id: str, job_id: str, messages: list[LiveMessage]
) -> None:
    """Keep final messages as they arrive, each once (its live id is its row id)."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return  # deleted while live: nothing to keep it in
    position = session.scalar(
        select(func.max(MessageRow.position)).where(MessageRow.conversation_id == conversation_id)
    )
    existing = {
        member.key: member
        for member in session.scalars(select(Member).where(Member.conversation_id == conversation_id))
    }
    for index, message in enumerate(messages, start=(position or 0) + 1):
        member = (
            conversations.get_or_create_member(
                session, conversation_id, message.speaker, existing, job_id=job_id
            )
            if message.speaker
            else None
        )
        session.add(
            MessageRow(
                id=message.id,
                conversation_id=conversation_id,
                job_id=job_id,
                member_id=member.id if member else None,
                position=index,
                text=message.text,
                start=round(message.start, 3),
                end=round(message.end, 3),
                words=[
                    [word.text, round(word.start, 3), round(word.end, 3), round(word.score, 4)]
                    for word in message.words
                ],
            )
        )
    conversation.duration = max(conversation.duration, *(message.end for message in messages))
    conversation.end_time = conversation.start_time + timedelta(seconds=conversation.duration)


def append_speaker_event(
    session: Session, *, conversation_id: str, event: SpeakerEvent, speaker: Speaker
) -> None:
    session.add(
        LiveSpeakerEvent(
            conversation_id=conversation_id,
            kind=event.kind,
            offset_seconds=event.offset,
            user_key=speaker.key,
            name=speaker.name,
            email=speaker.email,
            user_id=speaker.user_id,
        )
    )


def speaker_events(session: Session, *, conversation_id: str) -> tuple[list[SpeakerEvent], list[Speaker]]:
    """The speaker events kept for a session, in arrival order, and the users they name."""
    rows = session.scalars(
        select(LiveSpeakerEvent)
        .where(LiveSpeakerEvent.conversation_id == conversation_id)
        .order_by(LiveSpeakerEvent.seq)
    ).all()
    events = [SpeakerEvent(kind=row.kind, user_key=row.user_key, offset=row.offset_seconds) for row in rows]
    users = {row.user_key: Speaker(row.user_key, row.name, row.email, row.user_id) for row in rows}
    return events, list(users.values())


def renew(session: Session, *, job_ids: set[str], owner: str) -> set[str]:
    """Stamp the heartbeat of the live jobs `owner` still holds; returns those (the others were taken)."""
    if not job_ids:
        return set()
    held = session.execute(
        update(Job)
        .where(Job.id.in_(job_ids), Job.worker_id == owner, Job.status == JobStatus.in_progress)
        .values(updated_at=utcnow())
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    )
    return {row.id for row in held}


def take_orphans(session: Session, *, owner: str, lease_seconds: float, limit: int = 20) -> list[str]:
    """Live jobs whose process stopped heartbeating, now owned by `owner` (each by one process only)."""
    now = utcnow()
    orphaned = (
        Job.kind == LIVE_KIND,
        Job.status == JobStatus.in_progress,
        or_(Job.worker_id.is_(None), Job.worker_id != owner),  # its own sessions are stopped, not taken
    )
    stale = Job.updated_at < now - timedelta(seconds=lease_seconds)
    candidates = select(Job.id).where(*orphaned, stale).order_by(Job.created_at).limit(limit)
    taken = session.execute(
        update(Job)
        .where(Job.id.in_(candidates.scalar_subquery()), *orphaned, stale)
        .values(worker_id=owner, updated_at=now, attempts=Job.attempts + 1)
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    )
    return [row.id for row in taken]


def held_job(session: Session, *, job_id: str, owner: str) -> Job | None:
    """The live job, if `owner` still holds it (renewing its heartbeat)."""
    if not renew(session, job_ids={job_id}, owner=owner):
        return None
    return session.get(Job, job_id, populate_existing=True)
