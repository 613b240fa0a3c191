"""Workspaces, their users, channels and API keys; finding the workspace an `X-Claap-Key` belongs to."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from parley.errors import BadRequest, NotFound
from parley.models import App, Channel, Workspace, WorkspaceKey, WorkspaceRole, WorkspaceUser

# Not a scrypt hash, so `secret_matches` refuses every secret: no Symbl token is ever issued for it.
UNUSABLE_SECRET = "!workspace"


@dataclass(frozen=True)
class NewKey:
    workspace_id: str
    api_key: str  # shown once; only its SHA-256 is kept


def new_id() -> str:
    return secrets.token_hex(10)


def hash_key(api_key: str) -> str:
    # A plain SHA-256 suffices: the key is 256 random bits, so there is nothing to brute-force.
    return hashlib.sha256(api_key.encode()).hexdigest()


def create(session: Session, *, name: str, crm: str | None = None) -> Workspace:
    app = App(id=secrets.token_hex(16), name=f"workspace: {name}", secret_hash=UNUSABLE_SECRET)
    session.add(app)
    workspace = Workspace(id=new_id(), name=name, app_id=app.id, crm=crm.lower() if crm else None)
    session.add(workspace)
    session.flush()
    return workspace


def get(session: Session, *, workspace_id: str) -> Workspace | None:
    return session.get(Workspace, workspace_id)


def get_required(session: Session, *, workspace_id: str) -> Workspace:
    workspace = get(session, workspace_id=workspace_id)
    if workspace is None:
        raise NotFound(f"workspace {workspace_id} was not found")
    return workspace


def get_by_key(session: Session, *, api_key: str) -> Workspace | None:
    key = session.scalar(select(WorkspaceKey).where(WorkspaceKey.key_hash == hash_key(api_key)))
    return session.get(Workspace, key.workspace_id) if key else None


def create_key(session: Session, *, workspace: Workspace) -> NewKey:
    api_key = secrets.token_urlsafe(32)
    session.add(WorkspaceKey(id=new_id(), workspace_id=workspace.id, key_hash=hash_key(api_key)))
    session.flush()
    return NewKey(workspace_id=workspace.id, api_key=api_key)


def parse_member(spec: str) -> tuple[str, WorkspaceRole]:
    """`EMAIL[:role]` -> (email, role); the role defaults to member."""
    email, _, role = spec.partition(":")
    if "@" not in email:
        raise BadRequest(f"{spec!r}: expected EMAIL or EMAIL:ROLE")
    try:
        return email.strip().lower(), WorkspaceRole(role.strip().lower() or WorkspaceRole.member)
    except ValueError:
        roles = ", ".join(WorkspaceRole)
        raise BadRequest(f"{spec!r}: the role must be one of {roles}") from None


def add_user(
    session: Session, *, workspace: Workspace, email: str, role: WorkspaceRole, name: str | None = None
) -> WorkspaceUser:
    email = email.strip().lower()
    if get_user(session, workspace_id=workspace.id, email=email) is not None:
        raise BadRequest(f"{email} is already a user of workspace {workspace.id}")
    user = WorkspaceUser(
        id=new_id(), workspace_id=workspace.id, email=email, name=name or email.split("@")[0], role=role
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, *, workspace_id: str, email: str) -> WorkspaceUser | None:
    query = select(WorkspaceUser).where(
        WorkspaceUser.workspace_id == workspace_id, WorkspaceUser.email == email.strip().lower()
    )
    return session.scalar(query)


def add_channel(session: Session, *, workspace: Workspace, name: str) -> Channel:
    channel = Channel(id=new_id(), workspace_id=workspace.id, name=name)
    session.add(channel)
    session.flush()
    return channel


def get_channel(session: Session, *, workspace_id: str, channel_id: str) -> Channel | None:
    channel = session.get(Channel, channel_id)
    return channel if channel is not None and channel.workspace_id == workspace_id else None


def default_channel(session: Session, *, workspace_id: str) -> Channel | None:
    """The workspace's oldest channel, where recordings go when no channelId is given."""
    query = (
        select(Channel)
        .where(Channel.workspace_id == workspace_id)
        .order_by(Channel.created_at, Channel.id)
        .limit(1)
    )
    return session.scalar(query)


def set_webhook(*, workspace: Workspace, url: str | None, secret: str | None) -> None:
    if url is not None and not url.startswith(("http://", "https://")):
        raise BadRequest(f"{url!r}: the webhook URL must start with http:// or https://")
    workspace.webhook_url, workspace.webhook_secret = url, secret


def set_crm(*, workspace: Workspace, crm: str | None) -> None:
    workspace.crm = crm.lower() if crm else None
