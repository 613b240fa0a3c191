"""Capturing a room on this server, and handing the finished file over for delivery.

While a room is recorded, this process holds the recording's room job under a lease it keeps renewing; a
process that dies stops renewing, and whoever claims the job next finds the recording still `recording`
and ends it `failed` (parley.rooms.delivery). Ending the capture stores the file and each participant's
own track in the blob store, then, in one transaction, moves the recording to `processing` and puts the
job back in the queue: from then on any runner (a `parley serve` thread or a `parley worker`) delivers it.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from dataclasses import dataclass
from typing import Any

from parley.jobs import service as jobs
from parley.jobs.lease import Heartbeat
from parley.models import RoomRecording, utcnow
from parley.rooms.lifecycle import State, fail, file_key, move
from parley.rooms.recorder import RecordedFiles, Recorder
from parley.rooms.tracks import multichannel_wav
from parley.runner.base import JobRunner
from parley.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Capture:
    """A recording this process is capturing: its recorder and the lease on its room job (None where a
    recorder runs without a database, as in the recorder's own tests)."""

    recording_id: str
    recorder: Recorder
    lease: Heartbeat | None = None


async def finish(runtime: Runtime, runner: JobRunner, capture: Capture) -> None:
    """Stop the recorder, store its files and queue the delivery; a failure ends the recording `failed`."""
    lease = capture.lease
    assert lease is not None, "only a capture holding its room job can be finished"
    try:
        files = await asyncio.to_thread(capture.recorder.stop)
        size = await asyncio.to_thread(_store, runtime, capture.recording_id, files)
    except Exception as error:
        log.exception("room recording %s could not be finished", capture.recording_id)
        lease.stop()
        reason = f"the recording could not be finished: {error}"
        fail(
            runtime,
            capture.recording_id,
            reason,
            job_id=lease.job_id,
            worker_id=lease.worker_id,
            expected=State.recording,
        )
        return
    finally:
        shutil.rmtree(capture.recorder.workdir, ignore_errors=True)
    lease.stop()
    if await asyncio.to_thread(_hand_over, runtime, capture.recording_id, lease, files, size):
        runner.enqueue(lease.job_id)


def _store(runtime: Runtime, recording_id: str, files: RecordedFiles) -> int:
    """The file, each participant's track and (for transcription) one WAV with a channel per participant;
    returns the file's size."""
    size = files.path.stat().st_size
    with runtime.session() as session:
        recording = session.get_one(RoomRecording, recording_id)
        app_id, transcribe = recording.app_id, bool((recording.request or {}).get("transcription"))
    if transcribe and files.tracks:
        channels = files.path.parent / "participants.wav"
        multichannel_wav(files.tracks, channels)
        runtime.blobs.put_file(file_key(app_id, recording_id, channels.name), channels)
    for number, track in enumerate(files.tracks, start=1):
        runtime.blobs.put_file(file_key(app_id, recording_id, f"participant-{number}.wav"), track.path)
    runtime.blobs.put_file(file_key(app_id, recording_id, f"recording.{files.format}"), files.path)
    return size


def _hand_over(
    runtime: Runtime, recording_id: str, lease: Heartbeat, files: RecordedFiles, size: int
) -> bool:
    """`recording` -> `processing` and the room job back in the queue, together; False if the lease ran
    out meanwhile (the recording was then ended `failed` by whoever took the job)."""
    meta: dict[str, Any] = {"format": files.format, "duration": round(files.duration, 3)}
    if files.width is not None:
        meta["resolution"] = {"width": files.width, "height": files.height}
    with runtime.session() as session:
        held = jobs.renew_lease(
            session,
            job_id=lease.job_id,
            worker_id=lease.worker_id,
            lease_seconds=runtime.settings.job_lease_seconds,
            progress=None,
        )
        if not held:
            return False
        app_id = session.get_one(RoomRecording, recording_id).app_id
        moved = move(
            session,
            recording_id,
            expected=State.recording,
            to=State.processing,
            ended_at=utcnow(),
            participants=[
                {"id": t.participant_id, "name": t.name, "joinedAt": t.joined_at, "leftAt": t.left_at}
                for t in files.tracks
            ],
            file_path=file_key(app_id, recording_id, f"recording.{files.format}"),
            file_meta=meta | {"size": size},
        )
        if moved:
            jobs.release(session, job_id=lease.job_id, worker_id=lease.worker_id)
    return moved
