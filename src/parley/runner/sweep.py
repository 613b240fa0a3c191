"""Re-publishing jobs whose broker message is gone, from inside each `parley worker`.

A message can vanish where late acknowledgement cannot help: the API process died between its commit and
its publish, the broker was down at the publish, or Redis restarted without persistence and lost its
queues. And a worker killed whole leaves its message unacknowledged until Redis's visibility timeout
(an hour by default). The database knows better: a job `scheduled`, or `in_progress` under an expired
lease, and untouched for `requeue_seconds`, may need a message.

Each round stamps such jobs in one conditional update (two workers sweeping at once never both take a
job) and publishes:
- every `in_progress` job whose lease ran out: its worker is gone;
- the `scheduled` jobs of a queue only when that queue holds fewer ready messages than the queue has
  waiting jobs, i.e. some messages are missing. A long backlog therefore does not grow a duplicate per
  job per round; once the missing ones are published the counts match again.
A duplicate message is harmless either way: its claim finds the job taken or done and does nothing.

Both brokers are understood: a queue's depth is read with AMQP's passive queue declare, which RabbitMQ
answers natively and kombu's Redis transport with the list's length; both count ready messages only, not
those a worker holds. RabbitMQ hands a dead connection's messages back at once, so there republishing a
job whose lease ran out usually adds a harmless duplicate; the sweep still finds publishes that never
happened.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter

from celery import Celery

from parley.jobs import service as jobs
from parley.models import JobStatus
from parley.runner.celery import publish, queue_for
from parley.runtime import Runtime

log = logging.getLogger(__name__)


def ready_messages(app: Celery, queue: str) -> int:
    """Messages waiting in `queue` (not those a worker holds); 0 for a queue the broker does not know.
    Redis and RabbitMQ alike (tests/test_scale_sweep.py runs over both)."""
    with app.connection_for_read() as connection:
        channel = connection.channel()
        try:
            return int(channel.queue_declare(queue=queue, passive=True).message_count)
        except connection.channel_errors:
            return 0
        finally:
            channel.close()


def queues_missing_messages(app: Celery, waiting_by_kind: dict[str, int]) -> set[str]:
    waiting = Counter[str]()
    for kind, count in waiting_by_kind.items():
        waiting[queue_for(kind)] += count
    return {queue for queue, count in waiting.items() if ready_messages(app, queue) < count}


def sweep_once(runtime: Runtime, app: Celery) -> int:
    """One round; returns how many job ids it published."""
    with runtime.session() as session:
        waiting = jobs.count_waiting(session)
        stale = jobs.take_stale(session, idle_seconds=runtime.settings.requeue_seconds)
    if not stale:
        return 0
    short = (
        queues_missing_messages(app, waiting)
        if any(j.status == JobStatus.scheduled for j in stale)
        else set()
    )
    published = 0
    for job in stale:
        if job.status == JobStatus.in_progress or queue_for(job.kind) in short:
            publish(app, job.id, job.kind)
            published += 1
    if published:
        log.info("re-published %d job(s) whose message was missing or whose worker died", published)
    return published


class Sweeper:
    """Runs `sweep_once` at start and then every `requeue_seconds` in a background thread."""

    def __init__(self, runtime: Runtime, app: Celery) -> None:
        self.runtime = runtime
        self.app = app
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="parley-sweep", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _loop(self) -> None:
        interval = self.runtime.settings.requeue_seconds
        while not self._stopping.is_set():
            try:
                sweep_once(self.runtime, self.app)
            except Exception:  # a database or broker outage: the next round tries again
                log.warning("the requeue sweep failed; retrying in %.0f s", interval, exc_info=True)
            self._stopping.wait(interval)
