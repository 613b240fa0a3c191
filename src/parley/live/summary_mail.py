"""The `sendSummaryEmail` action: after a live session is stored and analysed, mail its summary.

The meeting start is shown in the request's IANA `timezone` (UTC when none was given), as Symbl's summary
e-mail and page do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from parley.intel.model import Analysis
from parley.notify.email import MailError, send_mail

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SummaryMail:
    subject: str
    text: str


def compose(
    *, name: str, started_at: datetime, timezone: str | None, analysis: Analysis | None, link: str
) -> SummaryMail:
    zone = ZoneInfo(timezone or "UTC")
    local_start = started_at.astimezone(zone)
    lines = [
        f"Meeting: {name}",
        f"Started: {local_start:%A %d %B %Y, %H:%M} ({zone.key}, UTC{local_start:%z})",
        "",
        "Summary",
    ]
    summary = (analysis.summary or []) if analysis else []
    lines += [f"  {sentence.text}" for sentence in summary] or [
        "  (nothing was said that could be summarised)"
    ]
    actions = [item for item in (analysis.insights if analysis else []) if item.type == "action_item"]
    lines += ["", "Action items"]
    lines += [_action_line(item.text, item.assignee.name if item.assignee else None) for item in actions] or [
        "  (none)"
    ]
    lines += ["", f"The whole conversation: {link}"]
    return SummaryMail(subject=f"Summary of {name}", text="\n".join(lines) + "\n")


def _action_line(text: str, assignee: str | None) -> str:
    return f"  - {text}" + (f" (assigned to {assignee})" if assignee else "")


def send(smtp_url: str | None, *, sender: str, to: list[str], mail: SummaryMail) -> str | None:
    """Send; returns why it could not be sent (None when it was)."""
    if not smtp_url:
        return "no SMTP server is configured (PARLEY_SMTP_URL), so the summary e-mail was not sent"
    try:
        send_mail(smtp_url, sender=sender, to=to, subject=mail.subject, text=mail.text)
    except MailError as error:
        log.warning("summary e-mail to %s failed: %s", to, error)
        return str(error)
    return None
