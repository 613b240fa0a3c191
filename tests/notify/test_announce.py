"""A job's final status and its webhook are one transaction: rolled back together, committed together (so a
process killed just after the commit leaves the webhook in the outbox for the next one), and nobody in the
process hears of the status before it is committed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import hook_receiver
import pytest
from sqlalchemy import select
from tests.conftest import make_settings

from parley.accounts import service as accounts
from parley.jobs import service as jobs
from parley.models import JobStatus, WebhookDelivery
from parley.runtime import Runtime


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    runtime = Runtime.create(make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'parley.db'}"))
    yield runtime
    runtime.close()


def _job(runtime: Runtime, hook: str) -> str:
    with runtime.session() as session:
        app_id = accounts.create(session, name="tests").app_id
        job = jobs.submit(session, app_id=app_id, kind="audio", options={"webhookUrl": hook}, max_active=5)
        return job.id


def _queued(runtime: Runtime) -> list[str]:
    with runtime.session() as session:
        return list(session.scalars(select(WebhookDelivery.body)))


def test_a_status_and_its_webhook_are_rolled_back_and_committed_together(
    runtime: Runtime, receiver: hook_receiver.Receiver
) -> None:
    job_id = _job(runtime, receiver.url("/hook"))
    heard: list[tuple[str, str]] = []
    runtime.job_listeners.append(lambda job, status: heard.append((job, status)))

    with pytest.raises(RuntimeError), runtime.session() as session:
        runtime.announce(job_id, JobStatus.failed, session=session)
        raise RuntimeError("the transaction storing the status fails")
    assert _queued(runtime) == [] and heard == []

    with runtime.session() as session:
        runtime.announce(job_id, JobStatus.completed, session=session)
        assert heard == [], "told before the status was committed"
    assert heard == [(job_id, JobStatus.completed)]
    delivered = receiver.wait_for(1)
    assert [r.payload for r in delivered] == [{"jobId": job_id, "status": "completed"}]
    time.sleep(0.5)
    assert len(receiver.received) == 1 and _queued(runtime) == []
