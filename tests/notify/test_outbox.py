"""The outbox: a webhook queued in one process survives it, and processes sharing a database deliver each
row once, in order per URL. Each WebhookSender stands for one process (its own owner name); the kill
mid-request uses a real child process, and tests/test_webhooks.py kills a real `parley serve`."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import hook_receiver
import pytest
from hook_receiver import Received, Receiver
from sqlalchemy import delete, select
from tests.scale_support import free_port, wait_until

from parley.db import session_scope
from parley.models import App, DeliveryState, WebhookDelivery
from parley.notify.webhooks import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Signer,
    WebhookSender,
    verify,
)


@pytest.fixture
def senders() -> Iterator[list[WebhookSender]]:
    """Senders a test made, closed at its end."""
    made: list[WebhookSender] = []
    yield made
    for sender in made:
        sender.close(timeout=5)


def new_sender(made: list[WebhookSender], url: str, **options: Any) -> WebhookSender:
    made.append(WebhookSender(url, **({"allow_private": True, "poll_seconds": 0.2} | options)))
    return made[-1]


def rows(url: str) -> list[WebhookDelivery]:
    with session_scope(url) as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.seq)))


def delivered_in_order(received: list[Received]) -> list[tuple[str, Any]]:
    """(delivery id, payload) of each delivery the receiver accepted, in the order it accepted them."""
    return [(r.headers[DELIVERY_HEADER], r.payload) for r in received if r.status == 200]


def test_a_receiver_down_at_first_gets_every_webhook_in_order_once_it_is_up(
    outbox_url: str, senders: list[WebhookSender]
) -> None:
    port = free_port()
    sender = new_sender(senders, outbox_url, base_delay=0.05, max_delay=0.2, max_attempts=100)
    url = f"http://127.0.0.1:{port}/hook"
    ids = [sender.send(url, {"status": status}) for status in ("scheduled", "in_progress", "completed")]
    wait_until(lambda: rows(outbox_url)[0].attempts >= 3, "three refused attempts")
    assert [row.attempts for row in rows(outbox_url)][1:] == [0, 0]  # held behind the first

    with hook_receiver.running(port) as receiver:
        received = receiver.wait_for(3)

    assert delivered_in_order(received) == [
        (ids[0], {"status": "scheduled"}),
        (ids[1], {"status": "in_progress"}),
        (ids[2], {"status": "completed"}),
    ]
    assert len(received) == 3
    assert rows(outbox_url) == []


def test_close_leaves_what_it_could_not_deliver_to_the_next_process(
    receiver: Receiver, outbox_url: str, senders: list[WebhookSender], logs: pytest.LogCaptureFixture
) -> None:
    receiver.script["/hook"] = [500]
    first = new_sender(senders, outbox_url, base_delay=1.0)
    delivery_id = first.send(receiver.url("/hook"), {"jobId": "j1", "status": "completed"})
    started = time.monotonic()

    first.close(timeout=0.3)

    assert time.monotonic() - started < 1
    assert "closed with 1 deliveries not made yet; they stay in the outbox" in logs.text
    with pytest.raises(RuntimeError, match="closed"):
        first.send(receiver.url("/hook"), {"jobId": "j1", "status": "completed"})
    [row] = rows(outbox_url)
    assert (row.state, row.attempts, row.last_error, row.lease_expires_at) == ("pending", 1, "HTTP 500", None)

    new_sender(senders, outbox_url).start()  # the next process to run
    received = receiver.wait_for(2)

    assert [(r.headers[DELIVERY_HEADER], r.status) for r in received] == [
        (delivery_id, 500),
        (delivery_id, 200),
    ]
    assert received[1].at - received[0].at >= 1.0  # the retry waited for its back-off, restart or not
    wait_until(lambda: rows(outbox_url) == [], "the delivered row to be deleted")


def test_a_later_webhook_from_another_process_waits_for_the_earlier_ones_retry(
    receiver: Receiver, outbox_url: str, senders: list[WebhookSender]
) -> None:
    receiver.script["/hook"] = [503]
    api = new_sender(senders, outbox_url, base_delay=0.4)
    worker = new_sender(senders, outbox_url, base_delay=0.4)

    api.send(receiver.url("/hook"), {"status": "scheduled"})
    receiver.wait_for(1)
    worker.send(receiver.url("/hook"), {"status": "in_progress"})
    received = receiver.wait_for(3)

    assert [(r.payload["status"], r.status) for r in received] == [
        ("scheduled", 503),
        ("scheduled", 200),
        ("in_progress", 200),
    ]


def test_processes_sharing_a_database_deliver_each_webhook_once_in_order_per_url(
    receiver: Receiver, shared_outbox_url: str, senders: list[WebhookSender]
) -> None:
    receiver.script = {"/a": [503, 503], "/b": [500], "/c": [429]}
    processes = [new_sender(senders, shared_outbox_url, base_delay=0.05, timeout=5) for _ in range(3)]
    sent: dict[str, list[str]] = defaultdict(list)
    for n in range(12):
        path = f"/{'abc'[n % 3]}"
        sent[path].append(processes[n % 2].send(receiver.url(path), {"n": n}))

    received = receiver.wait_for(12 + 4, timeout=30)
    for sender in processes:
        sender.close(timeout=10)

    by_path: dict[str, list[str]] = defaultdict(list)
    for r in received:
        if r.status == 200:
            by_path[r.path].append(r.headers[DELIVERY_HEADER])
    assert by_path == sent  # each delivery once, in the order sent, per URL
    assert len(received) == 16  # 12 deliveries and the 4 scripted failures, no duplicate
    assert rows(shared_outbox_url) == []


def test_a_delivery_cut_off_by_a_killed_process_is_retried_once_its_lease_runs_out(
    receiver: Receiver, outbox_url: str, senders: list[WebhookSender]
) -> None:
    receiver.delay_s = 3.0  # the first attempt is still in flight when its process is killed
    child = (
        "import sys, time\n"
        "from parley.notify.webhooks import WebhookSender\n"
        "sender = WebhookSender(sys.argv[1], allow_private=True, lease_seconds=2.0)\n"
        "print(sender.send(sys.argv[2], {'jobId': 'j1', 'status': 'completed'}), flush=True)\n"
        "time.sleep(60)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", child, outbox_url, receiver.url("/hook")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        delivery_id = process.stdout.readline().strip()
        wait_until(lambda: rows(outbox_url)[0].lease_expires_at is not None, "the child's attempt")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    [row] = rows(outbox_url)
    assert (row.id, row.attempts) == (delivery_id, 1)
    receiver.delay_s = 0.0

    new_sender(senders, outbox_url).start()
    wait_until(lambda: rows(outbox_url) == [], "the retry after the lease ran out", timeout=15)

    assert {r.headers[DELIVERY_HEADER] for r in receiver.received} == {delivery_id}
    assert len(receiver.received) in (1, 2)  # the cut-off attempt may have reached the receiver first


def test_each_attempt_is_signed_with_the_secret_current_then(
    receiver: Receiver, outbox_url: str, app_signer: Signer, senders: list[WebhookSender]
) -> None:
    receiver.script["/hook"] = [503]
    sender = new_sender(senders, outbox_url, base_delay=0.5)
    sender.send(receiver.url("/hook"), {"jobId": "j1", "status": "completed"}, signer=app_signer)
    receiver.wait_for(1)
    with session_scope(outbox_url) as session:
        session.get_one(App, app_signer.id).webhook_secret = "rotated"
    first, second = receiver.wait_for(2)

    def signed_with(request: Received, secret: str) -> bool:
        headers = request.headers
        return verify(request.body, secret, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER])

    assert signed_with(first, "s3cret") and not signed_with(first, "rotated")
    assert signed_with(second, "rotated")


def test_an_app_without_a_secret_gets_unsigned_webhooks_and_a_deleted_one_none(
    receiver: Receiver,
    outbox_url: str,
    app_signer: Signer,
    senders: list[WebhookSender],
    logs: pytest.LogCaptureFixture,
) -> None:
    with session_scope(outbox_url) as session:
        session.get_one(App, app_signer.id).webhook_secret = None
    sender = new_sender(senders, outbox_url)
    sender.send(receiver.url("/unsigned"), {"n": 1}, signer=app_signer)
    [unsigned] = receiver.wait_for(1)
    assert SIGNATURE_HEADER not in unsigned.headers
    with session_scope(outbox_url) as session:
        session.execute(delete(App).where(App.id == app_signer.id))

    sender.send(receiver.url("/gone"), {"n": 2}, signer=app_signer)
    sender.close(timeout=5)

    assert [r.path for r in receiver.received] == ["/unsigned"]
    [row] = rows(outbox_url)
    assert row.state == DeliveryState.failed
    assert row.last_error == f"its app {app_signer.id} no longer exists, so it is not sent unsigned"
    assert "dropping webhook to http://127.0.0.1" in logs.text
