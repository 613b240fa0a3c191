"""How each delivery goes over HTTP: signed, retried with back-off, in order per URL, refused URLs dropped.

Durability (the outbox across processes and restarts) is tested in test_outbox.py."""

from __future__ import annotations

import itertools
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hook_receiver import Receiver

from parley.db import session_scope
from parley.models import DeliveryState, WebhookDelivery
from parley.notify.webhooks import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Signer,
    WebhookSender,
    sign,
    verify,
)

BODY = b'{"jobId":"j1","status":"completed"}'
# printf '1700000000.{"jobId":"j1","status":"completed"}' | openssl dgst -sha256 -hmac s3cret
KNOWN_SIGNATURE = "7bc64d8e000a0e5c15fe9c8a9a75de4820856f13c6d9b9c5e99921f1a63635e3"


@pytest.fixture
def make_sender(outbox_url: str) -> Iterator[Any]:
    """Senders on this test's outbox, closed at the end."""
    made: list[WebhookSender] = []

    def make(**options: Any) -> WebhookSender:
        made.append(WebhookSender(outbox_url, **({"allow_private": True} | options)))
        return made[-1]

    yield make
    for sender in made:
        sender.close(timeout=5)


@pytest.fixture
def sender(make_sender: Any) -> WebhookSender:
    return make_sender(base_delay=0.01, max_delay=0.05, timeout=2)


def outbox_rows(url: str) -> list[WebhookDelivery]:
    with session_scope(url) as session:
        return list(session.query(WebhookDelivery).order_by(WebhookDelivery.seq))


def test_sign_matches_an_independent_hmac() -> None:
    assert sign(BODY, "s3cret", 1700000000) == KNOWN_SIGNATURE


def test_verify_accepts_only_the_right_signature() -> None:
    assert verify(BODY, "s3cret", 1700000000, KNOWN_SIGNATURE)
    assert verify(BODY, "s3cret", "1700000000", f"sha256={KNOWN_SIGNATURE}")
    assert not verify(BODY, "other", 1700000000, KNOWN_SIGNATURE)
    assert not verify(BODY.replace(b"j1", b"j2"), "s3cret", 1700000000, KNOWN_SIGNATURE)
    assert not verify(BODY, "s3cret", 1700000001, KNOWN_SIGNATURE)
    assert not verify(BODY, "s3cret", 1700000000, "sha256=é")


def test_delivers_signed_json_and_deletes_the_row(
    receiver: Receiver, sender: WebhookSender, app_signer: Signer, outbox_url: str
) -> None:
    delivery_id = sender.send(
        receiver.url("/hook?token=t"), {"jobId": "j1", "status": "completed"}, signer=app_signer
    )
    sender.close(timeout=5)

    [request] = receiver.received
    assert request.path == "/hook?token=t"
    assert request.payload == {"jobId": "j1", "status": "completed"}
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers[SIGNATURE_HEADER].startswith("sha256=")
    assert abs(int(request.headers[TIMESTAMP_HEADER]) - time.time()) < 5
    assert request.headers[DELIVERY_HEADER] == delivery_id
    assert verify(
        request.body, "s3cret", request.headers[TIMESTAMP_HEADER], request.headers[SIGNATURE_HEADER]
    )
    assert outbox_rows(outbox_url) == []  # delivered rows are deleted at once


def test_without_a_secret_nothing_is_signed(receiver: Receiver, sender: WebhookSender) -> None:
    sender.send(receiver.url("/hook"), {"jobId": "j1", "status": "scheduled"})
    sender.close(timeout=5)

    [request] = receiver.received
    assert SIGNATURE_HEADER not in request.headers
    assert TIMESTAMP_HEADER not in request.headers
    assert request.headers[DELIVERY_HEADER]


def test_send_returns_before_delivery(receiver: Receiver, sender: WebhookSender) -> None:
    receiver.delay_s = 0.3
    started = time.monotonic()

    sender.send(receiver.url("/hook"), {"jobId": "j1", "status": "scheduled"})

    assert time.monotonic() - started < 0.1
    sender.close(timeout=5)
    assert len(receiver.received) == 1


def test_statuses_arrive_in_order_even_when_one_is_retried(receiver: Receiver, sender: WebhookSender) -> None:
    receiver.script["/hook"] = [500]  # the first delivery fails once

    for status in ("scheduled", "in_progress", "completed"):
        sender.send(receiver.url("/hook"), {"jobId": "j1", "status": status})
    sender.close(timeout=5)

    assert [(r.payload["status"], r.status) for r in receiver.received] == [
        ("scheduled", 500),
        ("scheduled", 200),
        ("in_progress", 200),
        ("completed", 200),
    ]


