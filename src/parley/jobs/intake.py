"""Accepting work: one place every face calls to turn a validated request into a durable job.

Each function commits the job (and its media) in one transaction, then wakes the runner and sends the
`scheduled` webhook, in that order, so a worker never sees a job whose row is not yet committed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from parley.errors import BadRequest, ParleyError
from parley.intel.tracker_specs import unknown_tracker_ids
from parley.jobs import service as jobs
from parley.jobs.options import JobOptions
from parley.models import Job, JobStatus
from parley.net.guard import UnsafeURLError, check_url
from parley.pipeline.media import media_key
from parley.pipeline.text import build_transcript, conversation_start
from parley.pipeline.transcribe import check_channel_metadata
from parley.runner.base import JobRunner
from parley.runtime import Runtime
from parley.speech.audio import MediaError, probe
from parley.speech.transcriber import ModelUnavailableError


def check_language(runtime: Runtime, options: JobOptions) -> None:
    language = options.language
    if language is None or language == "en":
        return
    transcriber = runtime.transcriber()
    try:
        multilingual = transcriber.is_multilingual
    except ModelUnavailableError as error:
        raise ParleyError(str(error)) from None
    if not multilingual:
        raise BadRequest(
            f"languageCode {options.languageCode!r} needs a multilingual speech model, but the configured "
            f"model {transcriber.name} only knows English; set PARLEY_WHISPER_MODEL to a multilingual model"
        )


def check_public(runtime: Runtime, url: str, field: str) -> None:
    """Refuse a media or webhook URL on a private network now, with a 400, rather than in the job."""
    try:
        check_url(url, allow_private=runtime.settings.allow_private_urls)
    except UnsafeURLError as error:
        raise BadRequest(f"{field}: {error}") from None
    except OSError:
        pass  # the name does not resolve now; the fetch (or delivery) retries it and reports the reason


def check_request(runtime: Runtime, app_id: str, options: JobOptions) -> None:
    """Everything about a request that can be refused before its body (maybe a large upload) is read."""
    check_language(runtime, options)
    check_trackers(runtime, app_id, options)
    if options.webhookUrl is not None:
        check_public(runtime, str(options.webhookUrl), "webhookUrl")
    check_capacity(runtime, app_id)


def check_trackers(runtime: Runtime, app_id: str, options: JobOptions) -> None:
    """`trackers[{id}]` must name this app's trackers: say which one does not, before any upload."""
    if not any(spec.id is not None for spec in options.trackers):
        return
    with runtime.session() as session:
        unknown = unknown_tracker_ids(session, app_id=app_id, options=options)
    if unknown:
        raise BadRequest(f"trackers: no tracker with id {unknown[0]} exists in this app")


def check_capacity(runtime: Runtime, app_id: str) -> None:
    """Refuse early (before a large upload is read) when the app is at its job limit."""
    with runtime.session() as session:
        jobs.ensure_capacity(session, app_id=app_id, max_active=runtime.settings.max_concurrent_jobs_per_app)


def submit_upload(
    runtime: Runtime,
    runner: JobRunner,
    *,
    app_id: str,
    kind: str,
    options: JobOptions,
    upload: Path,
    suffix: str,
    conversation_id: str | None = None,
) -> Job:
    """Queue a job for media already streamed to `upload` (a temporary file it takes over)."""
    check_request(runtime, app_id, options)
    if options.enableSeparateRecognitionPerChannel and options.channelMetadata:
        try:
            check_channel_metadata(probe(upload).channels, options)
        except MediaError as error:
            raise BadRequest(f"channelMetadata: {error}") from None
    key: str | None = None
    try:
        with runtime.session() as session:
            job = jobs.submit(
                session,
                app_id=app_id,
                kind=kind,
                options=_stored(options),
                max_active=runtime.settings.max_concurrent_jobs_per_app,
                conversation_id=conversation_id,
            )
            key = job.media_path = media_key(job, suffix)
            runtime.blobs.put_file(key, upload)
            runtime.announce(job.id, JobStatus.scheduled, session=session)
    except BaseException:
        if key is not None:  # the rows were rolled back: drop the media they would have pointed at
            runtime.blobs.delete_prefix(key)
        raise
    return _queued(runtime, runner, job)


def submit_url(
    runtime: Runtime,
    runner: JobRunner,
    *,
    app_id: str,
    kind: str,
    options: JobOptions,
    url: str,
    conversation_id: str | None = None,
) -> Job:
    check_public(runtime, url, "url")
    check_request(runtime, app_id, options)
    with runtime.session() as session:
        job = jobs.submit(
            session,
            app_id=app_id,
            kind=kind,
            options=_stored(options),
            source_url=url,
            max_active=runtime.settings.max_concurrent_jobs_per_app,
            conversation_id=conversation_id,
        )
        runtime.announce(job.id, JobStatus.scheduled, session=session)
    return _queued(runtime, runner, job)


def submit_text(
    runtime: Runtime,
    runner: JobRunner,
    *,
    app_id: str,
    options: JobOptions,
    messages: list[dict[str, Any]],
    conversation_id: str | None = None,
) -> Job:
    check_request(runtime, app_id, options)
    start = conversation_start(messages)
    build_transcript(messages, start=start)  # refuse bad times now, not in the job
    with runtime.session() as session:
        job = jobs.submit(
            session,
            app_id=app_id,
            kind="text",
            options=_stored(options),
            text_messages=messages,
            max_active=runtime.settings.max_concurrent_jobs_per_app,
            conversation_id=conversation_id,
        )
        if start is not None and conversation_id is None:
            jobs.conversation_of(session, job).start_time = start
        runtime.announce(job.id, JobStatus.scheduled, session=session)
    return _queued(runtime, runner, job)


def _stored(options: JobOptions) -> dict[str, Any]:
    return options.model_dump(mode="json", exclude_none=True)


def _queued(runtime: Runtime, runner: JobRunner, job: Job) -> Job:
    """Wake a worker for a job whose `scheduled` was announced with it (so the receiver hears it first)."""
    runner.enqueue(job.id)
    return job
