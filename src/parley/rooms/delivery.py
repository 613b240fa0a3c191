"""After a room recording ends: store the file (and each participant's own track), upload it to the S3
path `awsDirPath` and/or PUT it to `preSignedUrl`, then hand the tracks to one ordinary core job.

The transcription job is durable like any other (a row first; a restarted server picks it up): its media
is one WAV with a channel per participant, recognised with `enableSeparateRecognitionPerChannel` and
`channelMetadata` naming each channel's participant, so every word belongs to the one who spoke it and the
messages merge by time. `summary.prompt` rides on the job (`Job.summary_prompt`) to the LLM summariser.
Storing and uploading run in a thread of the server that recorded; a server stopped in between leaves
the recording `processing` (not retried).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from parley.errors import BadRequest
from parley.jobs import service as jobs
from parley.models import JobStatus, RoomRecording, utcnow
from parley.net.guard import GuardedTransport
from parley.rooms import events
from parley.rooms.recorder import RecordedFiles
from parley.rooms.tracks import multichannel_wav
from parley.runner.base import JobRunner
from parley.runtime import Runtime

log = logging.getLogger(__name__)

CONTENT_TYPES = {"mp4": "video/mp4", "m4a": "audio/mp4"}
NO_LLM_NOTE = (
    "summary: no LLM is configured (PARLEY_LLM_BASE_URL), so the summary is extractive and "
    "summary.prompt was not used"
)


def check_s3_target(runtime: Runtime, aws_dir_path: str) -> None:
    if not runtime.settings.storage_url:
        raise BadRequest(
            "awsDirPath: this server has no S3 storage configured (PARLEY_STORAGE_URL=s3://bucket/prefix "
            "and PARLEY_S3_* settings); leave awsDirPath out or configure S3"
        )
    if ".." in aws_dir_path.split("/"):
        raise BadRequest("awsDirPath: '..' is not allowed in the path")


def fail(runtime: Runtime, recording_id: str, reason: str) -> None:
    log.warning("room recording %s failed: %s", recording_id, reason)
    with runtime.session() as session:
        recording = session.get_one(RoomRecording, recording_id)
        recording.state, recording.error = "failed", reason
        recording.ended_at = recording.ended_at or utcnow()
    events.send(runtime, recording_id, events.RECORDING_FAILED, error=reason)


def mark_processing(runtime: Runtime, recording_id: str, files: RecordedFiles) -> None:
    with runtime.session() as session:
        recording = session.get_one(RoomRecording, recording_id)
        recording.state, recording.ended_at = "processing", utcnow()
        recording.participants = [
            {"id": t.participant_id, "name": t.name, "joinedAt": t.joined_at, "leftAt": t.left_at}
            for t in files.tracks
        ]
        recording.file_meta = {"format": files.format, "duration": round(files.duration, 3)}
        if files.width is not None:
            recording.file_meta["resolution"] = {"width": files.width, "height": files.height}


def deliver(runtime: Runtime, runner: JobRunner, recording_id: str, files: RecordedFiles) -> None:
    """The thread behind `end`: every step's outcome lands on the recording; nothing escapes."""
    try:
        _deliver(runtime, runner, recording_id, files)
    except Exception as error:
        log.exception("room recording %s could not be delivered", recording_id)
        fail(runtime, recording_id, f"storing the recording failed: {error}")
    finally:
        shutil.rmtree(files.path.parent, ignore_errors=True)


def _deliver(runtime: Runtime, runner: JobRunner, recording_id: str, files: RecordedFiles) -> None:
    with runtime.session() as session:
        recording = session.get_one(RoomRecording, recording_id)
        request, app_id = dict(recording.request), recording.app_id
    prefix = f"{app_id}/rooms/{recording_id}"
    uploads = _upload(runtime, request, recording_id, files)
    key = f"{prefix}/recording.{files.format}"
    size = files.path.stat().st_size
    channels = files.path.parent / "participants.wav"
    if files.tracks:
        multichannel_wav(files.tracks, channels)
    for number, track in enumerate(files.tracks, start=1):
        runtime.blobs.put_file(f"{prefix}/participant-{number}.wav", track.path)
    runtime.blobs.put_file(key, files.path)
    with runtime.session() as session:
        recording = session.get_one(RoomRecording, recording_id)
        recording.file_path, recording.uploads = key, uploads
        recording.file_meta = dict(recording.file_meta or {}) | {"size": size}
        recording.state = "completed"
        url, path = events.file_url(recording), key
    events.send(runtime, recording_id, events.RECORDING_STOPPED, fileUrl=url, filePath=path, uploads=uploads)
    if request.get("transcription"):
        _transcribe(runtime, runner, recording_id, files, channels, prefix)


