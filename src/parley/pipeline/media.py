"""Getting a job's media onto local disk: uploaded already, or fetched once from its URL and kept."""

from __future__ import annotations

from pathlib import Path

from parley.models import Job
from parley.net.fetch import download
from parley.runtime import MEDIA_STORED, Runtime
from parley.speech.audio import MediaError, probe

# FFmpeg demuxer names -> the container family people call them by. One demuxer reads several
# families (mov/mp4/m4a, matroska/webm, asf/wmv/wma), so a family here stands for all it reads.
CONTAINER_FAMILIES = {
    "mov,mp4,m4a,3gp,3g2,mj2": "mp4",
    "matroska,webm": "webm",
    "asf": "wmv",
    "aac": "aac",
    "mp3": "mp3",
    "wav": "wav",
    "avi": "avi",
}


def media_key(job: Job, suffix: str) -> str:
    return f"{job.app_id}/{job.conversation_id}/{job.id}{suffix}"


def conversation_prefix(app_id: str, conversation_id: str) -> str:
    return f"{app_id}/{conversation_id}"


def local_media(runtime: Runtime, job: Job) -> Path:
    """The job's media file, checked against `job.media_formats`; a URL is downloaded on the first attempt
    and kept for retries."""
    if job.media_path:
        path = runtime.blobs.local_path(job.media_path)
    elif job.source_url:
        path = _fetch(runtime, job)
    else:
        raise ValueError(f"job {job.id} has neither media nor a URL")
    if job.media_formats is not None:
        check_container(path, job.media_formats)
    return path


def check_container(path: Path, allowed: list[str]) -> None:
    """Raise MediaError unless the file's container is one of the `allowed` families."""
    format_name = probe(path).format_name
    family = CONTAINER_FAMILIES.get(format_name, format_name)
    if family not in allowed:
        raise MediaError(f"the file is {family}; send one of {', '.join(sorted(allowed))}")


def _fetch(runtime: Runtime, job: Job) -> Path:
    settings = runtime.settings
    assert job.source_url is not None
    fetched = download(
        job.source_url,
        settings.tmp_dir,
        max_bytes=settings.max_download_bytes,
        timeout_s=settings.download_timeout_seconds,
        allow_private=settings.allow_private_urls,
    )
    key = media_key(job, fetched.suffix or ".media")
    runtime.blobs.put_file(key, fetched, keep_local=True)
    with runtime.session() as session:
        stored = session.get(Job, job.id)
        if stored is not None:
            stored.media_path = key
    job.media_path = key
    runtime.tell_listeners(job.id, MEDIA_STORED)
    return runtime.blobs.local_path(key)
