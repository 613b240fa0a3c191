"""Recording a room: start (the room must have someone in it), end (the file is stored and handed over
for delivery, see `capture`), and reading recordings back. States: see `lifecycle`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parley.errors import BadRequest, Conflict, NotFound
from parley.ids import uuid_id
from parley.jobs import service as jobs
from parley.jobs.intake import check_public
from parley.jobs.lease import Heartbeat
from parley.models import Room, RoomRecording
from parley.rooms import events, uploads
from parley.rooms import service as rooms
from parley.rooms.capture import Capture, finish
from parley.rooms.keys import Grant
from parley.rooms.layout import RecordingConfig
from parley.rooms.lifecycle import State, fail, workdir
from parley.rooms.live import RoomHub
from parley.rooms.recorder import Recorder
from parley.runtime import Runtime

TEMPLATE_URL_NOTE = (
    "templateUrl: accepted and stored only; Parley composes the recording itself from config "
    "(layout, theme, quality, orientation) and renders no page"
)


@dataclass(frozen=True)
class RecordingRequest:
    """A start request as the core sees it (the face maps VideoSDK's body onto it)."""

    room_id: str
    config: RecordingConfig = field(default_factory=RecordingConfig)
    transcription: bool = False
    summary: bool = False
    summary_prompt: str | None = None
    webhook_url: str | None = None
    aws_dir_path: str | None = None
    presigned_url: str | None = None
    template_url: str | None = None  # stored and shown back, never rendered (TEMPLATE_URL_NOTE)


def check_room_grant(grant: Grant, room_id: str) -> None:
    if grant.room_id is not None and grant.room_id != room_id:
        raise NotFound(f"roomId: this token is limited to room {grant.room_id}, not {room_id}")


async def start(
    runtime: Runtime, hub: RoomHub, *, grant: Grant, request: RecordingRequest, base_url: str
) -> str:
    check_room_grant(grant, request.room_id)
    for url, name in ((request.webhook_url, "webhookUrl"), (request.presigned_url, "preSignedUrl")):
        if url is not None:
            check_public(runtime, url, name)
    if request.aws_dir_path is not None:
        uploads.check_s3_target(runtime, request.aws_dir_path)
    with runtime.session() as session:
        room = rooms.get_active(session, app_id=grant.app_id, room_id=request.room_id)
        live = hub.find(room.room_id)
        if live is None or not live.participants:
            raise BadRequest(f"roomId: nobody is in room {room.room_id}; start recording once someone joined")
        if live.recorder is not None:
            raise Conflict(f"roomId: room {room.room_id} is already being recorded; end that recording first")
        recording = RoomRecording(
            id=uuid_id(),
            room_id=room.id,
            app_id=grant.app_id,
            state=State.recording,
            request=asdict(request) | {"config": asdict(request.config), "baseUrl": base_url},
            started_at=runtime.clock(),
        )
        session.add(recording)
        job = jobs.create_held(
            session,
            app_id=grant.app_id,
            kind=jobs.ROOM,
            options={"recordingId": recording.id},
            worker_id=hub.worker_id,
            lease_seconds=runtime.settings.job_lease_seconds,
        )
        recording_id, job_id = recording.id, job.id
    lease = Heartbeat(runtime, job_id, hub.worker_id)
    recorder = Recorder(workdir(runtime, recording_id), request.config)
    try:
        live.start_recording(Capture(recording_id, recorder, lease))
    except Exception as error:
        reason = f"the recorder could not start: {error}"
        fail(runtime, recording_id, reason, job_id=job_id, worker_id=hub.worker_id, expected=State.recording)
        raise
    lease.start()
    events.send(runtime, recording_id, events.RECORDING_STARTED)
    return recording_id


async def end(runtime: Runtime, hub: RoomHub, *, grant: Grant, room_id: str) -> str:
    """Stop the room's recording and store its file; uploads and transcription go on behind."""
    check_room_grant(grant, room_id)
    with runtime.session() as session:
        room = rooms.get_required(session, app_id=grant.app_id, room_id=room_id)
    live = hub.find(room.room_id)
    taken = live.take_capture() if live is not None else None
    if taken is None:
        raise BadRequest(f"roomId: room {room.room_id} is not being recorded")
    await finish(runtime, hub.runner, taken)
    return taken.recording_id


def get(session: Session, *, grant: Grant, recording_id: str) -> tuple[RoomRecording, Room] | None:
    recording = session.get(RoomRecording, recording_id)
    if recording is None or recording.app_id != grant.app_id:
        return None
    room = session.get_one(Room, recording.room_id)
    if grant.room_id is not None and grant.room_id != room.room_id:
        return None
    return recording, room


def get_all(
    session: Session, *, grant: Grant, room_id: str | None, page: int, per_page: int
) -> tuple[list[tuple[RoomRecording, Room]], int]:
    """A page of the account's recordings (of one room when `room_id` is given), newest first."""
    if grant.room_id is not None:
        room_id = room_id or grant.room_id
        check_room_grant(grant, room_id)
    query = select(RoomRecording, Room).join(Room, Room.id == RoomRecording.room_id)
    query = query.where(RoomRecording.app_id == grant.app_id)
    if room_id is not None:
        query = query.where(Room.room_id == room_id)
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = session.execute(
        query.order_by(RoomRecording.created_at.desc(), RoomRecording.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return [(recording, room) for recording, room in rows], total
