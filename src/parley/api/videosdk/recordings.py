"""/v2/recordings: start and end a room's recording (seed 004), list and read recordings, fetch the file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from parley.api.deps import RuntimeDep, SessionDep
from parley.api.videosdk import mapping, schemas
from parley.api.videosdk.auth import GrantDep, HubDep, base_url
from parley.errors import NotFound
from parley.rooms import recordings, transcripts
from parley.runtime import Runtime

router = APIRouter(prefix="/v2/recordings", tags=["recordings (VideoSDK)"])

MEDIA_TYPES = {"mp4": "video/mp4", "m4a": "audio/mp4"}


@router.post("/start")
async def start_recording(
    body: schemas.StartRecordingRequest, request: Request, runtime: RuntimeDep, hub: HubDep, grant: GrantDep
) -> JSONResponse:
    """Record the room's participants now; the answer is VideoSDK's plain string."""
    await recordings.start(
        runtime, hub, grant=grant, request=body.to_core(), base_url=base_url(request, runtime)
    )
    return JSONResponse("Recording started successfully")


@router.post("/end")
async def end_recording(
    body: schemas.RoomIdBody, runtime: RuntimeDep, hub: HubDep, grant: GrantDep
) -> JSONResponse:
    """Stop the room's recording and store its file; uploads, transcription and summary follow (see its
    `state`), carried on by any server or worker even if this one stops."""
    await recordings.end(runtime, hub, grant=grant, room_id=body.roomId)
    return JSONResponse("Recording stopped successfully")


@router.get("")
def list_recordings(
    session: SessionDep,
    grant: GrantDep,
    roomId: str | None = None,
    page: int = Query(1, ge=1),
    perPage: int = Query(20, ge=1, le=100),
) -> dict[str, Any]:
    found, total = recordings.get_all(session, grant=grant, room_id=roomId, page=page, per_page=perPage)
    data = [mapping.recording(row, room, transcripts.view(session, row)) for row, room in found]
    return mapping.page(data, page_number=page, per_page=perPage, total=total)


@router.get("/{recording_id}")
def get_recording(recording_id: str, session: SessionDep, grant: GrantDep) -> dict[str, Any]:
    """One recording: its state, file, uploads and transcription (transcript by speaker, summary)."""
    found = recordings.get(session, grant=grant, recording_id=recording_id)
    if found is None:
        raise NotFound(f"recording {recording_id} was not found for this API key's account")
    row, room = found
    return mapping.recording(row, room, transcripts.view(session, row, with_messages=True))


@router.get("/{recording_id}/file")
def recording_file(
    recording_id: str, runtime: RuntimeDep, session: SessionDep, grant: GrantDep
) -> StreamingResponse:
    found = recordings.get(session, grant=grant, recording_id=recording_id)
    if found is None or found[0].file_path is None:
        raise NotFound(f"recording {recording_id} has no stored file (yet)")
    row = found[0]
    media_type = MEDIA_TYPES.get((row.file_meta or {}).get("format", ""), "application/octet-stream")
    return StreamingResponse(_chunks(runtime, row.file_path), media_type=media_type)


def _chunks(runtime: Runtime, key: str) -> Iterator[bytes]:
    with runtime.blobs.open(key) as stream:
        while chunk := stream.read(1024 * 1024):
            yield chunk
