"""The Recordings API: create, upload (signed URLs), read, list; transcript, insights and media once Ready."""

from __future__ import annotations

import json
import mimetypes
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, StreamingResponse

from parley.api.claap import mapping, schemas
from parley.api.claap.auth import WorkspaceDep
from parley.api.claap.errors import documented
from parley.api.deps import RunnerDep, RuntimeDep, SessionDep
from parley.conversations import export
from parley.errors import BadRequest, NotFound, PayloadTooLarge
from parley.recordings import queries
from parley.recordings import service as recordings
from parley.recordings.queries import RecordingState, RecordingView
from parley.recordings.signing import Purpose
from parley.recordings.transcript_upload import TranscriptUpload
from parley.runtime import Runtime
from parley.storage.uploads import receive_to_file
from parley.validation import validate

router = APIRouter(prefix="/v1/recordings", tags=["recordings (Claap)"])

MAX_TRANSCRIPT_BYTES = 64 * 1024**2
Expires = Query(None, description="Part of the signed upload URL")
Signature = Query(None, description="Part of the signed upload URL")


def _base_url(request: Request, runtime: Runtime) -> str:
    return (runtime.settings.public_url or str(request.base_url)).rstrip("/")


def _answer(request: Request, runtime: Runtime, view: RecordingView, *, detailed: bool) -> dict[str, Any]:
    base = _base_url(request, runtime)
    upload = recordings.upload_urls(runtime, view.recording, base)
    shaped = mapping.recording(view, base_url=base, upload=upload, detailed=detailed)
    return {"result": {"recording": shaped}}


def _view(session: SessionDep, workspace_id: str, recording_id: str) -> RecordingView:
    view = queries.get(session, workspace_id=workspace_id, recording_id=recording_id)
    if view is None:
        raise NotFound(f"recording {recording_id} was not found in this workspace")
    return view


@router.post(
    "",
    response_model=schemas.RecordingResponse,
    response_model_exclude_none=True,
    responses=documented(403, 429),
)
def create_recording(
    body: schemas.CreateRecordingRequest,
    request: Request,
    runtime: RuntimeDep,
    runner: RunnerDep,
    workspace: WorkspaceDep,
) -> dict[str, Any]:
    """Create a recording in the Empty state; its payload comes by `PUT upload.url` or from `downloadUrl`."""
    recording_id = recordings.create(
        runtime,
        runner,
        workspace_id=workspace.id,
        author_email=body.authorEmail,
        channel_id=body.channelId,
        title=body.title,
        meeting=body.meeting.model_dump(mode="json") if body.meeting else None,
        deal=body.deal.model_dump(mode="json") if body.deal else None,
        download_url=str(body.downloadUrl) if body.downloadUrl else None,
        expects_transcript=body.transcript is not None,
    )
    with runtime.session() as fresh:  # the request's session may predate the commit above
        return _answer(request, runtime, _view(fresh, workspace.id, recording_id), detailed=False)


@router.get(
    "",
    response_model=schemas.RecordingPageResponse,
    response_model_exclude_none=True,
    responses=documented(),
)
def list_recordings(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    workspace: WorkspaceDep,
    limit: int = Query(20, ge=1, le=100),
    cursor: str | None = Query(None, description="nextCursor of the previous page"),
    channelId: str | None = None,
    state: RecordingState | None = None,
) -> dict[str, Any]:
    """Newest first, `limit` at a time; pass `nextCursor` back as `cursor` for the next page."""
    page = queries.get_all(
        session, workspace_id=workspace.id, limit=limit, cursor=cursor, channel_id=channelId, state=state
    )
    base = _base_url(request, runtime)
    shaped = [
        mapping.recording(view, base_url=base, upload={}, detailed=True).model_dump(exclude_none=True)
        for view in page.views
    ]
    return {"result": {"recordings": shaped, "nextCursor": page.next_cursor}}


@router.get(
    "/{recording_id}",
    response_model=schemas.RecordingResponse,
    response_model_exclude_none=True,
    responses=documented(404),
)
def get_recording(
    recording_id: str, request: Request, runtime: RuntimeDep, session: SessionDep, workspace: WorkspaceDep
) -> dict[str, Any]:
    """The recording's state (with the reason when Failed), media URL, and fresh upload URLs while Empty."""
    return _answer(request, runtime, _view(session, workspace.id, recording_id), detailed=True)


async def _receive(request: Request, runtime: Runtime, recording_id: str, upload: Path) -> int:
    limit = runtime.settings.claap_max_upload_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the upload is {int(declared):,} bytes; the limit is {limit:,} bytes")
    size = await receive_to_file(upload, request.stream(), max_bytes=limit)
    if size == 0:
        raise BadRequest(f"the request body is empty; send the media of recording {recording_id} as the body")
    return size


