"""/v2/rooms: create, read, list and deactivate rooms."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from parley.api.deps import RuntimeDep, SessionDep
from parley.api.videosdk import mapping, schemas
from parley.api.videosdk.auth import GrantDep, base_url
from parley.rooms import service as rooms
from parley.rooms.recordings import check_room_grant

router = APIRouter(prefix="/v2/rooms", tags=["rooms (VideoSDK)"])


@router.post("")
def create_room(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    grant: GrantDep,
    body: schemas.CreateRoomRequest | None = None,
) -> dict[str, Any]:
    """A new room; join it at `links.join` with a token in the link (`?token=...&name=...`)."""
    custom = body.customRoomId if body else None
    room = rooms.create(session, app_id=grant.app_id, api_key=grant.api_key, custom_room_id=custom)
    return mapping.room(room, base_url(request, runtime))


@router.get("")
def list_rooms(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    grant: GrantDep,
    page: int = Query(1, ge=1),
    perPage: int = Query(20, ge=1, le=100),
) -> dict[str, Any]:
    found, total = rooms.get_all(session, app_id=grant.app_id, page=page, per_page=perPage)
    base = base_url(request, runtime)
    return mapping.page(
        [mapping.room(row, base) for row in found], page_number=page, per_page=perPage, total=total
    )


@router.post("/deactivate")
def deactivate_room(
    body: schemas.RoomIdBody, request: Request, runtime: RuntimeDep, session: SessionDep, grant: GrantDep
) -> dict[str, Any]:
    """The room can no longer be joined or recorded; people in it now stay until they leave."""
    check_room_grant(grant, body.roomId)
    room = rooms.deactivate(session, app_id=grant.app_id, room_id=body.roomId)
    return mapping.room(room, base_url(request, runtime))


@router.get("/{room_id}")
def get_room(
    room_id: str, request: Request, runtime: RuntimeDep, session: SessionDep, grant: GrantDep
) -> dict[str, Any]:
    check_room_grant(grant, room_id)
    return mapping.room(
        rooms.get_required(session, app_id=grant.app_id, room_id=room_id), base_url(request, runtime)
    )
