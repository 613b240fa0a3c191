"""Deliver webhooks from the database outbox: durable, in order per URL, signed, retried with back-off.

Symbl posts ``{"jobId": ..., "status": ...}`` to a job's ``webhookUrl`` on every status change, and a
receiver must see ``scheduled`` before ``in_progress`` before ``completed``, even when the API process
sends the first and a worker process the others. So :meth:`WebhookSender.send` commits a row to the
outbox (`parley.notify.outbox`) before it returns, and every process's sender thread delivers from that
one table: the oldest pending row of a URL first, one attempt in flight per URL, and a row waiting for a
retry holds back the later rows of its URL only. Each process makes one request at a time.

A delivered row is deleted at once, with no retention period: the outbox holds only work left and
failures. A row given up on (refused URL, signer deleted, a 4xx answer, or `max_attempts` failures) stays
as ``failed`` with its last error, which is also logged. A process killed with rows queued or waiting for
a retry loses nothing: a retry's row holds no lease, so any running sender takes it when due, and every
sender starts by taking what is due. A lease (`lease_seconds`) covers only an attempt in flight, so a
process killed mid-request leaves a row that is tried again once the lease runs out; the receiver may
then see that delivery twice. A job's `scheduled`, `completed` and `failed` queue their webhook in the
transaction that stores the status (:meth:`WebhookSender.queue`), so the two land together or not at all.
A Claap recording's state webhook is queued in the transaction that marks that state announced.
`in_progress` and the room events are committed in their own transaction just after the step they report:
a process killed in those few milliseconds loses that one (a job's in_progress is sent again when its next
attempt starts).

With a secret, each request carries ``X-Parley-Timestamp: <unix seconds>`` and ``X-Parley-Signature:
sha256=<hex HMAC-SHA256 of "<timestamp>." + body>``, made afresh for every attempt. Receivers check it with
:func:`verify` and should also reject timestamps more than a few minutes old. ``X-Parley-Delivery`` is the
same on every attempt of one delivery, so a receiver can drop a retry it already processed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from parley import __version__
from parley.db import session_scope
from parley.models import utcnow
from parley.net.guard import GuardedTransport, Resolver, UnsafeURLError, resolve_host
from parley.notify import outbox
from parley.notify.outbox import Pending, Signer, SignerGone

__all__ = [
    "DELIVERY_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Signer",
    "WebhookSender",
    "sign",
    "verify",
]

logger = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Parley-Timestamp"
SIGNATURE_HEADER = "X-Parley-Signature"
DELIVERY_HEADER = "X-Parley-Delivery"
_BATCH = 50  # due rows read at once; each is still claimed on its own


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The hex HMAC-SHA256 of ``f"{timestamp}."`` followed by `body`, keyed with `secret`."""
    return _digest(body, secret, str(timestamp))


def verify(body: bytes, secret: str, timestamp: int | str, signature: str) -> bool:
    """Whether `signature` (the header value, with or without ``sha256=``) signs `body` at `timestamp`.

    Pass the timestamp header exactly as received. The comparison takes the same time however many
    characters match.
    """
    expected = _digest(body, secret, str(timestamp))
    return hmac.compare_digest(expected.encode(), signature.removeprefix("sha256=").encode())


def _digest(body: bytes, secret: str, timestamp: str) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class _Outcome:
    """How one attempt ended: delivered (no error), to be retried after `retry_in` seconds, or failed."""

    error: str | None = None
    retry_in: float | None = None


