"""Deliver job-status webhooks in the background: in order per URL, signed, retried with back-off.

Symbl posts ``{"jobId": ..., "status": ...}`` to a job's ``webhookUrl`` on every status change, and a
receiver must see ``scheduled`` before ``in_progress`` before ``completed``. So deliveries to one URL go out
one at a time in the order they were sent, and one waiting to be retried holds back those after it; other
URLs do not wait for its back-off. All of them share one daemon thread, which makes one request at a time.

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
import threading
import time
import uuid
from collections import deque
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from parley import __version__
from parley.net.guard import GuardedTransport, Resolver, UnsafeURLError, resolve_host

__all__ = [
    "DELIVERY_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WebhookSender",
    "sign",
    "verify",
]

logger = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Parley-Timestamp"
SIGNATURE_HEADER = "X-Parley-Signature"
DELIVERY_HEADER = "X-Parley-Delivery"


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


@dataclass(slots=True)
class _Delivery:
    url: str
    body: bytes
    secret: str | None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    attempts: int = 0


class WebhookSender:
    """Sends webhooks from one background thread, started on the first :meth:`send`.

    Connection errors, timeouts, 5xx and 429 are retried after `base_delay` doubled per attempt, capped at
    `max_delay` (a 429's Retry-After is honoured up to that cap), until `max_attempts` attempts were made.
    Other answers are final. Every attempt checks the URL with parley.net.guard (see there for
    `allow_private`, `allow_hosts` and `resolve`); a refused URL is logged and dropped. `timeout` bounds
    each attempt.
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        max_attempts: int = 6,
        base_delay: float = 0.5,
        max_delay: float = 60.0,
        timeout: float = 10.0,
        allow_hosts: Collection[str] = frozenset(),
        resolve: Resolver = resolve_host,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._transport = GuardedTransport(
            allow_private=allow_private, allow_hosts=allow_hosts, resolve=resolve
        )
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._timeout = timeout
        self._cond = threading.Condition()
        # Per URL: deliveries in the order sent; the head is the one being tried, due at _due[url].
        self._queues: dict[str, deque[_Delivery]] = {}
        self._due: dict[str, float] = {}
        self._thread: threading.Thread | None = None
        self._closing = False

    def send(self, url: str, payload: Mapping[str, Any], *, secret: str | None = None) -> None:
        """Queue a POST of `payload` as JSON to `url` and return at once."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        with self._cond:
            if self._closing:
                raise RuntimeError("this WebhookSender is closed")
            queue = self._queues.setdefault(url, deque())
            if not queue:
                self._due[url] = time.monotonic()
            queue.append(_Delivery(url, body, secret))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="parley-webhooks", daemon=True)
                self._thread.start()
            self._cond.notify()

    def close(self, timeout: float | None = None) -> None:
        """Stop accepting webhooks and wait up to `timeout` seconds (None: no limit) for queued ones.

        Deliveries still queued then, retries included, are dropped with a warning.
        """
        with self._cond:
            self._closing = True
            self._cond.notify()
            thread = self._thread
        if thread is None:
            return
        thread.join(timeout)
        if not thread.is_alive():
            return
        with self._cond:
            dropped = sum(len(queue) for queue in self._queues.values())
            self._queues.clear()
            self._due.clear()
            self._cond.notify()
        logger.warning("webhook sender closed with %d deliveries not made", dropped)

    def _run(self) -> None:
        headers = {"User-Agent": f"Parley/{__version__}", "Content-Type": "application/json"}
        with httpx.Client(
            transport=self._transport, headers=headers, timeout=self._timeout, trust_env=False
        ) as client:
            while (delivery := self._next()) is not None:
                try:
                    retry_in = self._attempt(client, delivery)
                except Exception:  # a bug here must not stop every later webhook
                    logger.exception("webhook to %s failed unexpectedly; dropping it", _for_log(delivery.url))
                    retry_in = None
                self._finish(delivery, retry_in)

    def _next(self) -> _Delivery | None:
        """Wait for the head delivery that is due soonest; None once closing and nothing is left."""
        with self._cond:
            while True:
                if not self._queues:
                    if self._closing:
                        return None
                    self._cond.wait()
                    continue
                url = min(self._due, key=self._due.__getitem__)
                wait = self._due[url] - time.monotonic()
                if wait <= 0:
                    return self._queues[url][0]
                self._cond.wait(wait)

    def _attempt(self, client: httpx.Client, delivery: _Delivery) -> float | None:
        """Make one attempt; return the delay before the next one, or None when this delivery is done."""
        delivery.attempts += 1
        url = _for_log(delivery.url)
        headers = {DELIVERY_HEADER: delivery.id}
        if delivery.secret is not None:
            timestamp = int(time.time())
            headers[TIMESTAMP_HEADER] = str(timestamp)
            headers[SIGNATURE_HEADER] = f"sha256={sign(delivery.body, delivery.secret, timestamp)}"

        try:
            # Streamed and never read: whatever a receiver answers with, it cannot make us buffer it.
            with client.stream("POST", delivery.url, content=delivery.body, headers=headers) as response:
                status, retry_after = response.status_code, _retry_after(response)
        except UnsafeURLError as exc:  # its message would repeat the full URL, query included
            logger.warning("dropping webhook to %s: %s", url, exc.reason)
            return None
        except httpx.InvalidURL as exc:
            logger.warning("dropping webhook to %s: %s", url, exc)
            return None
        except httpx.TransportError as exc:
            failure, retry_after = str(exc) or type(exc).__name__, None
        else:
            if 200 <= status < 300:
                logger.debug("webhook to %s delivered (HTTP %d)", url, status)
                return None
            if status != 429 and status < 500:
                logger.warning("webhook to %s answered HTTP %d; not retrying", url, status)
                return None
            failure = f"HTTP {status}"

        if delivery.attempts >= self._max_attempts:
            logger.error("giving up on webhook to %s after %d attempts: %s", url, delivery.attempts, failure)
            return None
        delay = self._base_delay * 2 ** (delivery.attempts - 1)
        if retry_after is not None:
            delay = max(delay, retry_after)
        delay = min(delay, self._max_delay)
        logger.info("webhook to %s failed (%s); retrying in %.1f s", url, failure, delay)
        return delay

    def _finish(self, delivery: _Delivery, retry_in: float | None) -> None:
        with self._cond:
            queue = self._queues.get(delivery.url)
            if not queue or queue[0] is not delivery:  # dropped by close() while in flight
                return
            if retry_in is not None:
                self._due[delivery.url] = time.monotonic() + retry_in
                return
            queue.popleft()
            if queue:
                self._due[delivery.url] = time.monotonic()
            else:
                del self._queues[delivery.url]
                del self._due[delivery.url]


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
