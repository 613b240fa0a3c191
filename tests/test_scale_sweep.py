"""The requeue sweep and the claim's row locking, over SQLite and PostgreSQL, with both kinds of broker: a
real (private) Redis and a virtual host of its own on the local RabbitMQ. The sweep reads queue depths the
same way from both (an AMQP passive queue declare, which kombu's Redis transport answers with the list's
length)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from sqlalchemy import delete, update

from parley.accounts import service as accounts
from parley.jobs import service as jobs
from parley.models import Job, JobStatus, utcnow
from parley.runner.celery import HEAVY, LIGHT, QUEUES, make_celery, queue_for
from parley.runner.sweep import ready_messages, sweep_once
from parley.runtime import Runtime
from tests.conftest import make_settings
from tests.scale_support import private_redis, rabbitmq_vhost


@pytest.fixture(scope="module", params=["redis", "amqp"])
def broker_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "redis":
        with private_redis(tmp_path_factory.mktemp("redis")) as server:
            yield server.url
    else:
        with rabbitmq_vhost() as url:
            yield url


def _purge(app: Celery) -> None:
    """Empty both queues, so each test counts only its own messages."""
    with app.connection_for_write() as connection:
        for queue in QUEUES:
            channel = connection.channel()
            try:
                channel.queue_purge(queue)
            except connection.channel_errors:  # never declared yet (RabbitMQ closes the channel)
                pass
            finally:
                channel.close()


@pytest.fixture
def setup(tmp_path: Path, database_url: str, broker_url: str) -> Iterator[tuple[Runtime, Celery, str]]:
    settings = make_settings(tmp_path / "data", database_url, broker_url=broker_url, requeue_seconds=30.0)
    runtime = Runtime.create(settings)
    with runtime.session() as session:
        app_id = accounts.create(session, name="sweep").app_id
    app = make_celery(settings)
    _purge(app)
    yield runtime, app, app_id
    app.close()
    # The PostgreSQL database lasts the whole session: leave no claimable job behind for other tests.
    with runtime.session() as session:
        session.execute(delete(Job).where(Job.app_id == app_id))


def _submit(runtime: Runtime, app_id: str, kind: str) -> str:
    with runtime.session() as session:
        job = jobs.submit(session, app_id=app_id, kind=kind, options={}, max_active=100)
        return job.id


def _age(runtime: Runtime, job_id: str, seconds: float, **values: object) -> None:
    with runtime.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(updated_at=utcnow() - timedelta(seconds=seconds), **values)
        )


def test_queues_by_kind() -> None:
    assert queue_for("text") == LIGHT
    assert queue_for("audio") == queue_for("video") == HEAVY


def test_sweep_publishes_lost_messages_once_per_round(setup: tuple[Runtime, Celery, str]) -> None:
    runtime, app, app_id = setup
    text_job = _submit(runtime, app_id, "text")
    assert sweep_once(runtime, app) == 0  # fresh: its own message is presumably on its way
    _age(runtime, text_job, 60)
    assert sweep_once(runtime, app) == 1  # never published (the queue is empty): publish it
    assert ready_messages(app, LIGHT) == 1
    assert sweep_once(runtime, app) == 0  # stamped: not again this round
    _age(runtime, text_job, 60)
    assert sweep_once(runtime, app) == 0  # its message is still queued: no duplicate
    assert ready_messages(app, LIGHT) == 1


def test_sweep_republishes_a_job_whose_worker_died(setup: tuple[Runtime, Celery, str]) -> None:
    runtime, app, app_id = setup
    audio_job = _submit(runtime, app_id, "audio")
    with runtime.session() as session:
        assert jobs.claim(session, job_id=audio_job, worker_id="dead", lease_seconds=30) is not None
    _age(runtime, audio_job, 60)
    assert sweep_once(runtime, app) == 0  # the lease still runs: the worker may be alive
    _age(runtime, audio_job, 60, lease_expires_at=utcnow() - timedelta(seconds=1))
    assert sweep_once(runtime, app) == 1
    assert ready_messages(app, HEAVY) == 1 and ready_messages(app, LIGHT) == 0


def test_claim_next_skips_a_row_another_claimer_holds(setup: tuple[Runtime, Celery, str]) -> None:
    runtime, _app, app_id = setup
    first, second = _submit(runtime, app_id, "text"), _submit(runtime, app_id, "text")
    if runtime.settings.sqlalchemy_url.startswith("sqlite"):
        pytest.skip("SQLite has no row locks; its single writer serialises claims")
    with runtime.session() as holder:
        held = jobs.claim_next(holder, worker_id="a", lease_seconds=30)
        assert held is not None
        # `holder` has not committed: a second claimer must skip the locked row, not wait on it.
        with runtime.session() as other:
            taken = jobs.claim_next(other, worker_id="b", lease_seconds=30)
            assert taken is not None and {held.id, taken.id} == {first, second}
    with runtime.session() as session:
        assert session.get(Job, first).status == session.get(Job, second).status == JobStatus.in_progress
