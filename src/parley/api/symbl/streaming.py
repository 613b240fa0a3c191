"""Symbl's Streaming API (`/v1/streaming/{connectionId}`), the live results socket (`/events/{connectionId}`)
and pushed speaker events (`POST /v1/event/{connectionId}`)."""

from __future__ import annotations

import ast
import asyncio
import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, ValidationError
from starlette.websockets import WebSocketState

from parley.accounts import service as accounts
from parley.accounts.secrets import token_app_id
from parley.api.symbl import live_wire, speakers
from parley.api.symbl.auth import AppIdDep
from parley.api.symbl.params import parse_json_object
from parley.conversations.speaker_events import SpeakerEvent
from parley.errors import BadRequest, NotFound, ParleyError
from parley.live.events import LiveEvent, Subscriber
from parley.live.hub import LiveHub
from parley.live.options import LiveOptions, SpeechRecognition
from parley.live.session import LiveSession
from parley.runtime import Runtime
from parley.transcript import Speaker, participant
from parley.validation import validate

router = APIRouter(tags=["streaming"])

# WebSocket close codes (RFC 6455 section 7.4.1).
NORMAL = 1000
PROTOCOL_ERROR = 1002
UNSUPPORTED_DATA = 1003
INVALID_PAYLOAD = 1007
POLICY_VIOLATION = 1008
INTERNAL_ERROR = 1011
_MAX_LITERAL = 4096  # characters: a control message in a Python dict's repr is far shorter


class Refused(Exception):
    """End the socket with an `error` message and a close code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def hub_of(request: Request | WebSocket) -> LiveHub:
    return request.app.state.live


def _socket_app_id(websocket: WebSocket) -> str:
    runtime: Runtime = websocket.app.state.runtime
    token = websocket.query_params.get("access_token") or websocket.headers.get("x-api-key")
    authorization = websocket.headers.get("authorization", "")
    if not token and authorization:
        token = authorization.partition(" ")[2].strip() or authorization.strip()
    app_id = token_app_id(token, key=runtime.token_key) if token else None
    if app_id is not None:
        with runtime.session() as session:
            if accounts.get(session, app_id=app_id) is not None:
                return app_id
    raise Refused(
        "the access token is missing, invalid or expired; pass ?access_token=<token>", POLICY_VIOLATION
    )


async def _refuse(websocket: WebSocket, refusal: Refused) -> None:
    if websocket.client_state == WebSocketState.CONNECTED:
        await websocket.send_json(live_wire.error(refusal.message))
        await websocket.close(code=refusal.code, reason=refusal.message[:120])


# The older path is still what Symbl's JavaScript and Python SDKs open; Symbl kept it working, so do we.
@router.websocket("/v1/realtime/insights/{connection_id}")
@router.websocket("/v1/streaming/{connection_id}")
async def stream(websocket: WebSocket, connection_id: str) -> None:
    await websocket.accept()
    hub = hub_of(websocket)
    live: LiveSession | None = None
    sender: asyncio.Task[None] | None = None
    try:
        app_id = await run_in_threadpool(_socket_app_id, websocket)
        while True:
            frame = await websocket.receive()
            if frame["type"] == "websocket.disconnect":
                break
            if frame.get("bytes") is not None:
                if live is None:
                    raise Refused("audio arrived before a start_request", PROTOCOL_ERROR)
                hub.feed(live, frame["bytes"])
                continue
            request = _json(frame.get("text") or "")
            kind = request.get("type")
            if kind == "start_request":
                if live is not None:
                    raise Refused("this connection has already started", PROTOCOL_ERROR)
                live, sender = await _start(websocket, hub, app_id, connection_id, request)
            elif kind == "modify_request":
                if live is None:
                    raise Refused("modify_request before a start_request", PROTOCOL_ERROR)
                _modify(live, request)
            elif kind == "stop_request":
                if live is None:
                    raise Refused("stop_request before a start_request", PROTOCOL_ERROR)
                hub.stop(live, "stop_request received")
                assert sender is not None
                await sender  # every result, then conversation_completed, then the close
                return
            else:
                raise Refused(
                    f"unknown message type {kind!r}: expected start_request, modify_request or stop_request",
                    PROTOCOL_ERROR,
                )
    except Refused as refusal:
        await _refuse(websocket, refusal)
    except WebSocketDisconnect:
        pass
    finally:
        if live is not None:
            hub.stop(live, "the client closed the connection")
        if sender is not None and not sender.done():
            sender.cancel()


def _json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as problem:
        value = _python_literal(text)
        if value is None:
            raise Refused(f"the message is not valid JSON: {problem}", INVALID_PAYLOAD) from None
    if not isinstance(value, dict):
        raise Refused("each text message must be a JSON object with a 'type'", INVALID_PAYLOAD)
    return value


def _python_literal(text: str) -> object | None:
    """Symbl's official Python SDK sends its stop_request as a Python dict's repr
    ("{'type': 'stop_request'}"), not JSON; read that form too (literals only: nothing is evaluated)."""
    if len(text) > _MAX_LITERAL:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


def _options(request: dict[str, Any]) -> LiveOptions:
    try:
        return LiveOptions.model_validate(request)
    except ValidationError as problem:
        details = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc'])}: {issue['msg']}" for issue in problem.errors()
        )
        code = UNSUPPORTED_DATA if "speechRecognition" in details else INVALID_PAYLOAD
        raise Refused(f"start_request is invalid: {details}", code) from None


async def _start(
    websocket: WebSocket, hub: LiveHub, app_id: str, connection_id: str, request: dict[str, Any]
) -> tuple[LiveSession, asyncio.Task[None]]:
    options = _options(request)
    if hub.get(connection_id, app_id=app_id) is not None:
        raise Refused(f"connection {connection_id} is already streaming", POLICY_VIOLATION)
    public_url = websocket.app.state.runtime.settings.public_url
    site_url = (public_url or f"http{str(websocket.base_url)[2:]}").rstrip("/")  # ws(s):// -> http(s)://
    try:
        live = await run_in_threadpool(
            hub.open,
            app_id=app_id,
            options=options,
            kind="streaming",
            site_url=site_url,
            connection_id=connection_id,
        )
    except ParleyError as problem:
        raise Refused(problem.message, POLICY_VIOLATION) from None
    subscriber = Subscriber(asyncio.get_running_loop())
    live.subscribe(subscriber)
    await websocket.send_json(live_wire.status("started_listening"))
    await websocket.send_json(live_wire.status("conversation_created", conversationId=live.conversation_id))
    await websocket.send_json(live_wire.status("recognition_started", conversationId=live.conversation_id))
    forward = _forward(websocket, subscriber, live, live_wire.streaming, close_when_done=True)
    return live, asyncio.create_task(forward)


def _modify(live: LiveSession, request: dict[str, Any]) -> None:
    raw = request.get("speechRecognition") or (request.get("config") or {}).get("speechRecognition")
    if not isinstance(raw, dict):
        raise Refused("modify_request needs speechRecognition{encoding, sampleRateHertz}", INVALID_PAYLOAD)
    try:
        recognition = SpeechRecognition.model_validate(raw)
    except ValidationError as problem:
        raise Refused(f"modify_request is invalid: {problem.errors()[0]['msg']}", UNSUPPORTED_DATA) from None
    live.reconfigure(recognition.encoding, recognition.sampleRateHertz)


Renderer = Callable[[LiveEvent, LiveSession], list[dict[str, Any]]]


async def _forward(
    websocket: WebSocket,
    subscriber: Subscriber,
    live: LiveSession,
    render: Renderer,
    *,
    close_when_done: bool = False,
) -> None:
    """Send the session's events until it is stored (or the client goes away)."""
    try:
        while (event := await subscriber.get()) is not None:
            for message in render(event, live):
                await websocket.send_json(message)
        if close_when_done and websocket.client_state == WebSocketState.CONNECTED:
            await websocket.close(code=NORMAL)  # the session ended (stop, timeout): so does the socket
    except (WebSocketDisconnect, RuntimeError):  # the client left; the session goes on without it
        pass
    finally:
        live.unsubscribe(subscriber)


