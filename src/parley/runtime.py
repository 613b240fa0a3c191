"""The long-lived parts one process shares: settings, the blob store, webhook delivery, the ASR engine."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from parley.config import Settings
from parley.db import migrate, session_scope
from parley.jobs import service as jobs
from parley.models import Job
from parley.notify.webhooks import WebhookSender
from parley.speech.transcriber import Transcriber, WhisperTranscriber
from parley.storage.blobs import BlobStore, LocalBlobStore

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    blobs: BlobStore
    webhooks: WebhookSender
    token_key: str  # read once: every request checks a token against it

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        settings.tmp_dir.mkdir(parents=True, exist_ok=True)
        migrate(settings.sqlalchemy_url)
        return cls(
            settings=settings,
            token_key=settings.token_secret(),
            blobs=LocalBlobStore(settings.media_dir),
            webhooks=WebhookSender(
                allow_private=settings.allow_private_urls, max_attempts=settings.webhook_max_attempts
            ),
        )

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.settings.sqlalchemy_url) as session:
            yield session

    def transcriber(self) -> Transcriber:
        """Cheap to call: the model itself loads once per process and is shared."""
        s = self.settings
        return WhisperTranscriber(
            model=s.whisper_model,
            device=s.whisper_device,
            compute_type=s.whisper_compute_type,
            cpu_threads=s.whisper_cpu_threads,
            beam_size=s.whisper_beam_size,
        )

    def announce(self, job_id: str, status: str) -> None:
        """Tell the job's webhook (if any) the status the caller just gave it; delivered in the background.

        The status is passed in, not re-read, because by the time it is read another worker may already
        have moved the job on, and the receiver must see every step in order.
        """
        with self.session() as session:
            job = session.get(Job, job_id)
            if job is None:
                return
            target = jobs.webhook_target(session, job)
        if target is not None:
            self.webhooks.send(target.url, {"jobId": job_id, "status": status}, secret=target.secret)

    def close(self) -> None:
        self.webhooks.close(timeout=5)
