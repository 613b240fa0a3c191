"""`parley apps`: create and list the apps (appId/appSecret pairs) that call the Symbl-style API."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from parley.accounts import service as accounts
from parley.config import get_settings
from parley.runtime import Runtime

cli = typer.Typer(no_args_is_help=True, help="Manage apps and their credentials")


@cli.command("create")
def create(
    name: str = typer.Option(..., "--name", help="A name people will recognise"),
    webhook_secret: str | None = typer.Option(None, help="Sign this app's webhooks with HMAC-SHA256"),
    as_json: bool = typer.Option(False, "--json", help="Print {appId, appSecret} as JSON"),
) -> None:
    """Create an app; its secret is shown once and stored only as a hash."""
    runtime = Runtime.create(get_settings())
    with runtime.session() as session:
        credentials = accounts.create(session, name=name, webhook_secret=webhook_secret)
    if as_json:
        typer.echo(json.dumps({"appId": credentials.app_id, "appSecret": credentials.app_secret}))
    else:
        typer.echo(f"appId:     {credentials.app_id}\nappSecret: {credentials.app_secret}")


@cli.command("list")
def list_apps() -> None:
    """List apps (never their secrets)."""
    runtime = Runtime.create(get_settings())
    with runtime.session() as session:
        rows = accounts.get_all(session)
    table = Table("appId", "name", "created")
    for app in rows:
        table.add_row(app.id, app.name, app.created_at.isoformat(timespec="seconds"))
    Console().print(table)
