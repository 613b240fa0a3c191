"""The web face: server-rendered pages (Jinja2) and a little vanilla script over the same core services.

`install(app)` adds its routes and static files to the application, and makes errors raised under its
routes answer as pages (sign-in redirects, 403/404 pages) while every other face keeps its own shapes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from parley.errors import ParleyError
from parley.web import auth, conversation, library, share, trackers, upload
from parley.web.session import SignInRequired
from parley.web.templating import HERE, page

Handler = Callable[[Request, Exception], Awaitable[Response]]


def _is_page(request: Request) -> bool:
    endpoint = request.scope.get("endpoint")
    return endpoint is not None and endpoint.__module__.startswith(__name__ + ".")


def _error_page(request: Request, status_code: int, message: str) -> Response:
    titles = {403: "Not allowed", 404: "Not found", 413: "Too large"}
    context = {
        "status": status_code,
        "title": titles.get(status_code, "Something is wrong"),
        "message": message,
    }
    return page(request, "error.html", context, session=None, status_code=status_code)


def _pages_first(previous: Handler) -> Handler:
    """Errors under the web routes become pages; others go to the handler the app already had."""

    async def handle(request: Request, error: Exception) -> Response:
        if not _is_page(request):
            return await previous(request, error)
        if isinstance(error, ParleyError):
            return _error_page(request, error.status_code, error.message)
        if isinstance(error, StarletteHTTPException):
            return _error_page(request, error.status_code, str(error.detail))
        if isinstance(error, RequestValidationError):
            return _error_page(request, 400, "The address has a value this page cannot read; check it.")
        await previous(request, error)  # logs the unexpected error with its traceback
        return _error_page(
            request, 500, "Something went wrong inside Parley; the server log has the details."
        )

    return handle


async def _sign_in(request: Request, error: Exception) -> Response:
    assert isinstance(error, SignInRequired)
    return RedirectResponse(f"/sign-in?next={quote(error.next_path, safe='')}", status_code=303)


def install(app: FastAPI) -> None:
    for module in (auth, library, upload, conversation, share, trackers):
        app.include_router(module.router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for kind in (ParleyError, StarletteHTTPException, RequestValidationError, Exception):
        app.add_exception_handler(kind, _pages_first(app.exception_handlers[kind]))
    app.add_exception_handler(SignInRequired, _sign_in)
