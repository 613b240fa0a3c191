"""Telling the outside world about jobs: webhooks (durable, through the outbox) and e-mail."""

from parley.notify.webhooks import Signer, WebhookSender, sign, verify

__all__ = ["Signer", "WebhookSender", "sign", "verify"]
