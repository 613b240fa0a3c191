"""The `parley` command: serve, worker, apps, workspaces, process, bench."""

from __future__ import annotations

import logging

import typer

from parley.cli import apps, process, serve, videosdk_keys, worker, workspaces
from parley.cli.memory import tune_allocator
from parley.config import get_settings

cli = typer.Typer(no_args_is_help=True, add_completion=False, help="Parley conversation-intelligence server")
cli.command("serve")(serve.serve)
cli.command("process")(process.process)
cli.command("worker")(worker.worker)
cli.add_typer(apps.cli, name="apps")
cli.add_typer(workspaces.cli, name="workspaces")
cli.add_typer(videosdk_keys.cli, name="videosdk-keys")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Migration and model-loading chatter is noise on the console; warnings still show.
    for noisy in ("alembic", "faster_whisper", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if get_settings().tune_allocator:
        tune_allocator()
    cli()
