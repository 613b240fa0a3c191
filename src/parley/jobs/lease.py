"""Holding a job's lease while it runs: a side thread renews it, and a lost lease stops the results.

Used by the pipeline (parley.pipeline.run) and by a room recording's capture and delivery
(parley.rooms), so a process that dies mid-job leaves a lease that runs out and the job runs again.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from parley.jobs import service as jobs

if TYPE_CHECKING:
    from parley.runtime import Runtime

log = logging.getLogger(__name__)


class LeaseLost(Exception):
    """Another worker took the job over (this one stalled past its lease); drop our results."""


@dataclass
class Heartbeat:
    """Renews the job's lease from a side thread while the heavy work runs."""

    runtime: Runtime
    job_id: str
    worker_id: str
    progress: float = 0.0
    lost: bool = False

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{self.job_id[:8]}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop renewing (the lease then runs out unless the holder finishes or releases the job)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def __enter__(self) -> Heartbeat:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _beat(self) -> None:
        lease = self.runtime.settings.job_lease_seconds
        while not self._stop.wait(lease / 3):
            try:
                with self.runtime.session() as session:
                    held = jobs.renew_lease(
                        session,
                        job_id=self.job_id,
                        worker_id=self.worker_id,
                        lease_seconds=lease,
                        progress=self.progress,
                    )
            except Exception:  # a database hiccup must not kill the job; the next beat retries
                log.exception("could not renew the lease of job %s", self.job_id)
                continue
            if not held:
                self.lost = True
                return
