"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every mail it accepts, for the e-mail tests."""

from __future__ import annotations

import email
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from tests.conftest import free_port


@dataclass
class Mailbox:
    port: int = 0
    messages: list[Message] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@contextmanager
def smtp_server(**tls: Any) -> Iterator[Mailbox]:
    """A running server; `tls` takes aiosmtpd's `tls_context`/`require_starttls` or `ssl_context`."""
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port, **tls)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
