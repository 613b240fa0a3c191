"""The trackers a job asks for: inline ones (`{name, vocabulary}`), managed ones (`{id}`), and with
`enableAllTrackers` every tracker the app keeps. Inline trackers get an id derived from the app and
name, so the same tracker sent with two jobs reads back with the same id."""

from __future__ import annotations

from sqlalchemy.orm import Session

from parley.intel.model import TrackerDefinition
from parley.intel.trackers import tracker_id
from parley.jobs.options import JobOptions
from parley.models import Tracker
from parley.trackers import service as trackers


def resolve_trackers(session: Session, *, app_id: str, options: JobOptions) -> list[TrackerDefinition]:
    referenced = [spec.id for spec in options.trackers if spec.id is not None]
    # a referenced tracker deleted after the job was accepted is skipped, not a failed job
    managed = trackers.get_many(session, app_id=app_id, tracker_ids=referenced)
    if options.enableAllTrackers:
        managed += trackers.get_all(session, app_id=app_id)
    resolved = [_managed(row) for row in managed]
    resolved += [
        TrackerDefinition(name=spec.name, vocabulary=list(spec.vocabulary), id=tracker_id(spec.name, app_id))
        for spec in options.trackers
        if spec.id is None and spec.name and spec.vocabulary
    ]
    return list({definition.id: definition for definition in resolved}.values())


def unknown_tracker_ids(session: Session, *, app_id: str, options: JobOptions) -> list[str]:
    """Ids in `trackers[{id}]` that name no tracker of this app (another app's count as unknown)."""
    referenced = [spec.id for spec in options.trackers if spec.id is not None]
    found = {row.id for row in trackers.get_many(session, app_id=app_id, tracker_ids=referenced)}
    return [tracker_id for tracker_id in dict.fromkeys(referenced) if tracker_id not in found]


def _managed(row: Tracker) -> TrackerDefinition:
    return TrackerDefinition(name=row.name, vocabulary=list(row.vocabulary), id=row.id)
