"""Telling the outside world about jobs: webhooks."""

from parley.notify.webhooks import WebhookSender, sign, verify

__all__ = ["WebhookSender", "sign", "verify"]
