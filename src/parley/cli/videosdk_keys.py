"""`parley videosdk-keys`: API keys and secrets for the VideoSDK face (/v2/rooms, /v2/recordings)."""

from __future__ import annotations

import json

import typer

from parley.cli.units import command_session
from parley.errors import NotFound
from parley.rooms import keys

cli = typer.Typer(no_args_is_help=True, help="Manage VideoSDK API keys (JWTs signed with their secret)")


@cli.command("create")
def create(
    app: str | None = typer.Option(None, "--app", help="Attach to this Symbl app (default: a new account)"),
    name: str = typer.Option("videosdk", "--name", help="A name for the new account"),
    as_json: bool = typer.Option(False, "--json", help="Print {apiKey, secret, appId} as JSON"),
) -> None:
    """Create an API key and its secret (sign HS256 tokens with it: `apikey` + `permissions` + `exp`)."""
    with command_session() as session:
        key = keys.create(session, app_id=app, name=name)
    payload = {"apiKey": key.api_key, "secret": key.secret, "appId": key.app_id}
    typer.echo(json.dumps(payload) if as_json else f"apiKey: {key.api_key}\nsecret: {key.secret}")


@cli.command("token")
def token(
    api_key: str = typer.Argument(..., metavar="API_KEY"),
    ttl: int = typer.Option(3600, "--ttl", help="Seconds until the token expires"),
    room: str | None = typer.Option(None, "--room", help="Limit the token to this roomId"),
    moderator: bool = typer.Option(False, "--moderator", help="allow_mod instead of allow_join"),
) -> None:
    """Print a token signed with the key's secret, as your server would make one."""
    with command_session() as session:
        key = keys.get(session, api_key=api_key)
        if key is None:
            raise NotFound(f"no API key {api_key} exists")
        secret = key.secret
    claims: dict[str, object] = {"permissions": ["allow_mod" if moderator else "allow_join"]}
    if room:
        claims["roomId"] = room
    typer.echo(keys.sign(api_key, secret, ttl_seconds=ttl, **claims))
