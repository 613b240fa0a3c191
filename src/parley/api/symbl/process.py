"""Symbl's Async API: submit audio, video or text (new or appended); answers 201 {conversationId, jobId}."""

from __future__ import annotations

import mimetypes
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from parley.api.deps import RunnerDep, RuntimeDep
from parley.api.symbl.auth import AppIdDep
from parley.api.symbl.params import options_from_query, parse_json_object, query_parameters, validate
from parley.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from parley.jobs import intake
from parley.jobs.options import JobOptions, TextJobRequest, UrlJobRequest
from parley.models import Job
from parley.storage.uploads import receive_to_file

router = APIRouter(prefix="/v1/process", tags=["async"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A parameter is missing or invalid; the message names it"},
    401: {"description": "Missing, invalid or expired access token"},
    404: {"description": "The conversation to append to does not exist"},
    413: {"description": "The upload is larger than PARLEY_MAX_UPLOAD_BYTES"},
    415: {"description": "The Content-Type is not audio/* or video/*"},
    429: {"description": "Too many concurrent jobs for this app"},
}


class AsyncResponse(BaseModel):
    conversationId: str
    jobId: str


def _accepted(job: Job) -> AsyncResponse:
    return AsyncResponse(conversationId=job.conversation_id, jobId=job.id)


def _suffix(content_type: str) -> str:
    mime = content_type.split(";")[0].strip().lower()
    return {"audio/mp3": ".mp3", "audio/x-wav": ".wav", "audio/wave": ".wav"}.get(mime) or (
        mimetypes.guess_extension(mime) or ".media"
    )


async def _receive_media(
    request: Request,
    runtime: RuntimeDep,
    runner: RunnerDep,
    app_id: str,
    kind: str,
    conversation_id: str | None,
) -> AsyncResponse:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("audio/", "video/", "application/octet-stream")):
        raise UnsupportedMediaType(
            f"send the {kind} file as the raw request body with a Content-Type of audio/* or video/* "
            f"(got {content_type or 'none'})"
        )
    options = options_from_query(list(request.query_params.multi_items()))
    intake.check_request(runtime, app_id, options)
    limit = runtime.settings.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the upload is {int(declared):,} bytes; the limit is {limit:,} bytes")
    upload = Path(tempfile.mkstemp(dir=runtime.settings.tmp_dir, suffix=".upload")[1])
    try:
        size = await receive_to_file(upload, request.stream(), max_bytes=limit)
        if size == 0:
            raise BadRequest(f"the request body is empty; send the {kind} file as the body")
        job = intake.submit_upload(
            runtime,
            runner,
            app_id=app_id,
            kind=kind,
            options=options,
            upload=upload,
            suffix=_suffix(content_type),
            conversation_id=conversation_id,
        )
    finally:
        upload.unlink(missing_ok=True)
    return _accepted(job)


async def _receive_url(
    request: Request,
    runtime: RuntimeDep,
    runner: RunnerDep,
    app_id: str,
    kind: str,
    conversation_id: str | None,
) -> AsyncResponse:
    # Symbl's clients put some parameters (diarization) in the query string even with a JSON body.
    raw = parse_json_object(await request.body())
    body = validate(UrlJobRequest, raw | query_parameters(list(request.query_params.multi_items())))
    options = JobOptions.model_validate(body.model_dump(exclude={"url"}))
    job = intake.submit_url(
        runtime,
        runner,
        app_id=app_id,
        kind=kind,
        options=options,
        url=str(body.url),
        conversation_id=conversation_id,
    )
    return _accepted(job)


async def _receive_text(
    request: Request, runtime: RuntimeDep, runner: RunnerDep, app_id: str, conversation_id: str | None
) -> AsyncResponse:
    raw = parse_json_object(await request.body())
    body = validate(TextJobRequest, raw | query_parameters(list(request.query_params.multi_items())))
    messages = raw["messages"]
    options = JobOptions.model_validate(body.model_dump(exclude={"messages"}))
    job = intake.submit_text(
        runtime, runner, app_id=app_id, options=options, messages=messages, conversation_id=conversation_id
    )
    return _accepted(job)


def _media_routes(kind: str) -> None:
    @router.post(f"/{kind}", status_code=201, responses=ERRORS, name=f"process_{kind}")
    async def submit_file(
        request: Request, runtime: RuntimeDep, runner: RunnerDep, app_id: AppIdDep
    ) -> AsyncResponse:
        return await _receive_media(request, runtime, runner, app_id, kind, None)

    @router.put(f"/{kind}/{{conversation_id}}", status_code=201, responses=ERRORS, name=f"append_{kind}")
    async def append_file(
        conversation_id: str, request: Request, runtime: RuntimeDep, runner: RunnerDep, app_id: AppIdDep
    ) -> AsyncResponse:
        return await _receive_media(request, runtime, runner, app_id, kind, conversation_id)

    @router.post(f"/{kind}/url", status_code=201, responses=ERRORS, name=f"process_{kind}_url")
    async def submit_url(
        request: Request, runtime: RuntimeDep, runner: RunnerDep, app_id: AppIdDep
    ) -> AsyncResponse:
        return await _receive_url(request, runtime, runner, app_id, kind, None)

    @router.put(
        f"/{kind}/url/{{conversation_id}}", status_code=201, responses=ERRORS, name=f"append_{kind}_url"
    )
    async def append_url(
        conversation_id: str, request: Request, runtime: RuntimeDep, runner: RunnerDep, app_id: AppIdDep
    ) -> AsyncResponse:
        return await _receive_url(request, runtime, runner, app_id, kind, conversation_id)


_media_routes("audio")
_media_routes("video")


@router.post("/text", status_code=201, responses=ERRORS)
async def submit_text(
    request: Request, runtime: RuntimeDep, runner: RunnerDep, app_id: AppIdDep
) -> AsyncResponse:
    return await _receive_text(request, runtime, runner, app_id, None)


@router.put("/text/{conversation_id}", status_code=201, responses=ERRORS)
async def append_text(
    conversation_id: str, request: Request, runtime: RuntimeDep, runner: RunnerDep, app_id: AppIdDep
) -> AsyncResponse:
    return await _receive_text(request, runtime, runner, app_id, conversation_id)
