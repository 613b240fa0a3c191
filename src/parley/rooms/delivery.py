"""A room recording's room job (jobs.ROOM), run by any runner once the capture handed it over: uploads,
completion, and the transcription as one ordinary core job.

Every step is recorded on the recording as it lands, so a run that stops midway (its process killed)
is claimed again once its lease runs out and carries on from the first step not recorded:
1. still `recording`: the process capturing the room died, and the file can never be finished: the
   recording ends `failed` (its webhook once);
2. each requested copy not in `uploads` yet: the S3 path `awsDirPath`, one PUT to `preSignedUrl`; its
   outcome lands in `uploads` (a failed upload is reported there, not retried);
3. `processing` -> `completed`, then the recording-stopped webhook;
4. with `transcription.enabled` and no transcription job yet: the job, created in one transaction with
   `job_id`. Its media is one WAV with a channel per participant, recognised with
   `enableSeparateRecognitionPerChannel` and `channelMetadata` naming each channel's participant, so
   every word belongs to the one who spoke it; `summary.prompt` rides on the job (`Job.summary_prompt`).
   Its webhooks follow it wherever it runs (parley.rooms.events.follow_jobs).
An upload whose process died before its outcome landed runs again: the PUT or S3 object is replaced.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from parley.errors import ParleyError
from parley.jobs import service as jobs
from parley.jobs.lease import Heartbeat, LeaseLost
from parley.models import Job, JobStatus, RoomRecording
from parley.rooms import events, uploads
from parley.rooms.lifecycle import State, fail, file_key, move, workdir
from parley.runtime import Runtime

log = logging.getLogger(__name__)

NO_LLM_NOTE = (
    "summary: no LLM is configured (PARLEY_LLM_BASE_URL), so the summary is extractive and "
    "summary.prompt was not used"
)
CAPTURE_DIED = (
    "the server recording this room stopped (killed or crashed) before the recording was ended, so the "
    "file could not be finished; start a new recording"
)


def run(runtime: Runtime, job: Job, *, worker_id: str) -> str:
    """Run a claimed room job; returns the status it ended in (`scheduled` if handed back for a retry)."""
    recording_id = str(job.options["recordingId"])
    limit = runtime.settings.job_max_attempts
    if job.attempts > limit:
        reason = f"delivering the recording gave up after {limit} attempts; each one stopped unfinished"
        return _fail(runtime, recording_id, reason, job, worker_id)
    try:
        with Heartbeat(runtime, job.id, worker_id):
            return _deliver(runtime, recording_id, job, worker_id)
    except LeaseLost:
        log.warning("room job %s was taken over by another worker", job.id)
        return JobStatus.in_progress
    except Exception as error:
        log.exception("room job %s attempt %d failed", job.id, job.attempts)
        if job.attempts >= limit:
            reason = f"delivering the recording failed after {job.attempts} attempts: {error}"
            return _fail(runtime, recording_id, reason, job, worker_id)
        with runtime.session() as session:
            jobs.release(session, job_id=job.id, worker_id=worker_id)
        return JobStatus.scheduled


def _deliver(runtime: Runtime, recording_id: str, job: Job, worker_id: str) -> str:
    with runtime.session() as session:
        recording = session.get(RoomRecording, recording_id)
        state = recording.state if recording is not None else None
    if state is None or state == State.recording:
        shutil.rmtree(workdir(runtime, recording_id), ignore_errors=True)  # what the dead capture left here
        reason = CAPTURE_DIED if state is not None else "the recording was deleted before it was delivered"
        return _fail(runtime, recording_id, reason, job, worker_id)
    if state == State.processing:
        _upload(runtime, recording_id, job.id, worker_id)
        _complete(runtime, recording_id, job.id, worker_id)
    problem = _transcribe(runtime, recording_id, job.id, worker_id)
    if problem is not None:
        return _fail(runtime, recording_id, problem, job, worker_id)
    with runtime.session() as session:
        if not jobs.finish(session, job_id=job.id, worker_id=worker_id):
            raise LeaseLost(job.id)
    return JobStatus.completed


def _fail(runtime: Runtime, recording_id: str, reason: str, job: Job, worker_id: str) -> str:
    """End the recording failed from the state it is in now (one already failed, or gone, stays so)."""
    with runtime.session() as session:
        recording = session.get(RoomRecording, recording_id)
        state = State(recording.state) if recording is not None else State.failed
        if state == State.failed:
            jobs.finish(session, job_id=job.id, worker_id=worker_id, error=reason)
    if state != State.failed:
        fail(runtime, recording_id, reason, job_id=job.id, worker_id=worker_id, expected=state)
    return JobStatus.failed


def _check_held(session: Session, runtime: Runtime, job_id: str, worker_id: str) -> None:
    """Inside a step's transaction: the step lands only while this worker still holds the job."""
    lease = runtime.settings.job_lease_seconds
    if not jobs.renew_lease(session, job_id=job_id, worker_id=worker_id, lease_seconds=lease, progress=None):
        raise LeaseLost(job_id)