class WebhookSender:
    """Sends the outbox's webhooks from one background thread, started by :meth:`start` or the first
    :meth:`send`. Long-lived processes call :meth:`start` at once, to deliver what stopped ones left.

    Connection errors, timeouts, 5xx and 429 are retried after `base_delay` doubled per attempt, capped at
    `max_delay` (a 429's Retry-After is honoured up to that cap), until `max_attempts` attempts were made.
    Other answers are final. Every attempt checks the URL with parley.net.guard (see there for
    `allow_private`, `allow_hosts` and `resolve`); a refused URL fails at once. `timeout` bounds each
    attempt's steps; `lease_seconds` must outlast a whole attempt. Rows other processes add wake this one
    within `poll_seconds`.
    """

    def __init__(
        self,
        database_url: str,
        *,
        allow_private: bool = False,
        max_attempts: int = 6,
        base_delay: float = 0.5,
        max_delay: float = 60.0,
        timeout: float = 10.0,
        allow_hosts: Collection[str] = frozenset(),
        resolve: Resolver = resolve_host,
        lease_seconds: float = 60.0,
        poll_seconds: float = 2.0,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._database_url = database_url
        self._transport = GuardedTransport(
            allow_private=allow_private, allow_hosts=allow_hosts, resolve=resolve
        )
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._timeout = timeout
        self._lease = timedelta(seconds=lease_seconds)
        self._poll = poll_seconds
        # Names this process in the outbox: its host and pid for people, a random tail for uniqueness.
        self.owner = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._cond = threading.Condition()
        self._woken = False  # set by send() and close(), so a wake-up between checks is not missed
        self._closing = False  # no more sends; the thread ends once this process's rows are done
        self._stopping = False  # the thread ends after the attempt in flight
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start delivering now: rows due in the outbox, whoever queued them, go out from this process."""
        with self._cond:
            if self._closing:
                raise RuntimeError("this WebhookSender is closed")
        self._ensure_thread()

    def send(self, url: str, payload: Mapping[str, Any], *, signer: Signer | None = None) -> str:
        """Commit a POST of `payload` as JSON to `url` to the outbox and return its delivery id at once.

        `signer` names whose webhook secret signs it (None: unsigned)."""
        with self._session() as session:
            delivery_id = self.queue(session, url, payload, signer=signer)
        self.deliver_soon()
        return delivery_id

    def queue(
        self, session: Session, url: str, payload: Mapping[str, Any], *, signer: Signer | None = None
    ) -> str:
        """Add the delivery to the outbox within the caller's transaction, so that it exists exactly when
        what it reports does; call :meth:`deliver_soon` once that commits (other processes' senders find
        it within `poll_seconds` regardless)."""
        with self._cond:
            if self._closing:
                raise RuntimeError("this WebhookSender is closed")
        body = json.dumps(payload, separators=(",", ":")).encode()
        delivery_id = uuid.uuid4().hex
        outbox.create(session, delivery_id=delivery_id, url=url, body=body, signer=signer, owner=self.owner)
        return delivery_id

    def deliver_soon(self) -> None:
        """Wake this process's sender for rows just committed."""
        self._ensure_thread()
        self._wake()

    def close(self, timeout: float | None = None) -> None:
        """Stop accepting webhooks and wait up to `timeout` seconds (None: no limit) for this process's.

        Those not delivered by then stay in the outbox for the next sender to run, retries included.
        """
        with self._cond:
            self._closing = True
            thread = self._thread
        self._wake()
        if thread is None:
            return
        thread.join(timeout)
        with self._cond:
            self._stopping = True
            self._cond.notify()
        try:
            with self._session() as session:
                left = outbox.count_held(session, owner=self.owner)
        except Exception:
            logger.exception("could not count the webhook deliveries left in the outbox")
            return
        if left:
            logger.warning(
                "webhook sender closed with %d deliveries not made yet; they stay in the outbox and go "
                "out from the next Parley process to run",
                left,
            )

    def _ensure_thread(self) -> None:
        with self._cond:
            if self._thread is None and not self._closing:  # closed meanwhile: the row waits for the next
                self._thread = threading.Thread(target=self._run, name="parley-webhooks", daemon=True)
                self._thread.start()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with session_scope(self._database_url) as session:
            yield session

    def _wake(self) -> None:
        with self._cond:
            self._woken = True
            self._cond.notify()

    def _sleep(self, seconds: float) -> None:
        with self._cond:
            if not self._woken and not self._stopping:
                self._cond.wait(seconds)
            self._woken = False

    def _run(self) -> None:
        headers = {"User-Agent": f"Parley/{__version__}", "Content-Type": "application/json"}
        with httpx.Client(
            transport=self._transport, headers=headers, timeout=self._timeout, trust_env=False
        ) as client:
            while not self._stopping:
                try:
                    worked = self._deliver_ready(client)
                    if self._closing and self._drained():
                        return
                    if not worked:
                        self._sleep(self._until_next())
                except Exception:  # the database is away, or a bug: keep this thread, try again later
                    logger.exception("webhook outbox unavailable; trying again in %.1f s", self._poll)
                    self._sleep(self._poll)

    def _deliver_ready(self, client: httpx.Client) -> bool:
        """Claim and attempt each due URL head in turn; whether there were any."""
        with self._session() as session:
            batch = outbox.ready(session, now=utcnow(), limit=_BATCH)
        for pending in batch:
            if self._stopping:
                break
            now = utcnow()
            with self._session() as session:
                claimed = outbox.claim(
                    session, pending, owner=self.owner, now=now, lease_until=now + self._lease
                )
            if claimed:
                self._settle(pending, self._attempt_safely(client, pending))
        return bool(batch)

    def _drained(self) -> bool:
        with self._session() as session:
            return outbox.count_held(session, owner=self.owner) == 0

    def _until_next(self) -> float:
        with self._session() as session:
            ready_at = outbox.next_ready_at(session)
        if ready_at is None:
            return self._poll
        return min(max((ready_at - utcnow()).total_seconds(), 0.005), self._poll)

    def _attempt_safely(self, client: httpx.Client, pending: Pending) -> _Outcome:
        try:
            return self._attempt(client, pending)
        except Exception as exc:  # a bug here must not stop every later webhook
            logger.exception("webhook to %s failed unexpectedly; giving up on it", _for_log(pending.url))
            return _Outcome(error=f"unexpected {type(exc).__name__}: {exc}")

    def _attempt(self, client: httpx.Client, pending: Pending) -> _Outcome:
        """Make one attempt (the `pending.attempts + 1`th) and say how it ended."""
        url = _for_log(pending.url)
        try:
            headers = self._headers(pending)
        except SignerGone as exc:
            logger.warning("dropping webhook to %s: %s", url, exc)
            return _Outcome(error=str(exc))
        except SQLAlchemyError as exc:
            return self._after_failure(pending, url, f"its secret could not be read: {exc}", None)
        try:
            # Streamed and never read: whatever a receiver answers with, it cannot make us buffer it.
            with client.stream("POST", pending.url, content=pending.body, headers=headers) as response:
                status, retry_after = response.status_code, _retry_after(response)
        except UnsafeURLError as exc:  # its message would repeat the full URL, query included
            logger.warning("dropping webhook to %s: %s", url, exc.reason)
            return _Outcome(error=f"refused: {exc.reason}")
        except httpx.InvalidURL as exc:
            logger.warning("dropping webhook to %s: %s", url, exc)
            return _Outcome(error=f"invalid URL: {exc}")
        except httpx.TransportError as exc:
            failure, retry_after = str(exc) or type(exc).__name__, None
        else:
            if 200 <= status < 300:
                logger.debug("webhook to %s delivered (HTTP %d)", url, status)
                return _Outcome()
            if status != 429 and status < 500:
                logger.warning("webhook to %s answered HTTP %d; not retrying", url, status)
                return _Outcome(error=f"HTTP {status}; not retried")
            failure = f"HTTP {status}"
        return self._after_failure(pending, url, failure, retry_after)

    def _headers(self, pending: Pending) -> dict[str, str]:
        headers = {DELIVERY_HEADER: pending.id}
        if pending.signer is None:
            return headers
        with self._session() as session:
            secret = outbox.secret_of(session, pending.signer)
        if secret is not None:
            timestamp = int(time.time())
            headers[TIMESTAMP_HEADER] = str(timestamp)
            headers[SIGNATURE_HEADER] = f"sha256={sign(pending.body, secret, timestamp)}"
        return headers

    def _after_failure(self, pending: Pending, url: str, failure: str, retry_after: float | None) -> _Outcome:
        attempts = pending.attempts + 1
        if attempts >= self._max_attempts:
            logger.error("giving up on webhook to %s after %d attempts: %s", url, attempts, failure)
            return _Outcome(error=f"{failure} (gave up after {attempts} attempts)")
        delay = self._base_delay * 2 ** (attempts - 1)
        if retry_after is not None:
            delay = max(delay, retry_after)
        delay = min(delay, self._max_delay)
        logger.info("webhook to %s failed (%s); retrying in %.1f s", url, failure, delay)
        return _Outcome(error=failure, retry_in=delay)

    def _settle(self, pending: Pending, outcome: _Outcome) -> None:
        with self._session() as session:
            if outcome.error is None:
                outbox.delivered(session, delivery_id=pending.id, owner=self.owner)
            elif outcome.retry_in is not None:
                at = utcnow() + timedelta(seconds=outcome.retry_in)
                outbox.retry_at(session, delivery_id=pending.id, owner=self.owner, at=at, error=outcome.error)
            else:
                outbox.fail(session, delivery_id=pending.id, owner=self.owner, error=outcome.error)


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds; the HTTP-date form is rare for webhooks and ignored."""
    try:
        seconds = float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None
    return seconds if seconds >= 0 else None


def _for_log(url: str) -> str:
    """The URL without user info, query or fragment, which often carry tokens."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return "<invalid URL>"
    return f"{parsed.scheme}://{parsed.netloc.decode('ascii')}{parsed.path}"
