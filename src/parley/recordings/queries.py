"""Reading recordings: one recording with everything its answer needs, pages of them, their results.

A recording's state is derived from its flags and its job, never stored, so it cannot drift:
Empty (waiting for a payload; a downloadUrl not yet fetched), Uploaded (processing), Ready, Failed.
"""

from __future__ import annotations

import base64
import binascii
import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from parley.conversations import service as conversations
from parley.errors import BadRequest, Conflict
from parley.intel.model import Analysis
from parley.jobs.service import ACTIVE
from parley.models import (
    Channel,
    ConversationAnalysis,
    Job,
    JobStatus,
    Member,
    MessageRow,
    Recording,
    Workspace,
    WorkspaceUser,
)


class RecordingState(enum.StrEnum):
    Empty = "Empty"  # an announced payload has not arrived (or the downloadUrl is not fetched yet)
    Uploaded = "Uploaded"  # every payload is in; the job is processing it
    Ready = "Ready"  # transcript and insights are readable
    Failed = "Failed"  # `failure_reason` says why


@dataclass(frozen=True)
class RecordingView:
    recording: Recording
    workspace: Workspace
    author: WorkspaceUser
    channel: Channel | None
    job: Job | None

    @property
    def state(self) -> RecordingState:
        job = self.job
        if job is None:
            return RecordingState.Empty
        if job.status == JobStatus.completed:
            return RecordingState.Ready
        if job.status == JobStatus.failed:
            return RecordingState.Failed
        return RecordingState.Uploaded if job.media_path else RecordingState.Empty

    @property
    def failure_reason(self) -> str | None:
        return self.job.error if self.job is not None and self.job.status == JobStatus.failed else None

    @property
    def media_path(self) -> str | None:
        return self.recording.media_path or (self.job.media_path if self.job else None)

    @property
    def attended(self) -> bool:
        """Whether the author (the recorder) took part: a meeting participant or the transcript's recorder."""
        participants = (self.recording.meeting or {}).get("participants") or []
        if any((p.get("email") or "").lower() == self.author.email for p in participants):
            return True
        speakers = (self.recording.transcript or {}).get("speakers") or []
        return any(speaker.get("isRecorder") for speaker in speakers)


@dataclass(frozen=True)
class Page:
    views: list[RecordingView]
    next_cursor: str | None


def view_of(session: Session, recording: Recording) -> RecordingView:
    return RecordingView(
        recording=recording,
        workspace=session.get_one(Workspace, recording.workspace_id),
        author=session.get_one(WorkspaceUser, recording.author_id),
        channel=session.get(Channel, recording.channel_id) if recording.channel_id else None,
        job=session.get(Job, recording.job_id) if recording.job_id else None,
    )


def get(session: Session, *, workspace_id: str, recording_id: str) -> RecordingView | None:
    recording = session.get(Recording, recording_id)
    if recording is None or recording.workspace_id != workspace_id:
        return None
    return view_of(session, recording)


def get_all(
    session: Session,
    *,
    workspace_id: str,
    limit: int,
    cursor: str | None = None,
    channel_id: str | None = None,
    state: RecordingState | None = None,
) -> Page:
    """Newest first; ties on creation time broken by id, so pages never skip or repeat a recording."""
    query = (
        select(Recording, Job)
        .outerjoin(Job, Job.id == Recording.job_id)
        .where(Recording.workspace_id == workspace_id)
        .order_by(Recording.created_at.desc(), Recording.id.desc())
        .limit(limit + 1)
    )
    if channel_id is not None:
        query = query.where(Recording.channel_id == channel_id)
    if state is not None:
        query = _in_state(query, state)
    if cursor is not None:
        created_at, recording_id = decode_cursor(cursor)
        query = query.where(
            or_(
                Recording.created_at < created_at,
                and_(Recording.created_at == created_at, Recording.id < recording_id),
            )
        )
    rows = session.execute(query).all()
    views = [view_of(session, recording) for recording, _job in rows[:limit]]
    more = len(rows) > limit
    return Page(views=views, next_cursor=encode_cursor(views[-1].recording) if more and views else None)


def _in_state(query: Select[Any], state: RecordingState) -> Select[Any]:
    active = Job.status.in_(ACTIVE)
    condition = {
        RecordingState.Ready: Job.status == JobStatus.completed,
        RecordingState.Failed: Job.status == JobStatus.failed,
        RecordingState.Uploaded: and_(active, Job.media_path.is_not(None)),
        RecordingState.Empty: or_(Job.id.is_(None), and_(active, Job.media_path.is_(None))),
    }[state]
    return query.where(condition)


def encode_cursor(recording: Recording) -> str:
    raw = f"{recording.created_at.isoformat()}|{recording.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        instant, recording_id = raw.split("|", 1)
        return datetime.fromisoformat(instant), recording_id
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest("cursor: not a cursor this API returned; pass nextCursor as given") from None


def ensure_ready(view: RecordingView, wanted: str) -> None:
    """409 before the recording is Ready, saying what state it is in."""
    state = view.state
    if state == RecordingState.Ready:
        return
    recording_id = view.recording.id
    if state == RecordingState.Failed:
        raise Conflict(f"recording {recording_id} failed ({view.failure_reason}), so it has no {wanted}")
    raise Conflict(f"recording {recording_id} is {state}; its {wanted} can be read once it is Ready")


def transcript_rows(session: Session, view: RecordingView) -> list[tuple[MessageRow, Member | None]]:
    conversation_id = view.recording.conversation_id
    members = {
        m.id: m for m in session.scalars(select(Member).where(Member.conversation_id == conversation_id))
    }
    return [
        (row, members.get(row.member_id) if row.member_id else None)
        for row in conversations.get_messages(session, conversation_id=conversation_id)
    ]


def analysis_of(session: Session, view: RecordingView) -> Analysis:
    stored = session.get(ConversationAnalysis, view.recording.conversation_id)
    return Analysis.model_validate(stored.document) if stored else Analysis()


def language_of(session: Session, view: RecordingView) -> str | None:
    conversation = conversations.get(
        session, app_id=view.workspace.app_id, conversation_id=view.recording.conversation_id
    )
    return conversation.language if conversation else None
