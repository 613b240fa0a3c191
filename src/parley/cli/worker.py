"""`parley worker`: runs jobs from the Celery broker (PARLEY_RUNNER=celery); see docs/DEPLOY.md."""

from __future__ import annotations

import os

import typer
from celery import signals

from parley.config import get_settings
from parley.runner.celery import QUEUES, make_celery
from parley.runner.sweep import Sweeper
from parley.runtime import Runtime


def worker(
    concurrency: int = typer.Option(1, "--concurrency", "-c", min=1, help="Job processes on this machine"),
    queues: str = typer.Option(
        ",".join(QUEUES), "--queues", "-Q", help="heavy (audio/video ASR), light (text jobs), or both"
    ),
    loglevel: str = typer.Option("info", "--loglevel", help="debug, info, warning or error"),
) -> None:
    """Run jobs from the broker. Each process loads the speech model once and keeps it."""
    chosen = [name.strip() for name in queues.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(QUEUES))
    if unknown or not chosen:
        raise typer.BadParameter(f"choose from {', '.join(QUEUES)}", param_hint="--queues")
    settings = get_settings()
    if not settings.broker_url:
        typer.echo("parley worker: set PARLEY_BROKER_URL (redis://... or amqp://...)", err=True)
        raise typer.Exit(2)
    runtime = Runtime.create(settings)  # migrates once here, before the job processes fork
    app = make_celery(settings)
    sweeper = Sweeper(runtime, app)
    # Started once the pool is up (threads do not survive fork), stopped before the process exits.
    signals.worker_ready.connect(lambda **_: sweeper.start(), weak=False)
    signals.worker_shutdown.connect(lambda **_: sweeper.stop(), weak=False)
    app.worker_main(
        [
            "worker",
            f"--concurrency={concurrency}",
            f"--queues={','.join(chosen)}",
            f"--loglevel={loglevel}",
            f"--hostname=parley-{os.getpid()}@%h",
            "--pool=prefork",
            # Workers need no gossip with each other: the database coordinates them.
            "--without-gossip",
            "--without-mingle",
        ]
    )
