"""`X-Claap-Key` -> the workspace; Symbl access tokens open nothing here."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from parley.api.deps import SessionDep
from parley.errors import Unauthorized
from parley.models import Workspace
from parley.recordings import workspaces


def current_workspace(
    session: SessionDep,
    x_claap_key: Annotated[str | None, Header(description="The workspace's API key")] = None,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Workspace:
    if not x_claap_key:
        hint = " (a Symbl access token does not open the Recordings API)" if authorization else ""
        raise Unauthorized(
            "send the workspace's API key in the X-Claap-Key header; "
            f"`parley workspaces create-key` makes one{hint}"
        )
    workspace = workspaces.get_by_key(session, api_key=x_claap_key.strip())
    if workspace is None:
        raise Unauthorized("the X-Claap-Key is not a key of any workspace")
    return workspace


WorkspaceDep = Annotated[Workspace, Depends(current_workspace)]
