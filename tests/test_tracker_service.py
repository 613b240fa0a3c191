"""The tracker service's name check races with concurrent requests; the unique index settles it as a 409."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from parley.errors import Conflict
from parley.models import Base, Tracker
from parley.trackers import service
from parley.trackers.schemas import TrackerFields


def test_a_name_taken_after_the_check_is_a_conflict_not_a_server_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        # another request created "Budget" between this request's name check and its insert
        monkeypatch.setattr(service, "_ensure_name_free", lambda *_args, **_kwargs: None)
        session.add(Tracker(id="1", app_id="app", name="Budget", vocabulary=["budget"]))
        session.flush()
        with pytest.raises(Conflict):
            service.create(session, app_id="app", fields=TrackerFields(name="Budget", vocabulary=["x"]))
