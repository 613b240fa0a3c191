"""Sending mail over SMTP, configured by one URL (`PARLEY_SMTP_URL`).

    smtp://host[:port]                    plain (port 25)
    smtp://host[:port]?starttls=true      upgraded with STARTTLS (port 587)
    smtps://host[:port]                   TLS from the first byte (port 465)

User name and password go in the URL's user part (`smtp://user:pass@host`), percent-encoded.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

_TRUE = {"1", "true", "yes", "on"}


class MailError(RuntimeError):
    """The mail could not be handed to the SMTP server; str() says why."""


def send_mail(
    smtp_url: str, *, sender: str, to: list[str], subject: str, text: str, timeout: float = 30.0
) -> None:
    parts = urlsplit(smtp_url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailError(f"PARLEY_SMTP_URL must be smtp://host or smtps://host, not {smtp_url!r}")
    options = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, ", ".join(to), subject
    message.set_content(text)
    context = ssl.create_default_context()
    try:
        if parts.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                parts.hostname, parts.port or 465, timeout=timeout, context=context
            )
        else:
            client = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=timeout)
        with client:
            if parts.scheme == "smtp" and options.get("starttls") in _TRUE:
                client.starttls(context=context)
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"could not send mail through {parts.hostname}: {error}") from error