@router.put("/{recording_id}/uploads/media", responses=documented(403, 404, 413), status_code=200)
async def upload_media(
    recording_id: str,
    request: Request,
    runtime: RuntimeDep,
    runner: RunnerDep,
    expires: int | None = Expires,
    signature: str | None = Signature,
) -> dict[str, Any]:
    """`upload.url`: the raw media as the body (aac, avi, mp3, mp4, wav, webm or wmv); single use."""
    _check_upload(runtime, recording_id, "media", expires, signature)
    upload = Path(tempfile.mkstemp(dir=runtime.settings.tmp_dir, suffix=".upload")[1])
    try:
        await _receive(request, runtime, recording_id, upload)
        recordings.receive_media(
            runtime, runner, recording_id=recording_id, upload=upload, suffix=_suffix(request)
        )
    finally:
        upload.unlink(missing_ok=True)
    return {"result": {"received": "media"}}


@router.put("/{recording_id}/uploads/transcript", responses=documented(403, 404, 413), status_code=200)
async def upload_transcript(
    recording_id: str,
    request: Request,
    runtime: RuntimeDep,
    runner: RunnerDep,
    expires: int | None = Expires,
    signature: str | None = Signature,
) -> dict[str, Any]:
    """`upload.metaUrl`: `{"transcript": {langIso2?, segments: [...], speakers?: [...]}}`; single use."""
    _check_upload(runtime, recording_id, "transcript", expires, signature)
    body = await _read_capped(request, MAX_TRANSCRIPT_BYTES)
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BadRequest(f"body: not valid JSON ({error})") from None
    document = validate(TranscriptUpload, data)
    recordings.receive_transcript(runtime, runner, recording_id=recording_id, transcript=document.transcript)
    return {"result": {"received": "transcript"}}


@router.get("/{recording_id}/media", responses=documented(404), response_class=StreamingResponse)
def get_media(recording_id: str, runtime: RuntimeDep, session: SessionDep, workspace: WorkspaceDep) -> Any:
    """The recording's media as it was received, for playback (streamed from the blob store)."""
    view = _view(session, workspace.id, recording_id)
    if view.media_path is None:
        raise NotFound(f"recording {recording_id} has no media yet (it is {view.state})")
    stream = runtime.blobs.open(view.media_path)
    media_type = mimetypes.guess_type(view.media_path)[0] or "application/octet-stream"
    return StreamingResponse(_chunks(stream), media_type=media_type)


def _chunks(stream: BinaryIO, size: int = 1 << 20) -> Iterator[bytes]:
    with stream:
        while chunk := stream.read(size):
            yield chunk


@router.get("/{recording_id}/transcript", responses=documented(404, 409))
def get_transcript(
    recording_id: str,
    session: SessionDep,
    workspace: WorkspaceDep,
    format: Literal["json", "srt", "vtt", "txt"] = "json",
) -> Any:
    """Segments with their speaker and times (seconds into the recording); or srt, vtt or txt."""
    view = _view(session, workspace.id, recording_id)
    queries.ensure_ready(view, "transcript")
    rows = queries.transcript_rows(session, view)
    if format != "json":
        text = export.render({"conversation": {}, "messages": mapping.export_messages(rows)}, format)
        return PlainTextResponse(text, media_type="text/vtt" if format == "vtt" else "text/plain")
    transcript = {"langIso2": queries.language_of(session, view), "segments": mapping.segments(rows)}
    return {"result": {"transcript": transcript}}


@router.get("/{recording_id}/insights", responses=documented(404, 409))
def get_insights(recording_id: str, session: SessionDep, workspace: WorkspaceDep) -> dict[str, Any]:
    """Questions, action items, follow-ups, topics and (when made) the summary; see `mapping`."""
    view = _view(session, workspace.id, recording_id)
    queries.ensure_ready(view, "insights")
    rows = queries.transcript_rows(session, view)
    return {"result": {"insights": mapping.insights(queries.analysis_of(session, view), rows)}}


def _check_upload(
    runtime: Runtime, recording_id: str, purpose: Purpose, expires: int | None, signature: str | None
) -> None:
    recordings.check_upload(
        runtime, recording_id=recording_id, purpose=purpose, expires=expires, signature=signature
    )


def _suffix(request: Request) -> str:
    mime = request.headers.get("content-type", "").split(";")[0].strip().lower()
    guessed = mimetypes.guess_extension(mime) if mime and mime != "application/octet-stream" else None
    return guessed or ".media"


async def _read_capped(request: Request, max_bytes: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(f"the transcript is larger than the {max_bytes:,} byte limit")
        chunks.append(chunk)
    return b"".join(chunks)
