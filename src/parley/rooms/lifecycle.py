"""A room recording's states, where its files live, and the one way it moves between states.

`recording`: the server capturing the room holds the recording's room job (jobs.ROOM) under a lease.
`processing`: the file is in the blob store; the room job waits for any runner to deliver it
(parley.rooms.delivery). `completed`: stored and uploaded; a transcription, when asked, runs as its own
core job. `failed`, with `error`: from any of them.

Each move is a conditional update from the state the mover saw, committed before its webhook is sent, so
a step that runs again after a crash finds the move made and sends nothing twice.
"""

from __future__ import annotations

import enum
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.orm import Session

from parley.jobs import service as jobs
from parley.models import RoomRecording, utcnow
from parley.rooms import events
from parley.runtime import Runtime

log = logging.getLogger(__name__)


class State(enum.StrEnum):
    recording = "recording"
    processing = "processing"
    completed = "completed"
    failed = "failed"


def workdir(runtime: Runtime, recording_id: str) -> Path:
    """Where the recorder writes while capturing, on the capturing machine."""
    return runtime.settings.tmp_dir / "rooms" / recording_id


def file_key(app_id: str, recording_id: str, name: str) -> str:
    """Blob key of one of the recording's files: `recording.mp4`, `participant-1.wav`, `participants.wav`."""
    return f"{app_id}/rooms/{recording_id}/{name}"


def move(session: Session, recording_id: str, *, expected: State, to: State, **values: Any) -> bool:
    """Move the recording from `expected` to `to` (setting `values`); False if it was not in `expected`."""
    result = session.execute(
        update(RoomRecording)
        .where(RoomRecording.id == recording_id, RoomRecording.state == expected)
        .values(state=to, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def fail(
    runtime: Runtime, recording_id: str, reason: str, *, job_id: str, worker_id: str, expected: State
) -> bool:
    """End the recording `failed` with `reason`, and its room job with it, if this worker still holds
    the job; the failed webhook goes out once, after the commit."""
    log.warning("room recording %s failed: %s", recording_id, reason)
    with runtime.session() as session:
        if not jobs.finish(session, job_id=job_id, worker_id=worker_id, error=reason):
            return False  # another worker holds the job now and decides
        moved = move(
            session,
            recording_id,
            expected=expected,
            to=State.failed,
            error=reason,
            ended_at=func.coalesce(RoomRecording.ended_at, utcnow()),
        )
    if moved:
        events.send(runtime, recording_id, events.RECORDING_FAILED, error=reason)
    return moved
