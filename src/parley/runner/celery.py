"""Jobs on Celery workers (`PARLEY_RUNNER=celery`): the API publishes job ids, `parley worker` runs them.

The broker carries ids only; the job row stays the truth. A delivered id is claimed under the same lease
as in the embedded runner, so a duplicate delivery finds the job taken (or finished) and does nothing, and
a worker that dies leaves a lease that runs out. Messages are acknowledged after the job (`acks_late`), so
a dead worker's message goes back to the broker; the sweep in runner/sweep.py covers the cases a broker
cannot (a publish that never happened, a broker restarted without persistence).

Queues: `heavy` for audio and video (ASR, diarization), `light` for text jobs (analysis only) and room
recordings' deliveries (uploads), so GPU machines can consume `heavy` alone.
"""

from __future__ import annotations

import logging
import os
import socket

from celery import Celery, Task, signals

from parley.config import Settings, get_settings
from parley.db import get_engine
from parley.jobs import service as jobs
from parley.models import Job, JobStatus
from parley.pipeline.run import execute
from parley.recordings import events as recording_events
from parley.rooms import events as room_events
from parley.runtime import Runtime

log = logging.getLogger(__name__)

TASK_NAME = "parley.run_job"
HEAVY = "heavy"
LIGHT = "light"
QUEUES = (HEAVY, LIGHT)
MAX_RETRY_DELAY_SECONDS = 60


def queue_for(kind: str) -> str:
    """Text jobs and room deliveries need no speech model; everything else transcribes."""
    return LIGHT if kind in ("text", jobs.ROOM) else HEAVY


def make_celery(settings: Settings) -> Celery:
    if not settings.broker_url:
        raise ValueError("PARLEY_RUNNER=celery needs PARLEY_BROKER_URL (redis://... or amqp://...)")
    app = Celery("parley", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,  # results live in the database, not in a result backend
        task_default_queue=LIGHT,
        # The message is acknowledged only after the job, and handed back if the worker process dies.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # One job reserved per process: a long ASR job never holds short ones hostage in its prefetch.
        worker_prefetch_multiplier=1,
        # The lease decides who runs a job, so a redelivery after a broker blip is harmless; cancelling a
        # long transcription for it would only waste the work done.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        broker_connection_retry_on_startup=True,
        # A publish to a broker that is down fails fast; the job is already committed and the sweep
        # publishes it again once the broker is back.
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
        # Child start-up imports the whole pipeline; on a busy machine that takes longer than the 4 s default.
        worker_proc_alive_timeout=60,
        worker_hijack_root_logger=False,
    )
    app.task(name=TASK_NAME, bind=True)(_run_job_task)
    return app


def publish(app: Celery, job_id: str, kind: str, *, countdown: float | None = None) -> None:
    app.send_task(TASK_NAME, args=[job_id], queue=queue_for(kind), countdown=countdown)


class CeleryRunner:
    """The API side: publishes each committed job's id; the jobs run in `parley worker` processes."""

    def __init__(self, runtime: Runtime, app: Celery | None = None) -> None:
        self.runtime = runtime
        self.app = app or make_celery(runtime.settings)

    def start(self) -> None:
        """Nothing runs here; the workers sweep up jobs a dead process left behind."""

    def enqueue(self, job_id: str) -> None:
        with self.runtime.session() as session:
            job = session.get(Job, job_id)
            kind = job.kind if job is not None else None
        if kind is None:
            return
        try:
            publish(self.app, job_id, kind)
        except Exception:  # the job is committed; a worker's sweep publishes it once the broker answers
            log.warning("could not publish job %s; a worker will pick it up later", job_id, exc_info=True)

    def stop(self, timeout: float = 10.0) -> None:
        self.app.close()


# --- the worker side: one Runtime per worker process -------------------------------------------------------

_runtime: Runtime | None = None


def process_runtime() -> Runtime:
    """This process's Runtime, built on first use (prefork children build theirs at start)."""
    global _runtime
    if _runtime is None:
        _runtime = worker_runtime(get_settings())
    return _runtime


def worker_runtime(settings: Settings) -> Runtime:
    runtime = Runtime.create(settings)
    runtime.webhooks.start()  # here, in the job process: threads started before the fork would not run
    # What the API process attaches in create_app must hear the jobs that now run here.
    recording_events.follow_jobs(runtime)
    room_events.follow_jobs(runtime)
    publish_scheduled(runtime, CeleryRunner(runtime))
    return runtime


def publish_scheduled(runtime: Runtime, runner: CeleryRunner) -> None:
    """A job that schedules another (a room delivery, its recording's transcription) announces it as
    `scheduled` after the commit; here, where no API request follows with `enqueue`, that publishes it."""
    runtime.job_listeners.append(
        lambda job_id, status: runner.enqueue(job_id) if status == JobStatus.scheduled else None
    )


@signals.worker_process_init.connect
def _start_child(**_: object) -> None:
    global _runtime
    settings = get_settings()
    # Connections inherited from the parent across fork must not be used here; open fresh ones.
    get_engine(settings.sqlalchemy_url).dispose(close=False)
    _runtime = worker_runtime(settings)


@signals.worker_process_shutdown.connect
def _stop_child(**_: object) -> None:
    if _runtime is not None:
        _runtime.close()


def worker_id() -> str:
    return f"celery:{socket.gethostname()}:{os.getpid()}"


def _run_job_task(task: Task, job_id: str) -> str:
    return run_job(task.app, job_id)


def run_job(app: Celery, job_id: str) -> str:
    """Claim the job (a no-op if another worker holds it or it is done), run it, requeue it on a retry."""
    runtime = process_runtime()
    me = worker_id()
    lease = runtime.settings.job_lease_seconds
    with runtime.session() as session:
        job = jobs.claim(session, job_id=job_id, worker_id=me, lease_seconds=lease)
    if job is None:
        return "skipped"
    log.info("worker %s runs job %s (attempt %d)", me, job.id, job.attempts)
    status = execute(runtime, job, worker_id=me)
    if status == JobStatus.scheduled:  # a transient error released the job: try again after a pause
        publish(app, job.id, job.kind, countdown=min(2**job.attempts, MAX_RETRY_DELAY_SECONDS))
    return status
