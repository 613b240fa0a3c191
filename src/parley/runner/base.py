"""How jobs get executed. The database is the queue of record; a runner only decides where jobs run."""

from __future__ import annotations

from typing import Protocol


class JobRunner(Protocol):
    def start(self) -> None:
        """Begin taking jobs, including ones a dead process left behind."""

    def enqueue(self, job_id: str) -> None:
        """A job row was committed; run it soon. Must be cheap and safe to call more than once."""

    def stop(self, timeout: float = 10.0) -> None:
        """Stop taking jobs; a job still running is resumed later by whoever claims it."""
