"""Job status webhooks: every change is POSTed, in order, signed when the app has a secret, and a server
killed with webhooks still queued delivers them after it restarts."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from parley.accounts import service as accounts
from parley.db import session_scope
from parley.models import DeliveryState, WebhookDelivery
from parley.notify.webhooks import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from tests.conftest import Api, parley_env, start_server, stop_server, token_for
from tests.notify.hook_receiver import Received, running
from tests.scale_support import free_port, wait_until

STATUSES = ["scheduled", "in_progress", "completed"]


def _signed(request: Received, secret: str) -> bool:
    headers = request.headers
    return verify(request.body, secret, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER])


def test_every_status_change_is_posted_and_signed(api: Api) -> None:
    with api.runtime.session() as session:
        credentials = accounts.create(session, name="signed", webhook_secret="hook-secret")
    headers = {"x-api-key": token_for(api.client, credentials.app_id, credentials.app_secret)}
    with running() as receiver:
        body = {"messages": [{"payload": {"content": "Hello."}}], "webhookUrl": receiver.url("/hook")}
        job_id = api.client.post("/v1/process/text", json=body, headers=headers).json()["jobId"]
        received = receiver.wait_for(3, timeout=20)

    assert [request.payload for request in received] == [{"jobId": job_id, "status": s} for s in STATUSES]
    assert len({request.headers[DELIVERY_HEADER] for request in received}) == 3
    assert all(_signed(request, "hook-secret") for request in received)


def _outbox(database_url: str) -> list[WebhookDelivery]:
    with session_scope(database_url) as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.seq)))


def _waiting_for_retry(database_url: str) -> bool:
    """All three webhooks queued, the first refused at least once and not in flight right now."""
    rows = _outbox(database_url)
    return len(rows) == 3 and rows[0].attempts >= 1 and rows[0].lease_expires_at is None


def test_a_killed_server_delivers_its_queued_webhooks_in_order_after_restart(tmp_path: Path) -> None:
    port = free_port()  # the receiver is down until the server has been killed
    database_url = f"sqlite:///{tmp_path / 'parley.db'}"
    # Enough attempts that the first webhook is still being retried however long the job takes here.
    env = parley_env(tmp_path / "data", database_url, PARLEY_WEBHOOK_MAX_ATTEMPTS="30")
    server = start_server(env, tmp_path / "server.log")
    try:
        with session_scope(database_url) as session:
            credentials = accounts.create(session, name="hooks", webhook_secret="hook-secret")
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            token = token_for(client, credentials.app_id, credentials.app_secret)
            body = {
                "messages": [{"payload": {"content": "Hello."}}],
                "webhookUrl": f"http://127.0.0.1:{port}/h",
            }
            job_id = client.post("/v1/process/text", json=body, headers={"x-api-key": token}).json()["jobId"]
            wait_until(
                lambda: (
                    client.get(f"/v1/job/{job_id}", headers={"x-api-key": token}).json()["status"]
                    == "completed"
                ),
                "the job",
                timeout=120,
            )
        wait_until(lambda: _waiting_for_retry(database_url), "the first webhook's retry", timeout=60)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        queued = _outbox(database_url)
        assert [row.state for row in queued] == [DeliveryState.pending] * 3

        with running(port) as receiver:
            server = start_server(env, tmp_path / "server.log")
            receiver.wait_for(3, timeout=120)
            time.sleep(0.5)  # room for a duplicate to show up
            received = list(receiver.received)
    finally:
        stop_server(server)

    # The kill landed between refused attempts, never mid-request, so each delivery arrives exactly once.
    assert [request.headers[DELIVERY_HEADER] for request in received] == [row.id for row in queued]
    assert [request.payload for request in received] == [{"jobId": job_id, "status": s} for s in STATUSES]
    assert [request.status for request in received] == [200] * 3
    assert all(_signed(request, "hook-secret") for request in received)
    assert _outbox(database_url) == []
