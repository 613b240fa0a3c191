"""Jobs are rows first: submitting writes one, workers claim it under a lease, results land once.

A worker that dies stops renewing its lease; once the lease runs out any worker claims the job again and
re-runs it into the same conversation (results are replaced per job, never added twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from parley.conversations import service as conversations
from parley.errors import BadRequest, NotFound, TooManyJobs
from parley.ids import uuid_id
from parley.models import Conversation, Job, JobStatus, utcnow
from parley.notify.outbox import Signer

ACTIVE = (JobStatus.scheduled, JobStatus.in_progress)
# A room recording's own job: held by the server that captures the room, then it delivers the file
# (parley.rooms.delivery). It transcribes nothing, belongs to no conversation and uses no job quota.
ROOM = "room"


@dataclass(frozen=True)
class WebhookTarget:
    """Where a job's status webhooks go, signed with its app's webhook secret (when it has one)."""

    url: str
    signer: Signer


def submit(
    session: Session,
    *,
    app_id: str,
    kind: str,
    options: dict[str, Any],
    max_active: int,
    conversation_id: str | None = None,
    source_url: str | None = None,
    media_path: str | None = None,
    text_messages: list[dict[str, Any]] | None = None,
) -> Job:
    """Create the job (and its conversation unless appending to `conversation_id`)."""
    ensure_capacity(session, app_id=app_id, max_active=max_active)
    if conversation_id is None:
        conversation = conversations.create(session, app_id=app_id, kind=kind, name=options.get("name"))
    else:
        found = conversations.get(session, app_id=app_id, conversation_id=conversation_id)
        if found is None:
            raise NotFound(f"conversation {conversation_id} was not found")
        conversation = found
        if has_active_job(session, conversation_id=conversation.id):
            raise BadRequest(
                f"conversation {conversation.id} still has a job running; append after it completes"
            )
    conversations.merge_metadata(session, conversation, options.get("metadata"))
    job = Job(
        id=uuid_id(),
        app_id=app_id,
        conversation_id=conversation.id,
        kind=kind,
        append=conversation_id is not None,
        options=options,
        source_url=source_url,
        media_path=media_path,
        text_messages=text_messages,
    )
    session.add(job)
    session.flush()
    return job


def ensure_capacity(session: Session, *, app_id: str, max_active: int) -> None:
    if count_active(session, app_id=app_id) >= max_active:
        raise TooManyJobs(
            f"This API has a limit of maximum of {max_active} number of concurrent jobs per account. "
            "Wait for running jobs to complete, or raise PARLEY_MAX_CONCURRENT_JOBS_PER_APP."
        )


def create_held(
    session: Session, *, app_id: str, kind: str, options: dict[str, Any], worker_id: str, lease_seconds: float
) -> Job:
    """A job that starts out `in_progress` under `worker_id`'s lease (no attempt counted): whoever claims
    it after that lease runs out knows its first holder died."""
    now = utcnow()
    job = Job(
        id=uuid_id(),
        app_id=app_id,
        conversation_id="",
        kind=kind,
        options=options,
        status=JobStatus.in_progress,
        worker_id=worker_id,
        lease_expires_at=now + timedelta(seconds=lease_seconds),
    )
    session.add(job)
    session.flush()
    return job


def get(session: Session, *, app_id: str, job_id: str) -> Job | None:
    job = session.get(Job, job_id)
    if job is None or job.app_id != app_id:
        return None
    return job


def count_active(session: Session, *, app_id: str) -> int:
    query = (
        select(func.count())
        .select_from(Job)
        .where(Job.app_id == app_id, Job.status.in_(ACTIVE), Job.kind != ROOM)
    )
    return int(session.scalar(query) or 0)


def has_active_job(session: Session, *, conversation_id: str) -> bool:
    query = select(Job.id).where(Job.conversation_id == conversation_id, Job.status.in_(ACTIVE)).limit(1)
    return session.scalar(query) is not None


def _claimable(now: datetime):  # type: ignore[no-untyped-def]
    return or_(
        Job.status == JobStatus.scheduled,
        (Job.status == JobStatus.in_progress) & (Job.lease_expires_at < now),
    )


def claim_next(session: Session, *, worker_id: str, lease_seconds: float) -> Job | None:
    """Take the oldest runnable job, or one whose worker stopped renewing its lease."""
    tried: list[str] = []
    for _ in range(5):
        # PostgreSQL: a row another worker is claiming right now is skipped rather than waited on (SKIP
        # LOCKED), and only the one row taken is locked. SQLite has no row locks and one writer at a
        # time; there the conditional update in `claim` decides, and a lost race tries the next row.
        candidate = session.scalar(
            select(Job.id)
            .where(_claimable(utcnow()), Job.id.not_in(tried))
            .order_by(Job.created_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if candidate is None:
            return None
        job = claim(session, job_id=candidate, worker_id=worker_id, lease_seconds=lease_seconds)
        if job is not None:
            return job
        tried.append(candidate)
    return None


def claim(session: Session, *, job_id: str, worker_id: str, lease_seconds: float) -> Job | None:
    """Take one job if it is still runnable; the conditional update makes two claimers race safely."""
    now = utcnow()
    claimed = session.execute(
        update(Job)
        .where(Job.id == job_id, _claimable(now))
        .values(
            status=JobStatus.in_progress,
            worker_id=worker_id,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
            attempts=Job.attempts + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return session.get(Job, job_id, populate_existing=True) if claimed.rowcount == 1 else None


@dataclass(frozen=True)
class StaleJob:
    id: str
    kind: str
    status: str


def take_stale(session: Session, *, idle_seconds: float, limit: int = 500) -> list[StaleJob]:
    """Jobs left untouched for `idle_seconds` that may have lost their queue message:
    still `scheduled`, or `in_progress` under an expired lease. Each is stamped as just re-published,
    in one conditional update, so concurrent sweepers never hand out the same job twice in a round."""
    now = utcnow()
    cutoff = now - timedelta(seconds=idle_seconds)
    stale = select(Job.id).where(_claimable(now), Job.updated_at < cutoff).limit(limit)
    taken = session.execute(
        update(Job)
        .where(Job.id.in_(stale.scalar_subquery()), _claimable(now), Job.updated_at < cutoff)
        .values(updated_at=now)
        .returning(Job.id, Job.kind, Job.status)
        .execution_options(synchronize_session=False)
    )
    return [StaleJob(row.id, row.kind, row.status) for row in taken]


def count_waiting(session: Session) -> dict[str, int]:
    """How many `scheduled` jobs of each kind wait for a worker."""
    rows = session.execute(
        select(Job.kind, func.count()).where(Job.status == JobStatus.scheduled).group_by(Job.kind)
    )
    return {kind: int(count) for kind, count in rows}


def renew_lease(
    session: Session, *, job_id: str, worker_id: str, lease_seconds: float, progress: float | None
) -> bool:
    """Extend the lease; False means another worker has taken the job over."""
    values: dict[str, Any] = {"lease_expires_at": utcnow() + timedelta(seconds=lease_seconds)}
    if progress is not None:
        values["progress"] = progress
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.worker_id == worker_id, Job.status == JobStatus.in_progress)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def finish(session: Session, *, job_id: str, worker_id: str | None, error: str | None = None) -> bool:
    """Mark the job completed (or failed with `error`) if this worker still holds it."""
    conditions = [Job.id == job_id, Job.status.in_(ACTIVE)]
    if worker_id is not None:
        conditions.append(Job.worker_id == worker_id)
    result = session.execute(
        update(Job)
        .where(*conditions)
        .values(
            status=JobStatus.failed if error else JobStatus.completed,
            error=error,
            progress=1.0 if error is None else Job.progress,
            lease_expires_at=None,
            finished_at=utcnow(),
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release(session: Session, *, job_id: str, worker_id: str) -> None:
    """Hand a job back to the queue (a worker shutting down, or a retryable error)."""
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.worker_id == worker_id, Job.status == JobStatus.in_progress)
        .values(status=JobStatus.scheduled, worker_id=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )


def webhook_target(job: Job) -> WebhookTarget | None:
    url = (job.options or {}).get("webhookUrl")
    if not url:
        return None
    return WebhookTarget(url=url, signer=Signer.app(job.app_id))


def conversation_of(session: Session, job: Job) -> Conversation:
    conversation = session.get(Conversation, job.conversation_id)
    if conversation is None:
        raise NotFound(f"conversation {job.conversation_id} of job {job.id} no longer exists")
    return conversation
