"""Getting a job's media onto local disk: uploaded already, or fetched once from its URL and kept."""

from __future__ import annotations

from pathlib import Path

from parley.models import Job
from parley.net.fetch import download
from parley.runtime import Runtime


def media_key(job: Job, suffix: str) -> str:
    return f"{job.app_id}/{job.conversation_id}/{job.id}{suffix}"


def conversation_prefix(app_id: str, conversation_id: str) -> str:
    return f"{app_id}/{conversation_id}"


def local_media(runtime: Runtime, job: Job) -> Path:
    """The job's media file; a URL is downloaded on the first attempt and kept for retries."""
    if job.media_path:
        return runtime.blobs.local_path(job.media_path)
    if not job.source_url:
        raise ValueError(f"job {job.id} has neither media nor a URL")
    settings = runtime.settings
    fetched = download(
        job.source_url,
        settings.tmp_dir,
        max_bytes=settings.max_download_bytes,
        timeout_s=settings.download_timeout_seconds,
        allow_private=settings.allow_private_urls,
    )
    key = media_key(job, fetched.suffix or ".media")
    runtime.blobs.put_file(key, fetched)
    with runtime.session() as session:
        stored = session.get(Job, job.id)
        if stored is not None:
            stored.media_path = key
    job.media_path = key
    return runtime.blobs.local_path(key)
