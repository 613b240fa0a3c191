"""The library page: every conversation and recording of the account, searched, filtered and paged."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from parley.api.deps import RuntimeDep
from parley.conversations import library
from parley.trackers import service as trackers
from parley.web.session import SignedIn
from parley.web.templating import page

router = APIRouter()

PAGE_SIZE = 20


def _day(value: str | None, label: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{label}: expected a date such as 2025-01-31, got {value!r}")
        return None


@router.get("/", response_class=HTMLResponse)
def library_page(
    request: Request,
    runtime: RuntimeDep,
    user: SignedIn,
    q: str | None = None,
    tracker: str | None = None,
    channel: str | None = None,
    since: str | None = Query(None, alias="from"),
    until: str | None = Query(None, alias="to"),
    page_number: int = Query(1, alias="page", ge=1, le=100_000),
) -> Response:
    problems: list[str] = []
    filters = library.Filters(
        text=(q or "").strip() or None,
        tracker=tracker or None,
        channel_id=channel or None,
        since=_day(since, "From", problems),
        until=_day(until, "To", problems),
    )
    app_id = user.app_id or ""
    with runtime.session() as session:
        found = library.search(
            session, app_id=app_id, filters=filters, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE
        )
        tracker_names = [row.name for row in trackers.get_all(session, app_id=app_id)]
        channels = library.channels(session, workspace_id=user.workspace_id) if user.workspace_id else []
        kept = {"q": q, "tracker": tracker, "channel": channel, "from": since, "to": until}
        query = {key: value for key, value in kept.items() if value}
        context = {
            "page": found,
            "page_number": page_number,
            "pages": max(1, -(-found.total // PAGE_SIZE)),
            "filters": query,
            "link": lambda number: "/?" + urlencode(query | {"page": number}),
            "tracker_names": tracker_names,
            "channels": channels,
            "problems": problems,
            "deleted": request.query_params.get("deleted") == "1",
        }
        return page(request, "library.html", context, session=user)
