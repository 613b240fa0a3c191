"""The join page `/rooms/{roomId}?token=...&name=...` and what it calls: the WebRTC offer/answer, the
room's state (who is in it, who speaks) and leaving. The token is a VideoSDK JWT with `allow_join` or
`allow_mod` (`ask_join`, joining after a moderator's approval, is not supported)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import Field

from parley.api.deps import SessionDep
from parley.api.videosdk.auth import HubDep
from parley.errors import Forbidden, NotFound
from parley.jobs.options import WireModel
from parley.models import Room
from parley.rooms import keys, webrtc
from parley.rooms import service as rooms
from parley.rooms.recordings import check_room_grant

router = APIRouter(prefix="/rooms", tags=["rooms (join page)"])
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
JOINING = ("allow_join", "allow_mod")


class JoinRequest(WireModel):
    token: str = Field(min_length=1)
    name: str = Field(min_length=1, max_length=100)
    sdp: str = Field(min_length=1, max_length=100_000)
    type: str = "offer"


def _joinable(session: SessionDep, room_id: str, token: str | None) -> Room:
    grant = keys.verify(session, token)
    if not set(grant.permissions) & set(JOINING):
        raise Forbidden("the token needs the allow_join or allow_mod permission (ask_join is not supported)")
    check_room_grant(grant, room_id)
    return rooms.get_active(session, app_id=grant.app_id, room_id=room_id)


@router.get("/{room_id}", response_class=HTMLResponse)
def join_page(
    room_id: str, request: Request, session: SessionDep, token: str = Query(...), name: str = Query("Guest")
) -> HTMLResponse:
    room = _joinable(session, room_id, token)
    context = {"room_id": room.room_id, "token": token, "name": name[:100]}
    return templates.TemplateResponse(request, "room.html", context)


@router.post("/{room_id}/participants")
async def join(room_id: str, body: JoinRequest, session: SessionDep, hub: HubDep) -> dict[str, Any]:
    room = _joinable(session, room_id, body.token)
    participant, answer = await webrtc.join(
        hub.room(room.room_id), name=body.name, sdp=body.sdp, kind=body.type
    )
    return {"participantId": participant.id, "sdp": answer.sdp, "type": answer.type}


@router.get("/{room_id}/state")
def room_state(room_id: str, session: SessionDep, hub: HubDep, token: str = Query(...)) -> dict[str, Any]:
    room = _joinable(session, room_id, token)
    live = hub.find(room.room_id)
    return live.state() if live else {"roomId": room.room_id, "recording": False, "participants": []}


@router.post("/{room_id}/participants/{participant_id}/leave", status_code=204)
async def leave(
    room_id: str, participant_id: str, session: SessionDep, hub: HubDep, token: str = Query(...)
) -> Response:
    room = _joinable(session, room_id, token)
    live = hub.find(room.room_id)
    if live is None or participant_id not in live.participants:
        raise NotFound(f"participant {participant_id} is not in room {room.room_id}")
    await live.leave(participant_id)
    return Response(status_code=204)
