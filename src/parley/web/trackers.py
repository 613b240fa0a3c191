"""The trackers page: create, edit and delete the account's trackers, and see where each one fired."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from parley.api.deps import RuntimeDep
from parley.errors import NotFound, ParleyError
from parley.models import Tracker
from parley.runtime import Runtime
from parley.trackers import firings
from parley.trackers import service as trackers
from parley.trackers.schemas import TrackerFields
from parley.validation import validate
from parley.web.session import SignedIn, WebSession, checked_form
from parley.web.templating import page

router = APIRouter()


def fields_from(form: FormData) -> TrackerFields:
    """One phrase per line (or comma-separated on one line), as people type them."""
    raw = str(form.get("vocabulary") or "")
    lines = [line for line in raw.splitlines() if line.strip()]
    phrases = [part for part in lines[0].split(",") if part.strip()] if len(lines) == 1 else lines
    description = str(form.get("description") or "").strip() or None
    return validate(
        TrackerFields,
        {"name": str(form.get("name") or ""), "vocabulary": phrases, "description": description},
    )


def _page(
    request: Request, runtime: Runtime, user: WebSession, *, error: str | None = None, status: int = 200
) -> Response:
    app_id = user.app_id or ""
    with runtime.session() as session:
        context = {
            "trackers": trackers.get_all(session, app_id=app_id),
            "firings": firings.get_all(session, app_id=app_id),
            "error": error,
        }
        return page(request, "trackers.html", context, session=user, status_code=status)


def _owned(session: Session, user: WebSession, tracker_id: str) -> Tracker:
    tracker = trackers.get(session, app_id=user.app_id or "", tracker_id=tracker_id)
    if tracker is None:
        raise NotFound(f"tracker {tracker_id} was not found")
    return tracker


@router.get("/trackers", response_class=HTMLResponse)
def trackers_page(request: Request, runtime: RuntimeDep, user: SignedIn) -> Response:
    return _page(request, runtime, user)


@router.post("/trackers")
async def create_tracker(request: Request, runtime: RuntimeDep, user: SignedIn) -> Response:
    form = await checked_form(request, user)
    try:
        with runtime.session() as session:
            tracker = trackers.create(session, app_id=user.app_id or "", fields=fields_from(form))
            tracker_id = tracker.id
    except ParleyError as error:  # a duplicate name or a bad phrase: say so on the page
        return _page(request, runtime, user, error=error.message, status=error.status_code)
    return RedirectResponse(f"/trackers#tracker-{tracker_id}", status_code=303)


@router.post("/trackers/{tracker_id}")
async def update_tracker(tracker_id: str, request: Request, runtime: RuntimeDep, user: SignedIn) -> Response:
    form = await checked_form(request, user)
    try:
        with runtime.session() as session:
            tracker = _owned(session, user, tracker_id)
            trackers.update(session, tracker=tracker, fields=fields_from(form))
    except NotFound:
        raise
    except ParleyError as error:
        return _page(request, runtime, user, error=error.message, status=error.status_code)
    return RedirectResponse(f"/trackers#tracker-{tracker_id}", status_code=303)


@router.post("/trackers/{tracker_id}/delete")
async def delete_tracker(tracker_id: str, request: Request, runtime: RuntimeDep, user: SignedIn) -> Response:
    await checked_form(request, user)
    with runtime.session() as session:
        trackers.delete(session, tracker=_owned(session, user, tracker_id))
    return RedirectResponse("/trackers", status_code=303)