@router.websocket("/events/{connection_id}")
async def results(websocket: WebSocket, connection_id: str) -> None:
    """The telephony `resultWebSocketUrl` (works for streaming connections too)."""
    await websocket.accept()
    try:
        app_id = await run_in_threadpool(_socket_app_id, websocket)
        live = hub_of(websocket).get(connection_id, app_id=app_id)
        if live is None:
            raise Refused(
                f"connection {connection_id} is not live (never started, or already ended)", POLICY_VIOLATION
            )
        subscriber = Subscriber(asyncio.get_running_loop(), kinds=live_wire.TELEPHONY_KINDS)
        live.subscribe(subscriber)
        listener = asyncio.create_task(_forward(websocket, subscriber, live, live_wire.telephony))
        closed = asyncio.create_task(websocket.receive())
        await asyncio.wait({listener, closed}, return_when=asyncio.FIRST_COMPLETED)
        closed.cancel()
        if not listener.done():  # the client went away first
            listener.cancel()
            return
        await websocket.close(code=NORMAL)
    except Refused as refusal:
        await _refuse(websocket, refusal)
    except WebSocketDisconnect:
        pass


class EventUser(speakers.EventUser):
    userId: str | None = None  # live clients name users as Symbl's SDKs do


class PushedSpeakerEvent(BaseModel):
    type: Literal["started_speaking", "stopped_speaking"]
    user: EventUser
    timestamp: datetime | None = None
    offset: speakers.EventOffset | None = None


class PushedSpeakerEvents(BaseModel):
    speakerEvents: Annotated[list[PushedSpeakerEvent], Field(min_length=1)]


@router.post("/v1/event/{connection_id}", responses={400: {}, 401: {}, 404: {}})
async def push_event(connection_id: str, request: Request, app_id: AppIdDep) -> dict[str, Any]:
    """Speaker events for a live connection: who started or stopped speaking, when."""
    live = hub_of(request).get(connection_id, app_id=app_id)
    if live is None:
        raise NotFound(f"connection {connection_id} is not live (never started, or already ended)")
    body = parse_json_object(await request.body())
    events = (
        validate(PushedSpeakerEvents, body).speakerEvents
        if "speakerEvents" in body
        else [validate(PushedSpeakerEvent, body)]
    )
    accepted: list[tuple[SpeakerEvent, Speaker]] = []
    for index, event in enumerate(events):
        user = event.user
        speaker = participant(name=user.name, email=user.email, user_id=user.userId or user.id)
        if speaker is None:
            raise BadRequest(f"speaker event {index}: its user needs a userId, id, email or name")
        accepted.append((SpeakerEvent(event.type, speaker.key, _offset(event, live)), speaker))
    await run_in_threadpool(hub_of(request).add_speaker_events, live, accepted)
    return {"connectionId": connection_id, "accepted": len(accepted)}


def _offset(event: PushedSpeakerEvent, live: LiveSession) -> float:
    if event.offset is not None:
        return event.offset.seconds + event.offset.nanos / 1e9
    if event.timestamp is not None:
        moment = (
            event.timestamp
            if event.timestamp.tzinfo
            else event.timestamp.replace(tzinfo=live.started_at.tzinfo)
        )
        return max((moment - live.started_at).total_seconds(), 0.0)
    return live.received_seconds  # "now": as far as the audio has got
