"""Joining a room over WebRTC: the browser's SDP offer in, the server's answer out (aiortc), and every
track the browser sends handed to its participant. Candidates are gathered before answering (no
trickle ICE), so one POST does the whole exchange."""

from __future__ import annotations

import logging

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack

from parley.errors import BadRequest
from parley.rooms.live import LiveRoom, Participant

log = logging.getLogger(__name__)


async def join(
    room: LiveRoom, *, name: str, sdp: str, kind: str
) -> tuple[Participant, RTCSessionDescription]:
    if kind != "offer":
        raise BadRequest("type: expected the browser's 'offer'")
    participant = Participant(name)
    connection = RTCPeerConnection()
    participant.connection = connection

    @connection.on("track")
    def on_track(track: MediaStreamTrack) -> None:
        participant.attach(track)

    @connection.on("connectionstatechange")
    async def on_state() -> None:
        if connection.connectionState in ("failed", "closed"):
            log.info("participant %s of room %s disconnected", participant.name, room.room_id)
            await room.leave(participant.id)

    try:
        await connection.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=kind))
        await connection.setLocalDescription(await connection.createAnswer())
    except (ValueError, RuntimeError) as error:
        await connection.close()
        raise BadRequest(f"sdp: the offer could not be answered: {error}") from None
    room.join(participant)
    return participant, connection.localDescription
