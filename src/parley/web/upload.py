"""The upload page: a file or a URL, the job's options, then the conversation once it is processed.

The options are the Async API's own (`JobOptions`), validated the same way, and the job is submitted
through `jobs.intake` like any API request. With script, the page posts the form itself and shows the
upload's and the job's progress; without, the browser lands on the conversation page, which follows the job.
"""

from __future__ import annotations

import mimetypes
import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from parley.api.deps import RunnerDep, RuntimeDep
from parley.errors import BadRequest, ParleyError, PayloadTooLarge
from parley.jobs import intake
from parley.jobs.options import JobOptions
from parley.models import Job
from parley.runtime import Runtime
from parley.trackers import service as trackers
from parley.validation import validate
from parley.web.multipart_upload import Fields, UploadForm, receive_form
from parley.web.session import CSRF_FIELD, SignedIn, WebSession, check_csrf
from parley.web.templating import page

router = APIRouter()

VIDEO_SUFFIXES = {".mp4", ".webm", ".mov", ".mkv", ".avi", ".wmv", ".m4v"}
MAX_FORM_OVERHEAD = 1024 * 1024  # the fields and multipart framing around the file
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")


def options_from(fields: Fields) -> JobOptions:
    """The form's choices as Async API parameters; invalid combinations get the API's own messages."""

    def first(name: str) -> str:
        return (fields.get(name) or [""])[0].strip()

    data: dict[str, Any] = {
        "enableSpeakerDiarization": first("diarization") == "on",
        "enableSummary": first("summary") == "on",
        "detectEntities": first("entities") == "on",
        "trackers": [{"id": tracker_id} for tracker_id in fields.get("tracker", []) if tracker_id],
    }
    if name := first("name"):
        data["name"] = name
    if speakers := first("speakers"):
        if not speakers.isdigit():
            raise BadRequest(f"Number of speakers: expected a whole number, got {speakers!r}")
        data["diarizationSpeakerCount"] = int(speakers)
    return validate(JobOptions, data)


def _kind_and_suffix(form: UploadForm) -> tuple[str, str]:
    suffix = Path(form.filename or "").suffix.lower()
    if not _SUFFIX.match(suffix):
        suffix = mimetypes.guess_extension(form.content_type or "") or ".media"
    video = (form.content_type or "").startswith("video/") or suffix in VIDEO_SUFFIXES
    return ("video" if video else "audio"), suffix


def _url_kind(url: str) -> str:
    return "video" if Path(url.split("?")[0]).suffix.lower() in VIDEO_SUFFIXES else "audio"


def _form_page(
    request: Request, runtime: Runtime, user: WebSession, error: str | None, status: int
) -> Response:
    with runtime.session() as session:
        managed = trackers.get_all(session, app_id=user.app_id or "")
        context = {"trackers": managed, "error": error, "max_upload": runtime.settings.max_upload_bytes}
        return page(request, "upload.html", context, session=user, status_code=status)


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, runtime: RuntimeDep, user: SignedIn) -> Response:
    return _form_page(request, runtime, user, None, 200)


@router.post("/upload")
async def upload(request: Request, runtime: RuntimeDep, runner: RunnerDep, user: SignedIn) -> Response:
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        job = await _submit(request, runtime, runner, user)
    except ParleyError as error:
        if wants_json:
            return JSONResponse({"error": error.message}, status_code=error.status_code)
        return _form_page(request, runtime, user, error.message, error.status_code)
    target = f"/conversations/{job.conversation_id}"
    if wants_json:
        return JSONResponse({"conversationUrl": target, "statusUrl": f"{target}/status"}, status_code=201)
    return RedirectResponse(target, status_code=303)


async def _submit(request: Request, runtime: Runtime, runner: RunnerDep, user: WebSession) -> Job:
    app_id = user.app_id or ""
    limit = runtime.settings.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + MAX_FORM_OVERHEAD:
        raise PayloadTooLarge(f"the upload is {int(declared):,} bytes; the limit is {limit:,} bytes")

    def before_file(fields: Fields) -> None:
        check_csrf(user, (fields.get(CSRF_FIELD) or [None])[0])
        intake.check_request(runtime, app_id, options_from(fields))

    upload = Path(tempfile.mkstemp(dir=runtime.settings.tmp_dir, suffix=".upload")[1])
    try:
        form = await receive_form(request, upload, max_bytes=limit, before_file=before_file)
        options = options_from(form.fields)
        if form.filename is not None:
            if form.size == 0:
                raise BadRequest(f"{form.filename} is empty; choose a recording with sound in it")
            kind, suffix = _kind_and_suffix(form)
            return intake.submit_upload(
                runtime, runner, app_id=app_id, kind=kind, options=options, upload=upload, suffix=suffix
            )
        url = form.first("url")
        if not url:
            raise BadRequest("choose a file to upload or paste the URL of a recording")
        if not url.startswith(("http://", "https://")):
            raise BadRequest(f"URL: expected an http:// or https:// address, got {url[:80]!r}")
        return intake.submit_url(
            runtime, runner, app_id=app_id, kind=_url_kind(url), options=options, url=url
        )
    finally:
        upload.unlink(missing_ok=True)
