"""Creating recordings and receiving their payloads; once every announced payload is in, one core job.

Each write commits in one transaction and only then wakes the runner (as `parley.jobs.intake` does), so a
worker never sees a job whose recording is not yet committed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from parley.conversations import service as conversations
from parley.errors import BadRequest, Forbidden, NotFound, TooManyJobs
from parley.jobs import intake
from parley.jobs import service as jobs
from parley.models import Job, JobStatus, Recording, Workspace, WorkspaceRole, WorkspaceUser
from parley.pipeline.media import conversation_prefix
from parley.recordings import signing
from parley.recordings import workspaces as workspace_service
from parley.recordings.transcript_upload import UploadedTranscript, to_text_messages
from parley.runner.base import JobRunner
from parley.runtime import Runtime

# The formats Claap accepts for manual uploads (seed 003); anything else fails with the reason.
MEDIA_FORMATS = ("aac", "avi", "mp3", "mp4", "wav", "webm", "wmv")
CREATORS = (WorkspaceRole.admin, WorkspaceRole.member)


def create(
    runtime: Runtime,
    runner: JobRunner,
    *,
    workspace_id: str,
    author_email: str,
    channel_id: str | None,
    title: str | None,
    meeting: dict[str, Any] | None,
    deal: dict[str, Any] | None,
    download_url: str | None,
    expects_transcript: bool,
) -> str:
    """Create an empty recording and return its id; with a downloadUrl and no transcript to wait for,
    processing (which fetches the URL) starts at once."""
    if download_url is not None:
        intake.check_public(runtime, download_url, "downloadUrl")
    with runtime.session() as session:
        workspace = workspace_service.get_required(session, workspace_id=workspace_id)
        author = _author(session, workspace, author_email)
        channel_id = _channel_id(session, workspace, channel_id)
        _check_deal(workspace, deal, meeting)
        now = runtime.clock()
        check_quota(session, runtime, author=author, now=now)
        origin = _meeting_start(meeting) or now
        title = title or f"Recording by {author.name}"
        conversation = conversations.create(session, app_id=workspace.app_id, kind="video", name=title)
        conversation.start_time = origin
        recording = Recording(
            id=workspace_service.new_id(),
            workspace_id=workspace.id,
            author_id=author.id,
            channel_id=channel_id,
            conversation_id=conversation.id,
            title=title,
            meeting=meeting,
            deal=deal,
            download_url=download_url,
            expects_transcript=expects_transcript,
            created_at=now,
            updated_at=now,
        )
        session.add(recording)
        session.flush()
        job = _start_if_complete(session, runtime, recording)
    if job is not None:
        runner.enqueue(job.id)
    return recording.id


def upload_urls(runtime: Runtime, recording: Recording, base_url: str) -> dict[str, str]:
    """Freshly signed URLs for the payloads the recording still waits for: `url` (media), `metaUrl`
    (transcript). Empty once nothing is awaited."""
    urls: dict[str, str] = {}
    if recording.download_url is None and not recording.media_received:
        urls["url"] = _signed_url(runtime, recording, base_url, "media")
    if recording.expects_transcript and not recording.transcript_received:
        urls["metaUrl"] = _signed_url(runtime, recording, base_url, "transcript")
    return urls


def check_upload(
    runtime: Runtime,
    *,
    recording_id: str,
    purpose: signing.Purpose,
    expires: int | None,
    signature: str | None,
) -> None:
    """Everything that refuses an upload before its body is read: the signature, expiry and single use."""
    signing.check(
        key=runtime.token_key,
        recording_id=recording_id,
        purpose=purpose,
        expires=expires,
        signature=signature,
        now=runtime.clock(),
    )
    with runtime.session() as session:
        _uploadable(session, recording_id, purpose)


def receive_media(
    runtime: Runtime, runner: JobRunner, *, recording_id: str, upload: Path, suffix: str
) -> None:
    """Keep the uploaded media (a temporary file this takes over) and start processing if nothing else is
    awaited. The upload URL is used up only if this succeeds."""
    key: str | None = None
    try:
        with runtime.session() as session:
            recording = _uploadable(session, recording_id, "media")
            key = f"{_prefix(session, recording)}/recording-{recording.id}{suffix}"
            _use_upload(session, recording, Recording.media_received, media_received=True, media_path=key)
            runtime.blobs.put_file(key, upload)
            job = _start_if_complete(session, runtime, recording)
    except BaseException:
        if key is not None:  # the rows were rolled back: drop the media they would have pointed at
            runtime.blobs.delete_prefix(key)
        raise
    if job is not None:
        runner.enqueue(job.id)


def receive_transcript(
    runtime: Runtime, runner: JobRunner, *, recording_id: str, transcript: UploadedTranscript
) -> None:
    with runtime.session() as session:
        recording = _uploadable(session, recording_id, "transcript")
        document = transcript.model_dump(mode="json", exclude_none=True)
        _use_upload(
            session, recording, Recording.transcript_received, transcript_received=True, transcript=document
        )
        if transcript.langIso2:
            workspace = session.get_one(Workspace, recording.workspace_id)
            conversation = conversations.get(
                session, app_id=workspace.app_id, conversation_id=recording.conversation_id
            )
            if conversation is not None:
                conversation.language = transcript.langIso2.lower()
        job = _start_if_complete(session, runtime, recording)
    if job is not None:
        runner.enqueue(job.id)


def check_quota(session: Session, runtime: Runtime, *, author: WorkspaceUser, now: datetime) -> None:
    """At most N recordings per author in any rolling window; 429 saying when the next slot frees."""
    settings = runtime.settings
    limit, window = settings.claap_max_recordings_per_author, timedelta(days=settings.claap_quota_window_days)
    recent = list(
        session.scalars(
            select(Recording.created_at)
            .where(Recording.author_id == author.id, Recording.created_at > now - window)
            .order_by(Recording.created_at)
        )
    )
    if len(recent) < limit:
        return
    frees_at = recent[len(recent) - limit] + window
    days = settings.claap_quota_window_days
    raise TooManyJobs(
        f"{author.email} has created {len(recent)} recordings in the last {days:g} days, the most allowed; "
        f"the next one can be created from {frees_at.isoformat(timespec='seconds')}"
    )


def _author(session: Session, workspace: Workspace, email: str) -> WorkspaceUser:
    author = workspace_service.get_user(session, workspace_id=workspace.id, email=email)
    if author is None:
        raise Forbidden(f"authorEmail: {email} is not a user of workspace {workspace.name!r}")
    if author.role not in CREATORS:
        raise Forbidden(
            f"authorEmail: {email} is a {author.role} of workspace {workspace.name!r}; "
            "only admins and members can create recordings"
        )
    return author


def _channel_id(session: Session, workspace: Workspace, channel_id: str | None) -> str | None:
    if channel_id is None:
        default = workspace_service.default_channel(session, workspace_id=workspace.id)
        return default.id if default else None
    if workspace_service.get_channel(session, workspace_id=workspace.id, channel_id=channel_id) is None:
        raise BadRequest(f"channelId: workspace {workspace.name!r} has no channel {channel_id!r}")
    return channel_id


def _check_deal(workspace: Workspace, deal: dict[str, Any] | None, meeting: dict[str, Any] | None) -> None:
    """A deal needs meeting information and a workspace connected to that deal's CRM (seed 003)."""
    if deal is None:
        return
    if meeting is None:
        raise BadRequest("deal: a deal can only be linked when meeting information is supplied too")
    if workspace.crm is None:
        raise BadRequest(f"deal.type: workspace {workspace.name!r} is not connected to a CRM")
    if deal["type"].lower() != workspace.crm:
        raise BadRequest(
            f"deal.type: workspace {workspace.name!r} is connected to {workspace.crm}, not {deal['type']}"
        )


