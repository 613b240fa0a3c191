"""The embedded runner: worker threads inside `parley serve` that claim jobs from the database.

Threads suffice because the heavy work (decoding, CTranslate2) releases the GIL. Polling the table (and a
wake-up on enqueue) means a job left `in_progress` by a killed process is picked up once its lease expires.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid

from parley.jobs import service as jobs
from parley.pipeline.run import execute
from parley.runtime import Runtime

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0


class LocalRunner:
    def __init__(self, runtime: Runtime, *, workers: int | None = None) -> None:
        self.runtime = runtime
        self.workers = workers or runtime.settings.workers
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._prefix = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    def start(self) -> None:
        for index in range(self.workers):
            thread = threading.Thread(
                target=self._work,
                args=(f"{self._prefix}:{index}",),
                name=f"parley-worker-{index}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def enqueue(self, job_id: str) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)

    def _work(self, worker_id: str) -> None:
        lease = self.runtime.settings.job_lease_seconds
        while not self._stopping.is_set():
            try:
                with self.runtime.session() as session:
                    job = jobs.claim_next(session, worker_id=worker_id, lease_seconds=lease)
            except Exception:
                log.exception("could not claim a job; retrying")
                job = None
            if job is None:
                self._wake.wait(POLL_SECONDS)
                self._wake.clear()
                continue
            log.info("worker %s runs job %s (attempt %d)", worker_id, job.id, job.attempts)
            status = execute(self.runtime, job, worker_id=worker_id)
            log.info("job %s ended %s", job.id, status)
