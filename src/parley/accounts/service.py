"""Apps: the Symbl-style accounts that own conversations, jobs and trackers."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from parley.accounts.secrets import hash_secret, secret_matches
from parley.models import App


@dataclass(frozen=True)
class AppCredentials:
    app_id: str
    app_secret: str


def create(session: Session, *, name: str, webhook_secret: str | None = None) -> AppCredentials:
    credentials = AppCredentials(app_id=secrets.token_hex(16), app_secret=secrets.token_urlsafe(32))
    session.add(
        App(
            id=credentials.app_id,
            name=name,
            secret_hash=hash_secret(credentials.app_secret),
            webhook_secret=webhook_secret,
        )
    )
    session.flush()
    return credentials


def get(session: Session, *, app_id: str) -> App | None:
    return session.get(App, app_id)


def get_all(session: Session) -> list[App]:
    return list(session.scalars(select(App).order_by(App.created_at)))


def authenticate(session: Session, *, app_id: str, app_secret: str) -> App | None:
    app = session.get(App, app_id)
    if app is None or not secret_matches(app_secret, app.secret_hash):
        return None
    return app