def _meeting_start(meeting: dict[str, Any] | None) -> datetime | None:
    return datetime.fromisoformat(meeting["startedAt"]) if meeting else None


def _prefix(session: Session, recording: Recording) -> str:
    workspace = session.get_one(Workspace, recording.workspace_id)
    return conversation_prefix(workspace.app_id, recording.conversation_id)


def _uploadable(session: Session, recording_id: str, purpose: signing.Purpose) -> Recording:
    recording = session.get(Recording, recording_id)
    if recording is None:
        raise NotFound(f"recording {recording_id} was not found")
    used = recording.media_received if purpose == "media" else recording.transcript_received
    if used:
        raise Forbidden(f"this {purpose} upload URL was already used; each upload URL works once")
    return recording


def _use_upload(session: Session, recording: Recording, flag: Any, **values: Any) -> None:
    """Mark the upload used with a conditional update, so two racing uploads cannot both succeed."""
    result = session.execute(
        update(Recording)
        .where(Recording.id == recording.id, flag.is_(False))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Forbidden("this upload URL was already used; each upload URL works once")
    session.refresh(recording)


def _start_if_complete(session: Session, runtime: Runtime, recording: Recording) -> Job | None:
    """Create the recording's job once every announced payload has arrived (a downloadUrl counts: the job
    fetches it). A supplied transcript replaces speech recognition; the media is still kept for playback."""
    media_ready = recording.media_received or recording.download_url is not None
    transcript_ready = recording.transcript_received or not recording.expects_transcript
    if recording.job_id is not None or not (media_ready and transcript_ready):
        return None
    workspace = session.get_one(Workspace, recording.workspace_id)
    origin = _meeting_start(recording.meeting) or recording.created_at
    messages = None
    if recording.transcript is not None:
        transcript = UploadedTranscript.model_validate(recording.transcript)
        author = session.get_one(WorkspaceUser, recording.author_id)
        messages = to_text_messages(transcript, origin=origin, author=author)
    job = jobs.submit(
        session,
        app_id=workspace.app_id,
        kind="text" if messages else "video",
        options={"name": recording.title, "enableSummary": True},
        max_active=runtime.settings.max_concurrent_jobs_per_app,
        conversation_id=recording.conversation_id,
        source_url=None if recording.media_received else recording.download_url,
        media_path=recording.media_path,
        text_messages=messages,
    )
    job.media_formats = list(MEDIA_FORMATS)
    job.time_origin = origin if messages else None
    recording.job_id = job.id
    runtime.announce(job.id, JobStatus.scheduled, session=session)  # committed with the job: heard first
    return job


def _signed_url(runtime: Runtime, recording: Recording, base_url: str, purpose: signing.Purpose) -> str:
    signed = signing.sign(
        key=runtime.token_key,
        recording_id=recording.id,
        purpose=purpose,
        now=runtime.clock(),
        ttl_seconds=runtime.settings.claap_upload_url_ttl_seconds,
    )
    base = (runtime.settings.public_url or base_url).rstrip("/")
    return (
        f"{base}/v1/recordings/{recording.id}/uploads/{purpose}"
        f"?expires={signed.expires}&signature={signed.signature}"
    )
