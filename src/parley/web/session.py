"""The browser session: a signed cookie (itsdangerous, the runtime's token key) naming the account, and a
per-session CSRF token every POST must echo.

The cookie is HttpOnly and SameSite=Lax (Secure over HTTPS); it holds no secret besides the CSRF token,
and its signature and age are checked on every request. Sessions are stateless: signing out removes the
cookie from the browser; a copied cookie stays valid until it expires (PARLEY_TOKEN_TTL_SECONDS).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import FormData

from parley.accounts import service as accounts
from parley.api.deps import RuntimeDep
from parley.errors import Forbidden
from parley.recordings import workspaces
from parley.runtime import Runtime

COOKIE = "parley_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


class SignInRequired(Exception):
    """Raised by pages that need an account; the web face answers with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass(frozen=True)
class WebSession:
    csrf: str
    app_id: str | None = None  # the account every page is scoped to
    workspace_id: str | None = None  # set when signed in with a Claap workspace key
    label: str | None = None  # what the header shows: the app's or the workspace's name

    @property
    def signed_in(self) -> bool:
        return self.app_id is not None


def _serializer(runtime: Runtime) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(runtime.token_key, salt="parley.web.session")


def new_session(**account: Any) -> WebSession:
    return WebSession(csrf=secrets.token_urlsafe(32), **account)


def read(request: Request, runtime: Runtime) -> WebSession | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(runtime).loads(raw, max_age=runtime.settings.token_ttl_seconds)
        return WebSession(**data)
    except (BadSignature, TypeError):
        return None


def write(response: Response, request: Request, runtime: Runtime, session: WebSession) -> None:
    response.set_cookie(
        COOKIE,
        _serializer(runtime).dumps(asdict(session)),
        max_age=runtime.settings.token_ttl_seconds,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")


def _account_exists(runtime: Runtime, session: WebSession) -> bool:
    with runtime.session() as db:
        if session.workspace_id is not None:
            workspace = workspaces.get(db, workspace_id=session.workspace_id)
            return workspace is not None and workspace.app_id == session.app_id
        return session.app_id is not None and accounts.get(db, app_id=session.app_id) is not None


def require(request: Request, runtime: RuntimeDep) -> WebSession:
    """The signed-in session of a page; otherwise the browser is sent to sign in and come back."""
    session = read(request, runtime)
    if session is None or not session.signed_in or not _account_exists(runtime, session):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    return session


def check_csrf(session: WebSession | None, submitted: str | None) -> None:
    if session is None or not submitted or not hmac.compare_digest(session.csrf, submitted):
        raise Forbidden("the form's security token is missing or stale; reload the page and try again")


async def checked_form(request: Request, session: WebSession) -> FormData:
    """A small form (no files) whose CSRF token matched the session's."""
    form = await request.form(max_files=0, max_fields=200)
    submitted = form.get(CSRF_FIELD)
    check_csrf(session, submitted if isinstance(submitted, str) else None)
    return form


SignedIn = Annotated[WebSession, Depends(require)]
