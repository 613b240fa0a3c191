"""`parley process`: one file or URL through the same pipeline as the server, without a server."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from parley.accounts import service as accounts
from parley.api.symbl import mapping
from parley.config import get_settings
from parley.conversations import service as conversations
from parley.conversations.export import FORMATS, render
from parley.errors import ParleyError
from parley.jobs import intake
from parley.jobs import service as jobs
from parley.jobs.options import JobOptions
from parley.models import Job, JobStatus
from parley.runner.inline import InlineRunner
from parley.runtime import Runtime
from parley.validation import validate

CLI_APP_NAME = "parley-cli"


def process(
    source: str = typer.Argument(..., help="A media file path or an http(s) URL"),
    fmt: str = typer.Option("txt", "--format", "-f", help=f"Output format: {', '.join(FORMATS)}"),
    language: str | None = typer.Option(None, "--language", help="languageCode, e.g. en-US"),
    vocabulary: list[str] = typer.Option([], "--vocabulary", help="customVocabulary term (repeatable)"),
    diarize: bool = typer.Option(False, "--diarize", help="Separate the speakers of a one-channel recording"),
    speakers: int | None = typer.Option(None, "--speakers", help="How many speakers (with --diarize)"),
) -> None:
    """Transcribe SOURCE and print the transcript on stdout (progress on stderr)."""
    if fmt not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    if speakers is not None and not diarize:
        raise typer.BadParameter("--speakers only makes sense with --diarize", param_hint="--speakers")
    remote = source.startswith(("http://", "https://"))
    if not remote and not Path(source).is_file():
        typer.echo(f"parley: {source} is not a file or an http(s) URL", err=True)
        raise typer.Exit(2)
    runtime = Runtime.create(get_settings())
    try:
        options = validate(
            JobOptions,
            {
                "languageCode": language,
                "customVocabulary": vocabulary,
                "enableSpeakerDiarization": diarize,
                "diarizationSpeakerCount": speakers,
            },
        )
        job = _run(runtime, source, options)
    except ParleyError as error:
        typer.echo(f"parley: {error.message}", err=True)
        raise typer.Exit(2) from None
    finally:
        runtime.close()
    _print_result(runtime, job, fmt)


def _run(runtime: Runtime, source: str, options: JobOptions) -> Job:
    app_id = _cli_app(runtime)
    with Progress(
        TextColumn("[bold]transcribing"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=_stderr_console(),
    ) as bar:
        task = bar.add_task("job", total=1.0)
        runner = InlineRunner(runtime, on_progress=lambda fraction: bar.update(task, completed=fraction))
        job = _submit(runtime, runner, app_id, source, options)
        bar.update(task, completed=1.0)
    return job


def _print_result(runtime: Runtime, job: Job, fmt: str) -> None:
    app_id = job.app_id
    with runtime.session() as session:
        finished = jobs.get(session, app_id=app_id, job_id=job.id)
        assert finished is not None
        if finished.status != JobStatus.completed:
            typer.echo(f"parley: job failed: {finished.error}", err=True)
            raise typer.Exit(1)
        conversation = conversations.get(session, app_id=app_id, conversation_id=job.conversation_id)
        assert conversation is not None
        rows = conversations.get_messages(session, conversation_id=conversation.id)
        payload = {"conversation": mapping.conversation(conversation)} | mapping.messages(
            conversation, rows, verbose=True
        )
    sys.stdout.write(render(payload, fmt))


def _submit(runtime: Runtime, runner: InlineRunner, app_id: str, source: str, options: JobOptions) -> Job:
    if source.startswith(("http://", "https://")):
        return intake.submit_url(runtime, runner, app_id=app_id, kind="audio", options=options, url=source)
    path = Path(source)
    # The job takes ownership of its media, so it gets a copy, never the user's file.
    copy = Path(tempfile.mkstemp(dir=runtime.settings.tmp_dir, suffix=path.suffix)[1])
    shutil.copyfile(path, copy)
    return intake.submit_upload(
        runtime,
        runner,
        app_id=app_id,
        kind="audio",
        options=options,
        upload=copy,
        suffix=path.suffix or ".media",
    )


def _cli_app(runtime: Runtime) -> str:
    with runtime.session() as session:
        existing = next((app for app in accounts.get_all(session) if app.name == CLI_APP_NAME), None)
        if existing is not None:
            return existing.id
        return accounts.create(session, name=CLI_APP_NAME).app_id


def _stderr_console() -> Console:
    return Console(stderr=True)
