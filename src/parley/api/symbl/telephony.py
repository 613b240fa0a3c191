"""Symbl's Telephony API (seed 001): `POST /v1/endpoint:connect` with `operation` start or stop."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from parley.api.deps import RuntimeDep
from parley.api.symbl.auth import AppIdDep
from parley.api.symbl.streaming import hub_of
from parley.errors import BadRequest, NotFound
from parley.live import telephony
from parley.live.options import Action, LiveOptions, Loose, StreamConfig
from parley.validation import validate

router = APIRouter(tags=["telephony"])


class WireEndpoint(Loose):
    type: Literal["pstn", "sip"] | None = None
    phoneNumber: str | None = None
    uri: str | None = None
    dtmf: str | None = None
    connectionId: str | None = None


class SessionData(Loose):
    name: str | None = None


class Data(Loose):
    session: SessionData | None = None


class ConnectRequest(Loose):
    operation: Literal["start", "stop"]
    endpoint: WireEndpoint
    actions: list[Action] = []
    data: Data | None = None
    timezone: str | None = None
    languageCode: str | None = None


def _bases(request: Request, public_url: str | None) -> tuple[str, str]:
    """The HTTP and WebSocket base URLs clients reach this server at."""
    http = (public_url or str(request.base_url)).rstrip("/")
    return http, "ws" + http[len("http") :] if http.startswith("http") else http


@router.post("/v1/endpoint:connect", status_code=201, responses={400: {}, 401: {}, 404: {}, 429: {}})
def connect(request: Request, body: dict[str, Any], runtime: RuntimeDep, app_id: AppIdDep) -> Any:
    wire = validate(ConnectRequest, body)
    hub = hub_of(request)
    if wire.operation == "stop":
        if not wire.endpoint.connectionId:
            raise BadRequest("endpoint.connectionId: required to stop a connection")
        live = telephony.stop_call(hub, app_id=app_id, connection_id=wire.endpoint.connectionId)
        if live is None:
            raise NotFound(
                f"connection {wire.endpoint.connectionId} is not live (never started, or already ended)"
            )
        return JSONResponse(
            {"connectionId": live.connection_id, "conversationId": live.conversation_id, "status": "stopped"}
        )
    if wire.endpoint.type is None:
        raise BadRequest("endpoint.type: must be 'pstn' or 'sip'")
    options = validate(
        LiveOptions,
        {
            "name": wire.data.session.name if wire.data and wire.data.session else None,
            "actions": [action.model_dump() for action in wire.actions],
            "timezone": wire.timezone,
            "config": StreamConfig(languageCode=wire.languageCode).model_dump(),
        },
    )
    http, ws = _bases(request, runtime.settings.public_url)
    endpoint = telephony.Endpoint(
        type=wire.endpoint.type,
        phone_number=wire.endpoint.phoneNumber,
        uri=wire.endpoint.uri,
        dtmf=wire.endpoint.dtmf,
    )
    live = telephony.start_call(hub, app_id=app_id, endpoint=endpoint, options=options, site_url=http)
    return {
        "eventUrl": f"{http}/v1/event/{live.connection_id}",
        "resultWebSocketUrl": f"{ws}/events/{live.connection_id}",
        "connectionId": live.connection_id,
        "conversationId": live.conversation_id,
    }
