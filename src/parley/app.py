"""The FastAPI application: the faces' routers, one error handler, and the runtime's lifetime."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import text

from parley import __version__
from parley.api.symbl import auth, conversations, process, speakers
from parley.config import Settings, get_settings
from parley.errors import ParleyError
from parley.runner.local import LocalRunner
from parley.runtime import Runtime

log = logging.getLogger(__name__)


def _error(status_code: int, message: str) -> JSONResponse:
    return JSONResponse({"statusCode": status_code, "message": message}, status_code=status_code)


async def _parley_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ParleyError)
    return _error(error.status_code, error.message)


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(part) for part in problem['loc'] if part != 'body') or 'body'}: {problem['msg']}"
        for problem in error.errors()
    )
    return _error(400, problems)


async def _unexpected_error(_request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=error)
    return _error(500, "Something went wrong inside Parley; the server log has the details")


def create_app(settings: Settings | None = None, *, run_jobs: bool = True) -> FastAPI:
    """`run_jobs=False` serves the API only (jobs then need `parley worker` or another server)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.create(settings)
        runner = LocalRunner(runtime)
        app.state.runtime = runtime
        app.state.runner = runner
        if run_jobs:
            runner.start()
        try:
            yield
        finally:
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
    app.add_exception_handler(Exception, _unexpected_error)
    app.include_router(auth.router)
    app.include_router(process.router)
    app.include_router(conversations.router)
    app.include_router(speakers.router)

    @app.get("/healthz", tags=["health"])
    def healthz(request: Request) -> dict[str, str]:
        runtime: Runtime = request.app.state.runtime
        with runtime.session() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    return app


__all__ = ["create_app"]