def _upload(
    runtime: Runtime, request: dict[str, Any], recording_id: str, files: RecordedFiles
) -> dict[str, Any]:
    """Each requested upload's outcome: {"s3": {"bucket", "key"} | {"error"}, "preSignedUrl": {...}}."""
    outcome: dict[str, Any] = {}
    name = f"{recording_id}.{files.format}"
    if request.get("aws_dir_path"):
        try:
            outcome["s3"] = _upload_s3(runtime, request["aws_dir_path"], name, files.path)
        except Exception as error:  # reported on the recording; the file is still kept here
            outcome["s3"] = {"error": f"the S3 upload failed: {error}"}
    if request.get("presigned_url"):
        try:
            outcome["preSignedUrl"] = _put(runtime, request["presigned_url"], files)
        except Exception as error:
            outcome["preSignedUrl"] = {"error": f"the PUT to preSignedUrl failed: {error}"}
    return outcome


def _upload_s3(runtime: Runtime, aws_dir_path: str, name: str, source: Path) -> dict[str, str]:
    """`awsDirPath` is a folder in the configured bucket (VideoSDK's "your S3 bucket path"), or
    `s3://other-bucket/folder` reached with the same credentials."""
    from parley.storage.s3 import S3BlobStore, parse_s3_url  # boto3 loads only where S3 is used

    settings = runtime.settings
    assert settings.storage_url is not None
    bucket, _ = parse_s3_url(settings.storage_url)
    folder = aws_dir_path
    if aws_dir_path.startswith("s3://"):
        bucket, folder = parse_s3_url(aws_dir_path)
    store = S3BlobStore(
        f"s3://{bucket}",
        scratch_dir=settings.tmp_dir,
        endpoint_url=settings.s3_endpoint_url,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=settings.s3_secret_access_key,
        region=settings.s3_region,
    )
    key = f"{folder.strip('/')}/{name}" if folder.strip("/") else name
    store.client.upload_file(str(source), bucket, key)
    return {"bucket": bucket, "key": key}


def _put(runtime: Runtime, url: str, files: RecordedFiles) -> dict[str, Any]:
    """Stream the file to the presigned URL in one PUT, as S3, GCS and Azure presigned URLs expect."""
    transport = GuardedTransport(allow_private=runtime.settings.allow_private_urls)
    headers = {"Content-Type": CONTENT_TYPES[files.format], "Content-Length": str(files.path.stat().st_size)}
    with (
        httpx.Client(transport=transport, trust_env=False, timeout=600) as client,
        files.path.open("rb") as body,
    ):
        response = client.put(url, content=_chunks(body), headers=headers)
    if response.status_code >= 300:
        raise RuntimeError(f"{urlsplit(url).netloc} answered {response.status_code}: {response.text[:200]}")
    return {"status": response.status_code}


def _chunks(body: Any, size: int = 1024 * 1024) -> Any:
    while chunk := body.read(size):
        yield chunk


def _transcribe(
    runtime: Runtime, runner: JobRunner, recording_id: str, files: RecordedFiles, channels: Path, prefix: str
) -> None:
    if not files.tracks:
        fail(runtime, recording_id, "transcription: nobody was recorded, so there is nothing to transcribe")
        return
    with runtime.session() as session:
        recording = session.get_one(RoomRecording, recording_id)
        request = recording.request
        options = {
            "name": f"Room {recording_id}",
            "enableSeparateRecognitionPerChannel": True,
            "channelMetadata": [
                {"channel": number, "speaker": {"name": track.name}}
                for number, track in enumerate(files.tracks, start=1)
            ],
            "enableSummary": bool(request.get("summary")),
        }
        job = jobs.submit(
            session,
            app_id=recording.app_id,
            kind="audio",
            options=options,
            max_active=runtime.settings.max_concurrent_jobs_per_app,
        )
        job.media_path = f"{prefix}/participants.wav"
        runtime.blobs.put_file(job.media_path, channels)
        job.summary_prompt = request.get("summary_prompt") if request.get("summary") else None
        jobs.conversation_of(session, job).start_time = recording.started_at
        recording.job_id, recording.conversation_id = job.id, job.conversation_id
        if request.get("summary") and not runtime.settings.llm_base_url:
            recording.notes = [*(recording.notes or []), NO_LLM_NOTE]
        job_id = job.id
    runtime.announce(job_id, JobStatus.scheduled)
    runner.enqueue(job_id)