def test_retries_server_errors_until_delivered(
    receiver: Receiver, sender: WebhookSender, app_signer: Signer, logs: pytest.LogCaptureFixture
) -> None:
    receiver.script["/hook"] = [500, 503, 429]

    sender.send(receiver.url("/hook"), {"jobId": "j1", "status": "completed"}, signer=app_signer)
    sender.close(timeout=5)

    assert [r.status for r in receiver.received] == [500, 503, 429, 200]
    assert len({r.headers[DELIVERY_HEADER] for r in receiver.received}) == 1  # one delivery, four attempts
    assert all(
        verify(r.body, "s3cret", r.headers[TIMESTAMP_HEADER], r.headers[SIGNATURE_HEADER])
        for r in receiver.received
    )
    assert "retrying" in logs.text


def test_backs_off_exponentially(receiver: Receiver, make_sender: Any) -> None:
    receiver.script["/hook"] = [500, 500, 500]
    sender = make_sender(base_delay=0.1, max_delay=0.3)

    sender.send(receiver.url("/hook"), {"jobId": "j1", "status": "completed"})
    sender.close(timeout=5)

    times = [r.at for r in receiver.received]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    # Never early; late only by scheduling noise. The third delay, 0.4 s, is capped at max_delay.
    assert len(gaps) == 3
    for gap, delay in zip(gaps, (0.1, 0.2, 0.3), strict=True):
        assert delay <= gap < delay + 0.09


def test_gives_up_after_max_attempts_and_keeps_the_row(
    receiver: Receiver, make_sender: Any, outbox_url: str, logs: pytest.LogCaptureFixture
) -> None:
    receiver.script["/hook"] = [503] * 10
    sender = make_sender(max_attempts=3, base_delay=0.01)

    delivery_id = sender.send(receiver.url("/hook"), {"jobId": "j1", "status": "completed"})
    sender.close(timeout=5)

    assert [r.status for r in receiver.received] == [503, 503, 503]
    assert "giving up on webhook to http://127.0.0.1" in logs.text
    assert "after 3 attempts: HTTP 503" in logs.text
    [row] = outbox_rows(outbox_url)
    assert (row.id, row.state, row.attempts) == (delivery_id, DeliveryState.failed, 3)
    assert row.last_error == "HTTP 503 (gave up after 3 attempts)"
    assert row.lease_expires_at is None


def test_client_errors_are_not_retried(
    receiver: Receiver, sender: WebhookSender, outbox_url: str, logs: pytest.LogCaptureFixture
) -> None:
    receiver.script["/hook"] = [400]

    sender.send(receiver.url("/hook"), {"jobId": "j1", "status": "completed"})
    sender.close(timeout=5)

    assert [r.status for r in receiver.received] == [400]
    assert "answered HTTP 400; not retrying" in logs.text
    assert [(row.state, row.last_error) for row in outbox_rows(outbox_url)] == [
        (DeliveryState.failed, "HTTP 400; not retried")
    ]


def test_connection_errors_are_retried(make_sender: Any, logs: pytest.LogCaptureFixture) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    sender = make_sender(max_attempts=3, base_delay=0.01)

    sender.send(url, {"jobId": "j1", "status": "completed"})
    sender.close(timeout=5)

    assert logs.text.count("retrying in") == 2
    assert "after 3 attempts" in logs.text


def test_a_url_in_back_off_does_not_hold_back_others(receiver: Receiver, make_sender: Any) -> None:
    receiver.script["/down"] = [503]
    sender = make_sender(base_delay=0.3)

    sender.send(receiver.url("/down"), {"jobId": "j1", "status": "completed"})
    sender.send(receiver.url("/up"), {"jobId": "j2", "status": "completed"})
    sender.close(timeout=5)

    assert [(r.path, r.status) for r in receiver.received] == [("/down", 503), ("/up", 200), ("/down", 200)]


def test_refused_urls_are_logged_and_dropped(
    receiver: Receiver, make_sender: Any, logs: pytest.LogCaptureFixture
) -> None:
    def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    sender = make_sender(allow_private=False, allow_hosts={"hooks.example.test"}, resolve=resolve)

    sender.send(receiver.url("/private?token=secret"), {"jobId": "j1", "status": "completed"})
    sender.send(f"http://hooks.example.test:{receiver.port}/trusted", {"jobId": "j1", "status": "completed"})
    sender.close(timeout=5)

    assert [r.path for r in receiver.received] == ["/trusted"]
    assert (
        f"dropping webhook to http://127.0.0.1:{receiver.port}/private: 127.0.0.1 is a loopback" in logs.text
    )
    assert "token=secret" not in logs.text
    assert "retrying" not in logs.text
