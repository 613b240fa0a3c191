"""The long-lived parts one process shares: settings, the blob store, webhook delivery, the ASR engine."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import event
from sqlalchemy.orm import Session

from parley.config import Settings
from parley.db import PoolOptions, configure_pool, migrate, session_scope
from parley.jobs import service as jobs
from parley.models import Job, utcnow
from parley.notify.webhooks import WebhookSender
from parley.speech.transcriber import Transcriber, WhisperTranscriber
from parley.storage.blobs import BlobStore, LocalBlobStore

if TYPE_CHECKING:
    from parley.speech.diarization import Diarizer

log = logging.getLogger(__name__)

MEDIA_STORED = "media_stored"  # a job's media (fetched from its URL) is now in the blob store


@dataclass
class Runtime:
    settings: Settings
    blobs: BlobStore
    webhooks: WebhookSender
    token_key: str  # read once: every request checks a token against it
    # The time quotas and expiring URLs go by; tests replace it instead of sleeping.
    clock: Callable[[], datetime] = utcnow
    # Other domains following jobs (recordings): each hears (job id, a status or MEDIA_STORED).
    job_listeners: list[Callable[[str, str], None]] = field(default_factory=list)

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        settings.tmp_dir.mkdir(parents=True, exist_ok=True)
        pool = PoolOptions(settings.db_pool_size, settings.db_max_overflow, settings.db_pool_recycle_seconds)
        configure_pool(settings.sqlalchemy_url, pool)
        migrate(settings.sqlalchemy_url)
        return cls(
            settings=settings,
            token_key=settings.token_secret(),
            blobs=_blob_store(settings),
            webhooks=WebhookSender(
                settings.sqlalchemy_url,
                allow_private=settings.allow_private_urls,
                max_attempts=settings.webhook_max_attempts,
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

    def diarizer(self) -> Diarizer:
        """Imported on first use: torch costs seconds to load and most jobs never need it."""
        from parley.speech.diarization import EmbeddingDiarizer

        return EmbeddingDiarizer(cpu_threads=self.settings.diarizer_cpu_threads)

    def announce(self, job_id: str, status: str, *, session: Session | None = None) -> None:
        """Tell the job's webhook (if any) and this process's listeners the status the caller gave it.

        The status is passed in, not re-read, because by the time it is read another worker may already
        have moved the job on, and the receiver must see every step in order. With `session` (the
        transaction that stores the status), the webhook is queued in it and everyone is told once it
        commits: a process killed just after the commit still delivers it. Without, it is committed now.
        """
        if session is not None:
            queued = self._queue_webhook(session, job_id, status)
            event.listen(session, "after_commit", lambda _: self._told(job_id, status, queued), once=True)
            return
        with self.session() as own:
            queued = self._queue_webhook(own, job_id, status)
        self._told(job_id, status, queued)

    def _queue_webhook(self, session: Session, job_id: str, status: str) -> bool:
        job = session.get(Job, job_id)
        target = jobs.webhook_target(job) if job is not None else None
        if target is None:
            return False
        payload = {"jobId": job_id, "status": status}
        self.webhooks.queue(session, target.url, payload, signer=target.signer)
        return True

    def _told(self, job_id: str, status: str, queued: bool) -> None:
        if queued:
            self.webhooks.deliver_soon()
        self.tell_listeners(job_id, status)

    def tell_listeners(self, job_id: str, event: str) -> None:
        for listener in self.job_listeners:
            try:
                listener(job_id, event)
            except Exception:  # a follower's bug must not fail the job it follows
                log.exception("job listener failed on %s of job %s", event, job_id)

    def close(self) -> None:
        self.webhooks.close(timeout=5)


def _blob_store(settings: Settings) -> BlobStore:
    if not settings.storage_url:
        return LocalBlobStore(settings.media_dir)
    from parley.storage.s3 import S3BlobStore  # boto3 loads only where S3 is configured

    return S3BlobStore(
        settings.storage_url,
        scratch_dir=settings.tmp_dir,
        endpoint_url=settings.s3_endpoint_url,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=settings.s3_secret_access_key,
        region=settings.s3_region,
    )
