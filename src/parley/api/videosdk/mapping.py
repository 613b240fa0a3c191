"""Rows -> VideoSDK's JSON: rooms, recordings, and the `{pageInfo, data}` pages of lists."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from parley.models import Room, RoomRecording
from parley.rooms.events import file_url
from parley.rooms.recordings import TEMPLATE_URL_NOTE
from parley.rooms.transcripts import TranscriptionView


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z") if moment else None


def room(row: Room, base_url: str) -> dict[str, Any]:
    return {
        "roomId": row.room_id,
        "customRoomId": row.custom_room_id,
        "userId": row.api_key,
        "disabled": row.disabled,
        "createdAt": _time(row.created_at),
        "updatedAt": _time(row.updated_at),
        "id": row.id,
        "links": {
            "get_room": f"{base_url}/v2/rooms/{row.room_id}",
            "join": f"{base_url}/rooms/{row.room_id}",
        },
    }


def recording(row: RoomRecording, room_row: Room, transcription: TranscriptionView) -> dict[str, Any]:
    request = row.request or {}
    shaped: dict[str, Any] = {
        "id": row.id,
        "roomId": room_row.room_id,
        "state": row.state,
        "start": _time(row.started_at),
        "end": _time(row.ended_at),
        "file": _file(row),
        "participants": row.participants or [],
        "uploads": row.uploads or {},
        "transcription": _transcription(transcription, row.notes or []),
        "config": request.get("config"),
        "templateUrl": request.get("template_url"),
        "createdAt": _time(row.created_at),
        "updatedAt": _time(row.updated_at),
    }
    if request.get("template_url"):
        shaped["notes"] = [TEMPLATE_URL_NOTE]
    if row.error:
        shaped["error"] = row.error
    return shaped


def _file(row: RoomRecording) -> dict[str, Any] | None:
    if row.file_path is None:
        return None
    meta = dict(row.file_meta or {})
    return {
        "fileUrl": file_url(row),
        "filePath": row.file_path,
        "size": meta.pop("size", None),
        "type": "video" if meta.get("format") == "mp4" else "audio",
        "meta": meta,
    }


def _transcription(view: TranscriptionView, notes: list[str]) -> dict[str, Any]:
    shaped: dict[str, Any] = {"state": view.state}
    if view.conversation_id:
        shaped["conversationId"] = view.conversation_id
    if view.error:
        shaped["error"] = view.error
    if view.summary is not None:
        shaped["summary"] = view.summary
    if view.messages:
        shaped["transcript"] = view.messages
    if notes:
        shaped["notes"] = notes
    return shaped


def page(data: list[dict[str, Any]], *, page_number: int, per_page: int, total: int) -> dict[str, Any]:
    info = {
        "currentPage": page_number,
        "perPage": per_page,
        "lastPage": max(1, math.ceil(total / per_page)),
        "total": total,
    }
    return {"pageInfo": info, "data": data}
