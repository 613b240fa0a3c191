"""Webhooks for recordings: one POST per state change to the workspace's webhook URL, when it has one.

Recordings follow their job through the runtime's job listeners (every status the core announces, and
the moment a downloadUrl's media is stored). The body is
`{"eventType": "recording.state_changed", "recording": {"id", "workspaceId", "state", "failureReason"?}}`,
signed like the core's webhooks (X-Parley-Signature, with the workspace's webhook secret when it has one).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from parley.models import Job, JobStatus, Recording
from parley.notify.outbox import Signer
from parley.recordings.queries import RecordingState, view_of
from parley.runtime import Runtime

EVENT_TYPE = "recording.state_changed"
FINAL_STATES = (RecordingState.Ready, RecordingState.Failed)


def follow_jobs(runtime: Runtime) -> None:
    """Follow every job this process runs, after announcing what a stopped process may have left."""
    runtime.job_listeners.append(lambda job_id, _event: on_job_event(runtime, job_id))
    announce_missed(runtime)


def announce_missed(runtime: Runtime) -> None:
    """Announce the end of each recording whose job ended without it: its process stopped between the job's
    commit and this listener. The claim in `on_job_event` keeps two starting processes from both sending."""
    with runtime.session() as session:
        job_ids = session.scalars(
            select(Recording.job_id)
            .join(Job, Job.id == Recording.job_id)
            .where(
                Job.status.in_([JobStatus.completed, JobStatus.failed]),
                Recording.announced_state.not_in(FINAL_STATES),
            )
        ).all()
    for job_id in job_ids:
        on_job_event(runtime, job_id)


def on_job_event(runtime: Runtime, job_id: str) -> None:
    """Send a webhook if the recording of this job (if any) is now in a state not yet announced. The state is
    marked announced in the transaction that queues its webhook, so a crash never leaves one without the
    other."""
    with runtime.session() as session:
        recording = session.scalar(select(Recording).where(Recording.job_id == job_id))
        if recording is None:
            return
        view = view_of(session, recording)
        state, previous = view.state, recording.announced_state
        if state == previous:
            return
        # Conditional, so two announcements racing for the same change send it once.
        claimed = session.execute(
            update(Recording)
            .where(Recording.id == recording.id, Recording.announced_state == previous)
            .values(announced_state=state)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1 or not view.workspace.webhook_url:
            return
        shaped: dict[str, Any] = {"id": recording.id, "workspaceId": recording.workspace_id, "state": state}
        if view.failure_reason:
            shaped["failureReason"] = view.failure_reason
        body = {"eventType": EVENT_TYPE, "recording": shaped}
        signer = Signer.workspace(view.workspace.id)
        runtime.webhooks.queue(session, view.workspace.webhook_url, body, signer=signer)
    runtime.webhooks.deliver_soon()
