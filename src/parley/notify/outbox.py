"""The webhook outbox: one row per delivery, written before `send()` returns, so none is lost with a process.

Rows are claimed one attempt at a time by a conditional UPDATE (the row is still pending, no one has
tried it since it was read, and no live lease holds it), which SQLite and PostgreSQL both apply
atomically, so two processes never make the same attempt. Only the oldest pending row of each URL is ever
offered (`ready`), which keeps one attempt in flight per URL and holds a URL's later rows behind a
waiting retry, whichever process sent them.

These functions never commit; the sender commits each step in its own short transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.orm import Session

from parley.models import App, DeliveryState, WebhookDelivery, Workspace

SecretOwner = Literal["apps", "workspaces"]
_SECRET_COLUMNS = {
    "apps": (App.id, App.webhook_secret),
    "workspaces": (Workspace.id, Workspace.webhook_secret),
}


@dataclass(frozen=True, slots=True)
class Signer:
    """Whose `webhook_secret` signs a delivery. It is read at every attempt rather than copied into the
    outbox: the secret stays in one place, a rotated secret signs the retries still queued (receivers check
    against the current one), and a delivery whose app or workspace was deleted is not sent at all."""

    table: SecretOwner
    id: str

    @classmethod
    def app(cls, app_id: str) -> Signer:
        return cls("apps", app_id)

    @classmethod
    def workspace(cls, workspace_id: str) -> Signer:
        return cls("workspaces", workspace_id)


class SignerGone(LookupError):
    """The app or workspace whose secret signs a delivery no longer exists."""


@dataclass(frozen=True, slots=True)
class Pending:
    """A delivery as read from the outbox; `attempts` counts those made before this read."""

    id: str
    url: str
    body: bytes
    signer: Signer | None
    attempts: int


def create(
    session: Session, *, delivery_id: str, url: str, body: bytes, signer: Signer | None, owner: str
) -> None:
    session.add(
        WebhookDelivery(
            id=delivery_id,
            url=url,
            body=body.decode(),
            secret_owner=signer.table if signer else None,
            secret_owner_id=signer.id if signer else None,
            owner=owner,
        )
    )


def _heads() -> Select[tuple[int]]:
    """The seq of the oldest pending row of each URL."""
    return (
        select(func.min(WebhookDelivery.seq))
        .where(WebhookDelivery.state == DeliveryState.pending)
        .group_by(WebhookDelivery.url)
    )


def ready(session: Session, *, now: datetime, limit: int) -> list[Pending]:
    """URL heads due now and not in flight under a live lease, the longest-waiting first."""
    rows = session.scalars(
        select(WebhookDelivery)
        .where(
            WebhookDelivery.seq.in_(_heads()),
            WebhookDelivery.next_attempt_at <= now,
            or_(WebhookDelivery.lease_expires_at.is_(None), WebhookDelivery.lease_expires_at <= now),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.seq)
        .limit(limit)
    )
    return [_pending(row) for row in rows]


def next_ready_at(session: Session) -> datetime | None:
    """When the next URL head becomes claimable: its retry time, or its lease's end while in flight (a row
    is claimed only once due, so a leased row's retry time is already past)."""
    return session.scalar(
        select(
            func.min(func.coalesce(WebhookDelivery.lease_expires_at, WebhookDelivery.next_attempt_at))
        ).where(WebhookDelivery.seq.in_(_heads()))
    )


def claim(session: Session, pending: Pending, *, owner: str, now: datetime, lease_until: datetime) -> bool:
    """Take the next attempt at `pending` under a lease; False if another process got there first."""
    result = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == pending.id,
            WebhookDelivery.state == DeliveryState.pending,
            WebhookDelivery.attempts == pending.attempts,
            or_(WebhookDelivery.lease_expires_at.is_(None), WebhookDelivery.lease_expires_at <= now),
        )
        .values(attempts=pending.attempts + 1, owner=owner, lease_expires_at=lease_until)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def secret_of(session: Session, signer: Signer) -> str | None:
    """The signer's current secret (None: it has none, so the delivery goes unsigned)."""
    key, secret = _SECRET_COLUMNS[signer.table]
    row = session.execute(select(secret).where(key == signer.id)).first()
    if row is None:
        raise SignerGone(f"its {signer.table[:-1]} {signer.id} no longer exists, so it is not sent unsigned")
    return row[0]


def delivered(session: Session, *, delivery_id: str, owner: str) -> None:
    """Delivered rows are deleted at once: the log records the delivery, and the table stays small."""
    session.execute(
        delete(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.owner == owner)
        .execution_options(synchronize_session=False)
    )


def retry_at(session: Session, *, delivery_id: str, owner: str, at: datetime, error: str) -> None:
    _settle(session, delivery_id, owner, next_attempt_at=at, last_error=error)


def fail(session: Session, *, delivery_id: str, owner: str, error: str) -> None:
    _settle(session, delivery_id, owner, state=DeliveryState.failed, last_error=error)


def _settle(session: Session, delivery_id: str, owner: str, **values: object) -> None:
    # Only while still ours: once our lease ran out, whoever claimed the row since decides its fate.
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.owner == owner)
        .values(lease_expires_at=None, **values)
        .execution_options(synchronize_session=False)
    )


def count_held(session: Session, *, owner: str) -> int:
    """Pending rows `owner` sent or last tried: what a closing sender still answers for."""
    return (
        session.scalar(
            select(func.count())
            .select_from(WebhookDelivery)
            .where(WebhookDelivery.owner == owner, WebhookDelivery.state == DeliveryState.pending)
        )
        or 0
    )


def _pending(row: WebhookDelivery) -> Pending:
    signer = None
    if row.secret_owner and row.secret_owner_id:
        signer = Signer(cast(SecretOwner, row.secret_owner), row.secret_owner_id)
    return Pending(id=row.id, url=row.url, body=row.body.encode(), signer=signer, attempts=row.attempts)
