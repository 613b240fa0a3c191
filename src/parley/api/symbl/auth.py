"""Symbl authentication: appId/appSecret -> access token; the token on every other request."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header
from pydantic import BaseModel

from parley.accounts import service as accounts
from parley.accounts.secrets import issue_token, token_app_id
from parley.api.deps import RuntimeDep, SessionDep
from parley.errors import Unauthorized

router = APIRouter(tags=["authentication"])


class TokenRequest(BaseModel):
    type: Literal["application"] = "application"
    appId: str
    appSecret: str


class TokenResponse(BaseModel):
    accessToken: str
    expiresIn: int


@router.post("/oauth2/token:generate", response_model=TokenResponse, responses={401: {}})
def generate_token(body: TokenRequest, session: SessionDep, runtime: RuntimeDep) -> TokenResponse:
    app = accounts.authenticate(session, app_id=body.appId, app_secret=body.appSecret)
    if app is None:
        raise Unauthorized("appId or appSecret is wrong")
    ttl = runtime.settings.token_ttl_seconds
    token = issue_token(app.id, key=runtime.token_key, ttl_seconds=ttl)
    return TokenResponse(accessToken=token, expiresIn=ttl)


def current_app_id(
    session: SessionDep,
    runtime: RuntimeDep,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> str:
    """The app the request's token was issued to (`Authorization: Bearer` or `x-api-key`)."""
    token = x_api_key
    if authorization:
        scheme, _, value = authorization.partition(" ")
        token = value.strip() if scheme.lower() == "bearer" else authorization.strip()
    if not token:
        raise Unauthorized("send an access token as 'Authorization: Bearer <token>' or 'x-api-key: <token>'")
    app_id = token_app_id(token, key=runtime.token_key)
    if app_id is None or accounts.get(session, app_id=app_id) is None:
        raise Unauthorized("the access token is invalid or expired; generate a new one")
    return app_id


AppIdDep = Annotated[str, Depends(current_app_id)]
