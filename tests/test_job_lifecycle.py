"""Job leases, retries and give-up rules, driven deterministically with the inline runner."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from parley.accounts import service as accounts
from parley.jobs import intake
from parley.jobs import service as jobs
from parley.jobs.options import JobOptions
from parley.models import Job, utcnow
from parley.pipeline import run
from parley.runner.inline import InlineRunner
from parley.runtime import Runtime
from tests.conftest import make_settings

MESSAGES = [{"payload": {"content": "Hello there."}, "from": {"name": "Ann"}}]


class _Parked:
    """A runner that only records: the test decides when jobs run."""

    def __init__(self) -> None:
        self.queued: list[str] = []

    def start(self) -> None: ...
    def stop(self, timeout: float = 10.0) -> None: ...

    def enqueue(self, job_id: str) -> None:
        self.queued.append(job_id)


@pytest.fixture
def runtime(tmp_path: Path, database_url: str) -> Iterator[Runtime]:
    runtime = Runtime.create(make_settings(tmp_path / "data", database_url, job_max_attempts=2))
    yield runtime
    runtime.close()


def _text_job(runtime: Runtime) -> Job:
    with runtime.session() as session:
        app_id = accounts.create(session, name="lifecycle").app_id
    return intake.submit_text(runtime, _Parked(), app_id=app_id, options=JobOptions(), messages=MESSAGES)


def _stored(runtime: Runtime, job_id: str) -> Job:
    with runtime.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def test_a_transient_error_is_retried(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    job = _text_job(runtime)
    real = run.produce_transcript
    calls: list[int] = []

    def flaky(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away for a moment")
        return real(*args, **kwargs)

    monkeypatch.setattr(run, "produce_transcript", flaky)
    runner = InlineRunner(runtime)
    runner.enqueue(job.id)
    assert runner.last_status == "scheduled" and _stored(runtime, job.id).status == "scheduled"
    runner.enqueue(job.id)
    assert runner.last_status == "completed"
    assert _stored(runtime, job.id).attempts == 2


def test_persistent_errors_fail_after_the_attempt_limit(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _text_job(runtime)
    monkeypatch.setattr(
        run, "produce_transcript", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom"))
    )
    runner = InlineRunner(runtime)
    runner.enqueue(job.id)
    runner.enqueue(job.id)
    stored = _stored(runtime, job.id)
    assert stored.status == "failed" and "after 2 attempts" in (stored.error or "") and "boom" in stored.error


def test_a_job_whose_workers_keep_dying_is_given_up(runtime: Runtime) -> None:
    job = _text_job(runtime)
    with runtime.session() as session:
        stored = session.get(Job, job.id)
        stored.status, stored.attempts = "in_progress", 2
        stored.worker_id, stored.lease_expires_at = "dead-worker", utcnow() - timedelta(seconds=1)
    runner = InlineRunner(runtime)
    runner.enqueue(job.id)
    stored = _stored(runtime, job.id)
    assert stored.status == "failed" and "gave up after 2 attempts" in (stored.error or "")


def test_an_expired_lease_lets_another_worker_take_over(runtime: Runtime) -> None:
    job = _text_job(runtime)
    with runtime.session() as session:
        first = jobs.claim(session, job_id=job.id, worker_id="a", lease_seconds=60)
    assert first is not None
    with runtime.session() as session:
        assert jobs.claim(session, job_id=job.id, worker_id="b", lease_seconds=60) is None
        session.get(Job, job.id).lease_expires_at = utcnow() - timedelta(seconds=1)
    with runtime.session() as session:
        taken = jobs.claim_next(session, worker_id="b", lease_seconds=60)
        assert taken is not None and taken.id == job.id
    with runtime.session() as session:
        assert not jobs.renew_lease(session, job_id=job.id, worker_id="a", lease_seconds=60, progress=0.5)
        assert not jobs.finish(session, job_id=job.id, worker_id="a")
        assert jobs.finish(session, job_id=job.id, worker_id="b")
