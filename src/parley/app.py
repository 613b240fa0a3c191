"""The FastAPI application: the faces' routers, one error handler, and the runtime's lifetime."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException

from parley import __version__, web
from parley.api.claap import errors as claap_errors
from parley.api.claap import recordings
from parley.api.symbl import (
    auth,
    conversations,
    insights,
    process,
    speakers,
    streaming,
    telephony,
    trackers,
    transcript,
)
from parley.api.videosdk import errors as videosdk_errors
from parley.api.videosdk import join as videosdk_join
from parley.api.videosdk import recordings as videosdk_recordings
from parley.api.videosdk import rooms as videosdk_rooms
from parley.config import Settings, get_settings
from parley.errors import ParleyError
from parley.live.hub import LiveHub
from parley.recordings import events as recording_events
from parley.rooms import events as room_events
from parley.rooms.live import RoomHub
from parley.runner.base import JobRunner
from parley.runner.local import LocalRunner
from parley.runtime import Runtime

log = logging.getLogger(__name__)


def _error(request: Request, status_code: int, message: str) -> JSONResponse:
    """Each face has its error shape: the Claap face's under its path, Symbl's everywhere else."""
    if claap_errors.owns(request.url.path):
        return claap_errors.response(status_code, message)
    if videosdk_errors.owns(request.url.path):
        return videosdk_errors.response(status_code, message)
    return JSONResponse({"statusCode": status_code, "message": message}, status_code=status_code)


async def _parley_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ParleyError)
    return _error(request, error.status_code, error.message)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    """Routing errors (unknown path, wrong method): FastAPI's default outside the Claap face."""
    assert isinstance(error, StarletteHTTPException)
    if claap_errors.owns(request.url.path):
        return claap_errors.response(error.status_code, str(error.detail))
    if videosdk_errors.owns(request.url.path):
        return videosdk_errors.response(error.status_code, str(error.detail))
    return await http_exception_handler(request, error)


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(part) for part in problem['loc'] if part != 'body') or 'body'}: {problem['msg']}"
        for problem in error.errors()
    )
    return _error(request, 400, problems)


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=error)
    return _error(request, 500, "Something went wrong inside Parley; the server log has the details")


def _runner(runtime: Runtime) -> JobRunner:
    """Jobs run in this process by default; PARLEY_RUNNER=celery hands them to `parley worker`s."""
    if runtime.settings.runner == "celery":
        from parley.runner.celery import CeleryRunner  # Celery loads only where it is configured

        return CeleryRunner(runtime)
    return LocalRunner(runtime)


def create_app(settings: Settings | None = None, *, run_jobs: bool = True) -> FastAPI:
    """`run_jobs=False` serves the API only (jobs then need `parley worker` or another server)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.create(settings)
        runtime.webhooks.start()  # also delivers what stopped processes left in the outbox
        recording_events.follow_jobs(runtime)
        room_events.follow_jobs(runtime)
        runner = _runner(runtime)
        app.state.runtime = runtime
        app.state.runner = runner
        app.state.live = LiveHub(runtime)
        app.state.rooms = RoomHub(runtime, runner)
        app.state.live.start()  # also ends the live sessions a stopped server left in progress
        if run_jobs:
            runner.start()
        try:
            yield
        finally:
            app.state.live.close()  # live sessions end and are stored before the runner stops
            await app.state.rooms.close()
            runner.stop()
            runtime.close()

    app = FastAPI(
        title="Parley",
        version=__version__,
        description="Self-hosted conversation intelligence, speaking Symbl.ai's API.",
        lifespan=lifespan,
    )
    app.add_exception_handler(ParleyError, _parley_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
    app.include_router(auth.router)
    app.include_router(process.router)
    app.include_router(conversations.router)
    app.include_router(transcript.router)
    app.include_router(speakers.router)
    app.include_router(insights.router)
    app.include_router(trackers.router)
    app.include_router(streaming.router)
    app.include_router(telephony.router)
    app.include_router(recordings.router)
    app.include_router(videosdk_rooms.router)
    app.include_router(videosdk_recordings.router)
    app.include_router(videosdk_join.router)
    web.install(app)  # the pages (parley/web), last: its error handlers wrap the ones above

    @app.get("/healthz", tags=["health"])
    def healthz(request: Request) -> dict[str, str]:
        runtime: Runtime = request.app.state.runtime
        with runtime.session() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    return app


__all__ = ["create_app"]
