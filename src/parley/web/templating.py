"""Jinja2 templates (autoescaped), the filters they use, and the headers every page carries."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from parley.web.session import CSRF_FIELD, WebSession

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")

# Pages load scripts and styles from /static only (no inline script), and are never framed.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def clock(seconds: float | None) -> str:
    """1:05 or 1:02:05: the way players show time."""
    total = int(seconds or 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def day(instant: datetime | None) -> str:
    return instant.strftime("%Y-%m-%d %H:%M UTC") if instant else ""


def iso_day(iso: str | None) -> str:
    """An ISO-8601 instant (a due date) as a readable day."""
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).strftime("%a %d %b %Y")
    except ValueError:
        return iso


def timestamp(seconds: int) -> str:
    return day(datetime.fromtimestamp(seconds, UTC))


templates.env.filters.update(clock=clock, day=day, iso_day=iso_day, timestamp=timestamp)
templates.env.globals.update(csrf_field=CSRF_FIELD)


def page(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    session: WebSession | None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    response = templates.TemplateResponse(
        request, name, {"session": session, **context}, status_code=status_code
    )
    response.headers.update(SECURITY_HEADERS | (headers or {}))
    return response
