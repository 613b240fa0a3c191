"""`parley workspaces`: Claap-style workspaces, their users, channels, API keys, webhook and CRM."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import typer
from sqlalchemy.orm import Session

from parley.cli.units import command_session
from parley.models import Workspace
from parley.recordings import workspaces

cli = typer.Typer(no_args_is_help=True, help="Manage workspaces for the Recordings API (X-Claap-Key)")
DEFAULT_CHANNEL = "General"


def _workspace(session: Session, workspace_id: str) -> Workspace:
    return workspaces.get_required(session, workspace_id=workspace_id)


def _print(payload: dict[str, Any], as_json: bool, text: Callable[[], str]) -> None:
    typer.echo(json.dumps(payload) if as_json else text())


@cli.command("create")
def create(
    name: str = typer.Argument(..., help="A name people will recognise"),
    member: list[str] = typer.Option([], "--member", help="EMAIL[:admin|member|viewer]; repeatable"),
    channel: list[str] = typer.Option([], "--channel", help="A channel name; repeatable (first: default)"),
    crm: str | None = typer.Option(None, help="The CRM deals refer to, e.g. attio"),
    as_json: bool = typer.Option(False, "--json", help="Print {workspaceId, apiKey, channels} as JSON"),
) -> None:
    """Create a workspace with its users and channels, and its first API key (shown once)."""
    with command_session() as session:
        workspace = workspaces.create(session, name=name, crm=crm)
        for spec in member:
            email, role = workspaces.parse_member(spec)
            workspaces.add_user(session, workspace=workspace, email=email, role=role)
        channels = [
            workspaces.add_channel(session, workspace=workspace, name=channel_name)
            for channel_name in channel or [DEFAULT_CHANNEL]
        ]
        key = workspaces.create_key(session, workspace=workspace)
    payload = {
        "workspaceId": workspace.id,
        "apiKey": key.api_key,
        "channels": [{"id": row.id, "name": row.name} for row in channels],
    }
    listed = ", ".join(f"{row.name} ({row.id})" for row in channels)
    _print(
        payload,
        as_json,
        lambda: f"workspaceId: {workspace.id}\napiKey:      {key.api_key}\nchannels:    {listed}",
    )


@cli.command("add-member")
def add_member(
    workspace_id: str = typer.Argument(..., metavar="WORKSPACE"),
    spec: str = typer.Argument(..., metavar="EMAIL[:ROLE]", help="role: admin, member (default) or viewer"),
    name: str | None = typer.Option(None, "--name", help="Display name; default: the e-mail's local part"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Add a user; viewers can read recordings but not create them."""
    with command_session() as session:
        email, role = workspaces.parse_member(spec)
        user = workspaces.add_user(
            session, workspace=_workspace(session, workspace_id), email=email, role=role, name=name
        )
    payload = {"id": user.id, "email": user.email, "name": user.name, "role": user.role}
    _print(payload, as_json, lambda: f"added {user.email} as {user.role}")


@cli.command("add-channel")
def add_channel(
    workspace_id: str = typer.Argument(..., metavar="WORKSPACE"),
    name: str = typer.Argument(...),
    as_json: bool = typer.Option(False, "--json", help="Print {id, name} as JSON"),
) -> None:
    """Add a channel (a folder of recordings); its id is the channelId of POST /v1/recordings."""
    with command_session() as session:
        channel = workspaces.add_channel(session, workspace=_workspace(session, workspace_id), name=name)
    _print({"id": channel.id, "name": channel.name}, as_json, lambda: f"channelId: {channel.id}")


@cli.command("create-key")
def create_key(
    workspace_id: str = typer.Argument(..., metavar="WORKSPACE"),
    as_json: bool = typer.Option(False, "--json", help="Print {workspaceId, apiKey} as JSON"),
) -> None:
    """Create another API key (shown once; only its hash is kept)."""
    with command_session() as session:
        key = workspaces.create_key(session, workspace=_workspace(session, workspace_id))
    payload = {"workspaceId": key.workspace_id, "apiKey": key.api_key}
    _print(payload, as_json, lambda: f"apiKey: {key.api_key}")


@cli.command("set-webhook")
def set_webhook(
    workspace_id: str = typer.Argument(..., metavar="WORKSPACE"),
    url: str = typer.Argument(..., help="Receives one POST per recording state change; '' turns it off"),
    secret: str | None = typer.Option(None, help="Sign deliveries with HMAC-SHA256 (X-Parley-Signature)"),
) -> None:
    with command_session() as session:
        workspaces.set_webhook(workspace=_workspace(session, workspace_id), url=url or None, secret=secret)
    typer.echo(f"webhook {'set to ' + url if url else 'turned off'}")


@cli.command("connect-crm")
def connect_crm(
    workspace_id: str = typer.Argument(..., metavar="WORKSPACE"),
    crm: str = typer.Argument(..., help="The CRM recordings' deals refer to (deal.type), e.g. attio"),
) -> None:
    with command_session() as session:
        workspaces.set_crm(workspace=_workspace(session, workspace_id), crm=crm or None)
    typer.echo(f"workspace {workspace_id} connected to {crm}")
