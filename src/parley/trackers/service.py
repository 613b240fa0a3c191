"""Managed trackers, always read and written through the owning app; names are unique per app."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parley.errors import BadRequest, Conflict
from parley.ids import numeric_id
from parley.models import Tracker, utcnow
from parley.trackers.schemas import MAX_TRACKERS_PER_APP, TrackerFields


def get(session: Session, *, app_id: str, tracker_id: str) -> Tracker | None:
    tracker = session.get(Tracker, tracker_id)
    if tracker is None or tracker.app_id != app_id:
        return None
    return tracker


def get_by_name(session: Session, *, app_id: str, name: str) -> Tracker | None:
    query = select(Tracker).where(Tracker.app_id == app_id, Tracker.name == name)
    return session.scalars(query).first()


def get_all(session: Session, *, app_id: str, name: str | None = None) -> list[Tracker]:
    query = select(Tracker).where(Tracker.app_id == app_id).order_by(Tracker.created_at, Tracker.id)
    if name is not None:
        query = query.where(Tracker.name == name)
    return list(session.scalars(query))


def get_many(session: Session, *, app_id: str, tracker_ids: list[str]) -> list[Tracker]:
    """The app's trackers among `tracker_ids`, in the order asked (unknown or foreign ids are left out)."""
    if not tracker_ids:
        return []
    query = select(Tracker).where(Tracker.app_id == app_id, Tracker.id.in_(tracker_ids))
    found = {tracker.id: tracker for tracker in session.scalars(query)}
    return [found[tracker_id] for tracker_id in dict.fromkeys(tracker_ids) if tracker_id in found]


def create(session: Session, *, app_id: str, fields: TrackerFields) -> Tracker:
    return create_many(session, app_id=app_id, many=[fields])[0]


def create_many(session: Session, *, app_id: str, many: list[TrackerFields]) -> list[Tracker]:
    """All or nothing: one duplicate name (among them or with an existing tracker) refuses them all."""
    repeated = [name for name, count in Counter(fields.name for fields in many).items() if count > 1]
    if repeated:
        raise Conflict(f"the request names tracker {repeated[0]!r} more than once")
    for fields in many:
        _ensure_name_free(session, app_id=app_id, name=fields.name)
    count = session.scalar(select(func.count()).select_from(Tracker).where(Tracker.app_id == app_id)) or 0
    if count + len(many) > MAX_TRACKERS_PER_APP:
        raise BadRequest(
            f"an app may keep at most {MAX_TRACKERS_PER_APP} trackers; it has {count} and the request adds "
            f"{len(many)}"
        )
    trackers = [Tracker(id=numeric_id(), app_id=app_id, **fields.model_dump()) for fields in many]
    session.add_all(trackers)
    _flush_names(session)
    return trackers


def update(session: Session, *, tracker: Tracker, fields: TrackerFields) -> Tracker:
    """Replace every client-set field (PUT, and PATCH after the patch is applied)."""
    if fields.name != tracker.name:
        _ensure_name_free(session, app_id=tracker.app_id, name=fields.name)
    for key, value in fields.model_dump().items():
        setattr(tracker, key, value)
    tracker.updated_at = utcnow()
    _flush_names(session)
    return tracker


def delete(session: Session, *, tracker: Tracker) -> None:
    session.delete(tracker)
    session.flush()


def fields_of(tracker: Tracker) -> dict[str, object]:
    """The client-set fields as a JSON document (what a JSON Patch applies to)."""
    return {
        "name": tracker.name,
        "vocabulary": list(tracker.vocabulary),
        "description": tracker.description,
        "categories": list(tracker.categories),
        "languages": list(tracker.languages),
    }


def _ensure_name_free(session: Session, *, app_id: str, name: str) -> None:
    if get_by_name(session, app_id=app_id, name=name) is not None:
        raise Conflict(f"a tracker named {name!r} already exists in this app")


def _flush_names(session: Session) -> None:
    """Flush; a name taken by a concurrent request since the check above trips the unique index: 409."""
    try:
        session.flush()
    except IntegrityError as error:  # the request's session is rolled back when the Conflict propagates
        raise Conflict("a tracker with that name was just created in this app") from error
