"""Running one claimed job from its row to stored results: the same code for the server, workers and CLI.

Failures split in two: the media or request is at fault (`failed` at once, with the reason), or something
transient went wrong (the job goes back to the queue until `job_max_attempts` is spent).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from parley.conversations import service as conversations
from parley.jobs import service as jobs
from parley.jobs.lease import Heartbeat, LeaseLost
from parley.jobs.options import JobOptions
from parley.models import Job, JobStatus
from parley.net.fetch import FetchError
from parley.net.guard import UnsafeURLError
from parley.pipeline.analyze import PendingAnalysis, prepare_analysis, run_analysis, store_analysis
from parley.pipeline.media import local_media
from parley.pipeline.text import build_transcript, conversation_start
from parley.pipeline.transcribe import transcribe_media
from parley.rooms import delivery as room_delivery
from parley.runtime import Runtime
from parley.speech.audio import MediaError
from parley.speech.transcriber import ModelUnavailableError, UnsupportedLanguageError
from parley.transcript import Transcript

log = logging.getLogger(__name__)

PERMANENT_ERRORS = (MediaError, FetchError, UnsafeURLError, UnsupportedLanguageError, ModelUnavailableError)


def produce_transcript(
    runtime: Runtime, job: Job, on_progress: Callable[[float], None] | None = None
) -> Transcript:
    if job.kind == "text":
        messages = job.text_messages or []
        if job.media_path or job.source_url:
            local_media(runtime, job)  # media kept beside a supplied transcript: checked, not transcribed
        return build_transcript(messages, start=job.time_origin or conversation_start(messages))
    options = JobOptions.model_validate(job.options)
    path = local_media(runtime, job)
    diarizer = runtime.diarizer() if options.enableSpeakerDiarization else None
    return transcribe_media(
        path, transcriber=runtime.transcriber(), options=options, diarizer=diarizer, on_progress=on_progress
    )


def execute(
    runtime: Runtime, job: Job, *, worker_id: str, on_progress: Callable[[float], None] | None = None
) -> str:
    """Run a job this worker has claimed; returns the status it ended in (or `scheduled` if requeued)."""
    if job.kind == jobs.ROOM:  # a room recording's delivery: no speech recognition here
        return room_delivery.run(runtime, job, worker_id=worker_id)
    limit = runtime.settings.job_max_attempts
    if job.attempts > limit:  # each earlier worker died mid-job (killed, out of memory): stop feeding it more
        return _fail(runtime, job, worker_id, f"gave up after {limit} attempts; each one stopped unfinished")
    runtime.announce(job.id, JobStatus.in_progress)
    try:
        with Heartbeat(runtime, job.id, worker_id) as heartbeat:

            def progress(fraction: float) -> None:
                heartbeat.progress = fraction
                if on_progress:
                    on_progress(fraction)

            transcript = produce_transcript(runtime, job, progress)
            _store_messages(runtime, job, transcript, worker_id)
            pending, document = _analyse(runtime, job)
            if heartbeat.lost:
                raise LeaseLost(job.id)
        _complete(runtime, job, worker_id, pending, document)
        return JobStatus.completed
    except LeaseLost:
        log.warning("job %s was taken over by another worker; discarding this run", job.id)
        return JobStatus.in_progress
    except PERMANENT_ERRORS as error:
        return _fail(runtime, job, worker_id, str(error))
    except Exception as error:
        log.exception("job %s attempt %d failed", job.id, job.attempts)
        if job.attempts >= limit:
            return _fail(runtime, job, worker_id, f"internal error after {job.attempts} attempts: {error}")
        with runtime.session() as session:
            jobs.release(session, job_id=job.id, worker_id=worker_id)
        return JobStatus.scheduled
    finally:
        if job.media_path:  # a copy downloaded from S3 is not needed once this attempt ends
            runtime.blobs.drop_local_copy(job.media_path)


def _store_messages(runtime: Runtime, job: Job, transcript: Transcript, worker_id: str) -> None:
    """Messages land first; a rerun replaces them, so a crash before `completed` duplicates nothing."""
    with runtime.session() as session:
        lease = runtime.settings.job_lease_seconds
        if not jobs.renew_lease(
            session, job_id=job.id, worker_id=worker_id, lease_seconds=lease, progress=None
        ):
            raise LeaseLost(job.id)
        conversation = jobs.conversation_of(session, job)
        offset = (
            conversations.content_end(session, conversation_id=conversation.id, excluding_job=job.id)
            if job.append
            else 0.0
        )
        conversations.save_job_results(
            session, conversation=conversation, job_id=job.id, transcript=transcript, offset=offset
        )


def _analyse(runtime: Runtime, job: Job) -> tuple[PendingAnalysis, dict[str, Any]]:
    with runtime.session() as session:
        conversation = jobs.conversation_of(session, job)
        pending = prepare_analysis(session, conversation=conversation, job=job, settings=runtime.settings)
    return pending, run_analysis(pending)


def _complete(
    runtime: Runtime, job: Job, worker_id: str, pending: PendingAnalysis, document: dict[str, Any]
) -> None:
    """The analysis, the `completed` status and its webhook land in one transaction, or not at all."""
    with runtime.session() as session:
        if not jobs.finish(session, job_id=job.id, worker_id=worker_id):
            raise LeaseLost(job.id)
        store_analysis(session, pending=pending, document=document)
        runtime.announce(job.id, JobStatus.completed, session=session)


def _fail(runtime: Runtime, job: Job, worker_id: str, reason: str) -> str:
    log.info("job %s failed: %s", job.id, reason)
    with runtime.session() as session:
        jobs.finish(session, job_id=job.id, worker_id=worker_id, error=reason)
        runtime.announce(job.id, JobStatus.failed, session=session)
    return JobStatus.failed