def _upload(runtime: Runtime, recording_id: str, job_id: str, worker_id: str) -> None:
    with runtime.session() as session:
        recording = session.get_one(RoomRecording, recording_id)
        request, done = dict(recording.request or {}), dict(recording.uploads or {})
        key, file_format = recording.file_path, (recording.file_meta or {}).get("format", "mp4")
    targets = {"s3": request.get("aws_dir_path"), "preSignedUrl": request.get("presigned_url")}
    pending = [name for name, target in targets.items() if target and name not in done]
    if not pending or key is None:
        return
    source = runtime.blobs.local_path(key)
    try:
        for name in pending:
            outcome = _copy(runtime, name, str(targets[name]), source, recording_id, file_format)
            with runtime.session() as session:
                _check_held(session, runtime, job_id, worker_id)
                recording = session.get_one(RoomRecording, recording_id)
                recording.uploads = dict(recording.uploads or {}) | {name: outcome}
    finally:
        runtime.blobs.drop_local_copy(key)


def _copy(
    runtime: Runtime, name: str, target: str, source: Path, recording_id: str, file_format: str
) -> dict[str, Any]:
    """One upload's outcome: {"bucket", "key"} or {"status"}, or {"error"} (the file stays here)."""
    try:
        if name == "s3":
            return uploads.to_s3(runtime, target, f"{recording_id}.{file_format}", source)
        return uploads.to_presigned_url(runtime, target, source, file_format)
    except Exception as error:
        where = "the S3 upload" if name == "s3" else "the PUT to preSignedUrl"
        log.warning("room recording %s: %s failed: %s", recording_id, where, error)
        return {"error": f"{where} failed: {error}"}


def _complete(runtime: Runtime, recording_id: str, job_id: str, worker_id: str) -> None:
    with runtime.session() as session:
        _check_held(session, runtime, job_id, worker_id)
        moved = move(session, recording_id, expected=State.processing, to=State.completed)
        recording = session.get_one(RoomRecording, recording_id, populate_existing=True)
        url, path, done = events.file_url(recording), recording.file_path, dict(recording.uploads or {})
    if moved:
        events.send(runtime, recording_id, events.RECORDING_STOPPED, fileUrl=url, filePath=path, uploads=done)


def _transcribe(runtime: Runtime, recording_id: str, job_id: str, worker_id: str) -> str | None:
    """Create and queue the transcription job when one is asked for and not made yet; returns why the
    recording must end failed instead, if it must."""
    with runtime.session() as session:
        recording = session.get_one(RoomRecording, recording_id)
        request = dict(recording.request or {})
        if recording.state != State.completed or not request.get("transcription") or recording.job_id:
            return None
        names = [str(participant["name"]) for participant in recording.participants or []]
    if not names:
        return "transcription: nobody was recorded, so there is nothing to transcribe"
    try:
        with runtime.session() as session:
            _check_held(session, runtime, job_id, worker_id)
            _create_transcription(session, runtime, recording_id, names)
    except ParleyError as error:  # the account is at its limit of running jobs
        return f"transcription: {error.message}"
    return None


def _create_transcription(session: Session, runtime: Runtime, recording_id: str, names: list[str]) -> None:
    recording = session.get_one(RoomRecording, recording_id)
    request = recording.request
    options = {
        "name": f"Room {recording_id}",
        "enableSeparateRecognitionPerChannel": True,
        "channelMetadata": [
            {"channel": number, "speaker": {"name": name}} for number, name in enumerate(names, start=1)
        ],
        "enableSummary": bool(request.get("summary")),
    }
    job = jobs.submit(
        session,
        app_id=recording.app_id,
        kind="audio",
        options=options,
        max_active=runtime.settings.max_concurrent_jobs_per_app,
        media_path=file_key(recording.app_id, recording_id, "participants.wav"),
    )
    job.summary_prompt = request.get("summary_prompt") if request.get("summary") else None
    jobs.conversation_of(session, job).start_time = recording.started_at
    recording.job_id, recording.conversation_id = job.id, job.conversation_id
    # Heard once committed by the runner's side: a `parley worker` publishes it; `parley serve` polls for it.
    runtime.announce(job.id, JobStatus.scheduled, session=session)
    if request.get("summary") and not runtime.settings.llm_base_url:
        recording.notes = [*(recording.notes or []), NO_LLM_NOTE]
