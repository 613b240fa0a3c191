"""`Authorization: <JWT>` (no prefix) -> the grant of a VideoSDK key; Symbl tokens open nothing here."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from parley.api.deps import SessionDep
from parley.rooms import keys
from parley.rooms.keys import Grant
from parley.rooms.live import RoomHub
from parley.runtime import Runtime


def current_grant(
    session: SessionDep,
    authorization: Annotated[
        str | None, Header(description="A JWT signed with your API key's secret")
    ] = None,
) -> Grant:
    return keys.verify(session, authorization)


GrantDep = Annotated[Grant, Depends(current_grant)]


async def get_hub(request: Request) -> RoomHub:
    return request.app.state.rooms


def base_url(request: Request, runtime: Runtime) -> str:
    return (runtime.settings.public_url or str(request.base_url)).rstrip("/")


HubDep = Annotated[RoomHub, Depends(get_hub)]
