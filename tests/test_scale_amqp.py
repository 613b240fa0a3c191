"""The scaled-out configuration over RabbitMQ (`PARLEY_BROKER_URL=amqp://...`): an in-process API publishes
to a virtual host of the test's own, a real `parley worker` runs the job from it, media travels through a moto
S3 server and job state through a fresh PostgreSQL database. RabbitMQ must be running (or startable): no skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from parley.runner.celery import QUEUES, make_celery, publish
from tests.conftest import Api, open_api, scaled_out
from tests.scale_support import Worker, query, queued_messages, rabbitmq_vhost, wait_until
from tests.support import shared, wer

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@dataclass
class RabbitSetup:
    api: Api
    worker: Worker
    broker_url: str
    database_url: str

    def queued(self) -> dict[str, int]:
        """Messages (ready or held by a worker) in Parley's queues."""
        counts = queued_messages(self.broker_url)
        return {queue: counts.get(queue, 0) for queue in QUEUES}

    def logged(self, text: str) -> int:
        return self.worker.log.read_text().count(text)

    def wait_until_drained(self) -> None:
        """Every message acknowledged: the queues hold nothing, ready or held by a worker."""
        wait_until(lambda: self.queued() == dict.fromkeys(QUEUES, 0), "RabbitMQ's queues to drain")


@pytest.fixture(scope="module")
def rabbit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RabbitSetup]:
    folder = tmp_path_factory.mktemp("amqp")
    with rabbitmq_vhost() as broker_url, scaled_out(folder, broker_url) as (settings, worker):
        for api in open_api(settings.model_copy(update={"data_dir": folder / "api"})):
            yield RabbitSetup(api, worker, broker_url, settings.sqlalchemy_url)


def test_real_speech_job_runs_exactly_once_through_rabbitmq(rabbit: RabbitSetup) -> None:
    api = rabbit.api
    accepted = api.client.post(
        "/v1/process/audio",
        content=shared("asr_short/jfk.wav").read_bytes(),
        headers=api.headers | {"Content-Type": "audio/wav"},
    ).json()
    job_id = accepted["jobId"]
    assert api.wait(job_id)["status"] == "completed"
    messages = api.get(f"/v1/conversations/{accepted['conversationId']}/messages").json()["messages"]
    assert wer(shared("asr_short/jfk.txt").read_text(), " ".join(m["text"] for m in messages)) < 0.15

    # Run once, by the worker, and its message acknowledged after the job (nothing left in RabbitMQ).
    ((attempts, worker_id),) = query(
        rabbit.database_url, "SELECT attempts, worker_id FROM jobs WHERE id = %s", job_id
    )
    assert attempts == 1 and worker_id.startswith("celery:")
    rabbit.wait_until_drained()
    assert rabbit.logged(f"runs job {job_id}") == 1

    # A second delivery of the same id (a redelivery, a sweep's duplicate) finds the job done: no second run.
    publisher = make_celery(api.runtime.settings)
    try:
        publish(publisher, job_id, "audio")
    finally:
        publisher.close()
    wait_until(lambda: rabbit.logged("'skipped'") == 1, "the duplicate's delivery")
    rabbit.wait_until_drained()
    assert rabbit.logged(f"runs job {job_id}") == 1
    assert query(rabbit.database_url, "SELECT attempts FROM jobs WHERE id = %s", job_id) == [(1,)]
    again = api.get(f"/v1/conversations/{accepted['conversationId']}/messages").json()["messages"]
    assert again == messages
