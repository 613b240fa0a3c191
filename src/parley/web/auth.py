"""Signing in (appId + appSecret, or a Claap workspace key) and out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from parley.accounts import service as accounts
from parley.api.deps import RuntimeDep
from parley.recordings import workspaces
from parley.runtime import Runtime
from parley.web import session as web_session
from parley.web.session import CSRF_FIELD, WebSession
from parley.web.templating import page

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only a path on this site (never `//host` or a full URL): no open redirect after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _form_page(
    request: Request, runtime: Runtime, session: WebSession, *, next_path: str, error: str | None, status: int
) -> HTMLResponse:
    response = page(
        request,
        "sign_in.html",
        {"next": next_path, "error": error, "csrf": session.csrf},
        session=None,
        status_code=status,
    )
    web_session.write(response, request, runtime, session)
    return response


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, runtime: RuntimeDep, next: str | None = None) -> Response:
    current = web_session.read(request, runtime)
    if current is not None and current.signed_in:
        return RedirectResponse(safe_next(next), status_code=303)
    # A session before sign-in carries the CSRF token the form echoes, so a forged sign-in is refused too.
    anonymous = current or web_session.new_session()
    return _form_page(request, runtime, anonymous, next_path=safe_next(next), error=None, status=200)


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request, runtime: RuntimeDep) -> Response:
    current = web_session.read(request, runtime)
    form = await request.form(max_files=0, max_fields=10)
    web_session.check_csrf(current, _text(form.get(CSRF_FIELD)))
    assert current is not None  # check_csrf refuses a request without a session
    next_path = safe_next(_text(form.get("next")))
    account = _authenticate(runtime, form)
    if account is None:
        error = "Those credentials are not right. Check them and try again."
        return _form_page(request, runtime, current, next_path=next_path, error=error, status=401)
    response = RedirectResponse(next_path, status_code=303)
    web_session.write(response, request, runtime, web_session.new_session(**account))
    return response


@router.post("/sign-out")
async def sign_out(request: Request, runtime: RuntimeDep) -> Response:
    current = web_session.read(request, runtime)
    form = await request.form(max_files=0, max_fields=5)
    web_session.check_csrf(current, _text(form.get(CSRF_FIELD)))
    response = RedirectResponse("/sign-in", status_code=303)
    web_session.clear(response)
    return response


def _authenticate(runtime: Runtime, form: FormData) -> dict[str, str] | None:
    """The session fields of the account the credentials open, or None."""
    get = form.get
    with runtime.session() as session:
        if get("kind") == "workspace":
            key = (_text(get("workspaceKey")) or "").strip()
            workspace = workspaces.get_by_key(session, api_key=key) if key else None
            if workspace is None:
                return None
            return {"app_id": workspace.app_id, "workspace_id": workspace.id, "label": workspace.name}
        app_id, secret = (_text(get("appId")) or "").strip(), _text(get("appSecret")) or ""
        app = accounts.authenticate(session, app_id=app_id, app_secret=secret) if app_id and secret else None
        if app is None:
            return None
        return {"app_id": app.id, "label": app.name}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
