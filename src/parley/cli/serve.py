"""`parley serve`: the API, the docs and (by default) the job workers in one process."""

from __future__ import annotations

import typer
import uvicorn

from parley.accounts import service as accounts
from parley.app import create_app
from parley.config import Settings, get_settings
from parley.runtime import Runtime


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on"),
    port: int = typer.Option(8000, help="TCP port"),
    workers: bool = typer.Option(True, "--workers/--no-workers", help="Also run jobs in this process"),
    first_app: bool = typer.Option(False, "--first-app", help="Create and print an app if there is none"),
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs)."""
    settings = get_settings()
    base = f"http://{host}:{port}"
    if first_app:
        _print_first_app(settings)
    typer.echo(f"Parley is listening on {base}  (API docs: {base}/docs, data: {settings.data_dir.resolve()})")
    uvicorn.run(create_app(settings, run_jobs=workers), host=host, port=port, timeout_graceful_shutdown=10)


def _print_first_app(settings: Settings) -> None:
    runtime = Runtime.create(settings)
    with runtime.session() as session:
        if accounts.get_all(session):
            typer.echo("Apps already exist in this data folder; use their credentials or create one with")
            typer.echo("  .venv/bin/parley apps create --name NAME --json")
            return
        credentials = accounts.create(session, name="default")
    typer.echo("Created your first app (the secret is shown only now):")
    typer.echo(f"  appId:     {credentials.app_id}")
    typer.echo(f"  appSecret: {credentials.app_secret}")
    typer.echo("Trade them for a token: POST /oauth2/token:generate {type, appId, appSecret}")
