"""The unit of work management commands share: one committed session, refusals printed, not raised."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from parley.config import get_settings
from parley.errors import ParleyError
from parley.runtime import Runtime


@contextmanager
def command_session() -> Iterator[Session]:
    """One committed unit of work; a refused request prints its reason and exits 2."""
    runtime = Runtime.create(get_settings())
    try:
        with runtime.session() as session:
            yield session
    except ParleyError as error:
        Console(stderr=True).print(f"[red]{error.message}[/red]")
        raise typer.Exit(2) from None
