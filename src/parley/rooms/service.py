"""Rooms: created, read, listed and deactivated per account; roomIds look like `abcd-efgh-ijkl`."""

from __future__ import annotations

import secrets
import string

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parley.errors import BadRequest, Conflict, NotFound
from parley.models import Room, utcnow

_LETTERS = string.ascii_lowercase + string.digits


def new_room_id() -> str:
    return "-".join("".join(secrets.choice(_LETTERS) for _ in range(4)) for _ in range(3))


def create(session: Session, *, app_id: str, api_key: str, custom_room_id: str | None = None) -> Room:
    if custom_room_id is not None and get_by_custom_id(session, app_id=app_id, custom_room_id=custom_room_id):
        raise Conflict(f"customRoomId: a room with customRoomId {custom_room_id!r} already exists")
    room = Room(
        id=secrets.token_hex(12),
        room_id=new_room_id(),
        app_id=app_id,
        api_key=api_key,
        custom_room_id=custom_room_id,
    )
    session.add(room)
    session.flush()
    return room


def get(session: Session, *, app_id: str, room_id: str) -> Room | None:
    room = session.scalar(select(Room).where(Room.room_id == room_id))
    return room if room is not None and room.app_id == app_id else None


def get_required(session: Session, *, app_id: str, room_id: str) -> Room:
    room = get(session, app_id=app_id, room_id=room_id)
    if room is None:
        raise NotFound(f"roomId: no room {room_id!r} exists for this API key's account")
    return room


def get_active(session: Session, *, app_id: str, room_id: str) -> Room:
    room = get_required(session, app_id=app_id, room_id=room_id)
    if room.disabled:
        raise BadRequest(f"roomId: room {room_id} was deactivated")
    return room


def get_by_custom_id(session: Session, *, app_id: str, custom_room_id: str) -> Room | None:
    query = select(Room).where(Room.app_id == app_id, Room.custom_room_id == custom_room_id)
    return session.scalar(query)


def get_all(session: Session, *, app_id: str, page: int, per_page: int) -> tuple[list[Room], int]:
    """One page of the account's rooms, newest first, and how many there are in all."""
    total = int(session.scalar(select(func.count()).select_from(Room).where(Room.app_id == app_id)) or 0)
    query = (
        select(Room)
        .where(Room.app_id == app_id)
        .order_by(Room.created_at.desc(), Room.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return list(session.scalars(query)), total


def deactivate(session: Session, *, app_id: str, room_id: str) -> Room:
    room = get_required(session, app_id=app_id, room_id=room_id)
    room.disabled = True
    room.updated_at = utcnow()
    return room
