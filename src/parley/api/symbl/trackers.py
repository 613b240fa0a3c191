"""Symbl's tracker management API (`/v1/manage/tracker[s]`), scoped to the caller's app.

Both spellings Symbl has used are served: the older `/tracker/{id}` with bulk creation on `POST
/trackers` (a list body), and the newer `/trackers/{id}` with `POST /trackers` (one object) and
`POST /trackers/bulk`.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError

from parley.api.deps import SessionDep
from parley.api.symbl.auth import AppIdDep
from parley.api.symbl.mapping import iso
from parley.errors import BadRequest, NotFound
from parley.models import Tracker
from parley.trackers import service as trackers
from parley.trackers.patch import apply_patch
from parley.trackers.schemas import TrackerFields
from parley.validation import describe, validate

router = APIRouter(prefix="/v1/manage", tags=["trackers"])
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Invalid tracker or patch"},
    401: {"description": "Bad token"},
    404: {"description": "No such tracker in this app"},
    409: {"description": "A tracker with that name already exists"},
}
_MANY = TypeAdapter(list[TrackerFields])


def shaped(tracker: Tracker) -> dict[str, Any]:
    body: dict[str, Any] = {"id": tracker.id, "name": tracker.name, "vocabulary": list(tracker.vocabulary)}
    if tracker.description is not None:
        body["description"] = tracker.description
    body |= {
        "categories": list(tracker.categories),
        "languages": list(tracker.languages),
        "createdOn": iso(tracker.created_at),
        "updatedOn": iso(tracker.updated_at),
    }
    return body


async def _json(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        raise BadRequest("the request body is empty; send JSON")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise BadRequest(f"the request body is not valid JSON: {error}") from None


def _owned(session: SessionDep, app_id: str, tracker_id: str) -> Tracker:
    tracker = trackers.get(session, app_id=app_id, tracker_id=tracker_id)
    if tracker is None:
        raise NotFound(f"tracker {tracker_id} was not found")
    return tracker


def _created(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=201)


def _create_many(session: SessionDep, app_id: str, body: Any) -> JSONResponse:
    if not isinstance(body, list) or not body:
        raise BadRequest("bulk creation takes a non-empty JSON list of trackers")
    try:
        many = _MANY.validate_python(body)
    except ValidationError as error:
        raise BadRequest(describe(error)) from None
    created = trackers.create_many(session, app_id=app_id, many=many)
    return _created({"trackers": [shaped(tracker) for tracker in created]})


def _create_one(session: SessionDep, app_id: str, body: Any) -> JSONResponse:
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object: {name, vocabulary}")
    tracker = trackers.create(session, app_id=app_id, fields=validate(TrackerFields, body))
    return _created({"tracker": shaped(tracker)})


@router.post("/tracker", responses=ERRORS, status_code=201)
async def create_tracker(request: Request, session: SessionDep, app_id: AppIdDep) -> JSONResponse:
    return _create_one(session, app_id, await _json(request))


@router.post("/trackers", responses=ERRORS, status_code=201)
async def create_trackers(request: Request, session: SessionDep, app_id: AppIdDep) -> JSONResponse:
    """A list creates many (all or nothing); one object creates one."""
    body = await _json(request)
    if isinstance(body, list):
        return _create_many(session, app_id, body)
    return _create_one(session, app_id, body)


@router.post("/trackers/bulk", responses=ERRORS, status_code=201)
async def create_trackers_bulk(request: Request, session: SessionDep, app_id: AppIdDep) -> JSONResponse:
    return _create_many(session, app_id, await _json(request))


@router.get("/trackers", responses=ERRORS)
def list_trackers(session: SessionDep, app_id: AppIdDep, name: str | None = None) -> dict[str, Any]:
    return {"trackers": [shaped(tracker) for tracker in trackers.get_all(session, app_id=app_id, name=name)]}


@router.get("/tracker/{tracker_id}", responses=ERRORS)
@router.get("/trackers/{tracker_id}", responses=ERRORS)
def get_tracker(tracker_id: str, session: SessionDep, app_id: AppIdDep) -> dict[str, Any]:
    return {"tracker": shaped(_owned(session, app_id, tracker_id))}


@router.put("/tracker/{tracker_id}", responses=ERRORS)
@router.put("/trackers/{tracker_id}", responses=ERRORS)
async def replace_tracker(
    tracker_id: str, request: Request, session: SessionDep, app_id: AppIdDep
) -> dict[str, Any]:
    body = await _json(request)
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object: {name, vocabulary}")
    if body.get("id", tracker_id) != tracker_id:
        raise BadRequest(f"id: the body names tracker {body['id']} but the path names {tracker_id}")
    body.pop("id", None)
    tracker = _owned(session, app_id, tracker_id)
    fields = validate(TrackerFields, body)
    return {"tracker": shaped(trackers.update(session, tracker=tracker, fields=fields))}


@router.patch("/tracker/{tracker_id}", responses=ERRORS)
@router.patch("/trackers/{tracker_id}", responses=ERRORS)
async def patch_tracker(
    tracker_id: str, request: Request, session: SessionDep, app_id: AppIdDep
) -> dict[str, Any]:
    operations = await _json(request)
    tracker = _owned(session, app_id, tracker_id)
    patched = apply_patch(trackers.fields_of(tracker), operations)
    fields = validate(TrackerFields, patched)
    return {"tracker": shaped(trackers.update(session, tracker=tracker, fields=fields))}


@router.delete("/tracker/{tracker_id}", responses=ERRORS)
@router.delete("/trackers/{tracker_id}", responses=ERRORS)
def delete_tracker(tracker_id: str, session: SessionDep, app_id: AppIdDep) -> dict[str, Any]:
    trackers.delete(session, tracker=_owned(session, app_id, tracker_id))
    return {"id": tracker_id, "type": "tracker", "deleted": True}
