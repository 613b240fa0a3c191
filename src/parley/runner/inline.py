"""Runs each job in the caller's thread as soon as it is enqueued: the CLI and deterministic tests."""

from __future__ import annotations

import os
from collections.abc import Callable

from parley.jobs import service as jobs
from parley.pipeline.run import execute
from parley.runtime import Runtime


class InlineRunner:
    def __init__(self, runtime: Runtime, *, on_progress: Callable[[float], None] | None = None) -> None:
        self.runtime = runtime
        self.on_progress = on_progress
        self.worker_id = f"inline:{os.getpid()}"
        self.last_status: str | None = None

    def start(self) -> None:
        """Nothing to start: work happens inside `enqueue`."""

    def enqueue(self, job_id: str) -> None:
        lease = self.runtime.settings.job_lease_seconds
        with self.runtime.session() as session:
            job = jobs.claim(session, job_id=job_id, worker_id=self.worker_id, lease_seconds=lease)
        if job is not None:
            self.last_status = execute(
                self.runtime, job, worker_id=self.worker_id, on_progress=self.on_progress
            )

    def stop(self, timeout: float = 10.0) -> None:
        """Nothing runs in the background."""
