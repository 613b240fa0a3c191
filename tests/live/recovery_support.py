"""Helpers shared by the live-recovery tests: open a live job as if its server had died, age its heartbeat,
and wait for a restarted server to end it."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update

from parley.ids import numeric_id
from parley.jobs.options import JobOptions
from parley.live import record
from parley.live.events import LiveMessage
from parley.models import Job, utcnow
from parley.runtime import Runtime
from parley.transcript import Speaker, Word
from tests.conftest import ServerProcess

LEASE = 3.0  # seconds: the job lease the recovery tests' servers run with


def ended(server: ServerProcess, headers: dict[str, str], conversation_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        response = httpx.get(f"{server.base_url}/v1/conversations/{conversation_id}", headers=headers)
        if "endReason" in response.json()["metadata"]:
            return response.json()
        time.sleep(0.5)
    raise AssertionError(f"the live session was never ended:\n{server.log.read_text()[-3000:]}")


def open_session(
    runtime: Runtime, app_id: str, owner: str, emails: list[str] | None = None
) -> tuple[str, str]:
    plan = record.StopPlan(connection_id=numeric_id(), summary_emails=emails or [])
    options = JobOptions(name="Standup", enableSummary=bool(emails))
    with runtime.session() as session:
        job, conversation = record.open_job(
            session,
            app_id=app_id,
            source="streaming",
            options=options,
            plan=plan,
            owner=owner,
            language="en-US",
            max_active=10,
        )
        return job.id, conversation.id


def age(runtime: Runtime, job_id: str, seconds: float) -> None:
    """As if the owner's last heartbeat was `seconds` ago."""
    with runtime.session() as session:
        stamp = utcnow() - timedelta(seconds=seconds)
        session.execute(update(Job).where(Job.id == job_id).values(updated_at=stamp))


def message_said(text: str, start: float) -> LiveMessage:
    words = [Word(word, start + i * 0.4, start + i * 0.4 + 0.3) for i, word in enumerate(text.split())]
    return LiveMessage(numeric_id(), text, words[0].start, words[-1].end, words, Speaker("name:Ann", "Ann"))
