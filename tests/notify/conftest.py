from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import hook_receiver
import pytest
from sqlalchemy import delete

from parley.accounts import service as accounts
from parley.db import migrate, session_scope
from parley.models import WebhookDelivery
from parley.notify.webhooks import Signer


@pytest.fixture
def receiver() -> Iterator[hook_receiver.Receiver]:
    with hook_receiver.running() as receiver:
        yield receiver


@pytest.fixture
def outbox_url(tmp_path: Path) -> str:
    """A migrated SQLite database of this test's own: the outbox senders deliver from."""
    url = f"sqlite:///{tmp_path / 'parley.db'}"
    migrate(url)
    return url


@pytest.fixture
def shared_outbox_url(database_url: str) -> str:
    """SQLite, then the session's PostgreSQL database, with the outbox emptied of earlier tests' rows."""
    migrate(database_url)
    with session_scope(database_url) as session:
        session.execute(delete(WebhookDelivery))
    return database_url


@pytest.fixture
def app_signer(outbox_url: str) -> Signer:
    """An app whose webhook secret is "s3cret"."""
    with session_scope(outbox_url) as session:
        credentials = accounts.create(session, name="hooks", webhook_secret="s3cret")
    return Signer.app(credentials.app_id)


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="parley.notify.webhooks")
    return caplog
