"""Dependencies every face shares: the runtime and one database session per request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from parley.runner.base import JobRunner
from parley.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    # async: a plain def would cost a threadpool hop on every request
    return request.app.state.runtime


async def get_runner(request: Request) -> JobRunner:
    return request.app.state.runner


def get_session(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Iterator[Session]:
    """The request's unit of work: committed once after the endpoint returns, rolled back if it raises."""
    with runtime.session() as session:
        yield session


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
RunnerDep = Annotated[JobRunner, Depends(get_runner)]
SessionDep = Annotated[Session, Depends(get_session)]
