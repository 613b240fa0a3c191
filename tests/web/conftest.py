"""The web face's fixtures: an in-process Parley without job workers, and conversations stored directly
through the core services (so page tests need no speech model and stay fast)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from parley.accounts import service as accounts
from parley.app import create_app
from parley.conversations import service as conversations
from parley.intel.model import Analysis
from parley.jobs import service as jobs
from parley.models import ConversationAnalysis, JobStatus
from parley.pipeline.media import media_key
from parley.runtime import Runtime
from parley.transcript import Message, Speaker, Transcript, Word
from tests.conftest import make_settings

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@dataclass
class Said:
    speaker: str
    text: str
    start: float
    end: float


@dataclass
class Web:
    client: TestClient
    runtime: Runtime
    app_id: str
    app_secret: str

    def new_app(self, name: str = "other") -> tuple[str, str]:
        with self.runtime.session() as session:
            credentials = accounts.create(session, name=name)
        return credentials.app_id, credentials.app_secret

    def sign_in(self, app_id: str | None = None, app_secret: str | None = None) -> str:
        """Sign the client in; returns the session's CSRF token."""
        token = csrf_of(self.client.get("/sign-in").text)
        response = self.client.post(
            "/sign-in",
            data={
                "csrf": token,
                "kind": "app",
                "appId": app_id or self.app_id,
                "appSecret": app_secret or self.app_secret,
                "next": "/",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        return csrf_of(self.client.get("/").text)

    def add_conversation(
        self,
        name: str,
        said: list[Said],
        *,
        app_id: str | None = None,
        analysis: Analysis | None = None,
        media: Path | None = None,
    ) -> str:
        """A processed conversation, stored the way a completed job stores one (its media optional)."""
        app_id = app_id or self.app_id
        speakers = {line.speaker: Speaker(key=f"name:{line.speaker}", name=line.speaker) for line in said}
        transcript = Transcript(
            messages=[
                Message(
                    text=line.text,
                    start=line.start,
                    end=line.end,
                    speaker=speakers[line.speaker].key,
                    words=_words(line),
                )
                for line in said
            ],
            speakers=list(speakers.values()),
            duration=max((line.end for line in said), default=0.0),
        )
        with self.runtime.session() as session:
            job = jobs.submit(session, app_id=app_id, kind="audio", options={"name": name}, max_active=100)
            conversation = jobs.conversation_of(session, job)
            conversations.save_job_results(
                session, conversation=conversation, job_id=job.id, transcript=transcript, offset=0.0
            )
            if media is not None:
                job.media_path = media_key(job, media.suffix)
                copy = self.runtime.settings.tmp_dir / f"{job.id}{media.suffix}"
                shutil.copyfile(media, copy)
                self.runtime.blobs.put_file(job.media_path, copy)
            job.status, job.progress = JobStatus.completed, 1.0
            document = (analysis or Analysis()).model_dump(mode="json", exclude_none=True)
            session.add(
                ConversationAnalysis(conversation_id=conversation.id, job_id=job.id, document=document)
            )
            return conversation.id

    def set_analysis(self, conversation_id: str, analysis: Analysis) -> None:
        with self.runtime.session() as session:
            stored = session.get(ConversationAnalysis, conversation_id)
            assert stored is not None
            stored.document = analysis.model_dump(mode="json", exclude_none=True)

    def message_ids(self, conversation_id: str) -> list[str]:
        with self.runtime.session() as session:
            return [row.id for row in conversations.get_messages(session, conversation_id=conversation_id)]


def _words(line: Said) -> list[Word]:
    tokens = line.text.split()
    step = (line.end - line.start) / max(1, len(tokens))
    return [
        Word(text=token, start=line.start + i * step, end=line.start + (i + 1) * step)
        for i, token in enumerate(tokens)
    ]


@pytest.fixture
def web(tmp_path: Path, sqlite_url: str) -> Iterator[Web]:
    settings = make_settings(tmp_path / "data", sqlite_url)
    with TestClient(create_app(settings, run_jobs=False)) as client:
        runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
        with runtime.session() as session:
            credentials = accounts.create(session, name="Acme sales")
        yield Web(client, runtime, credentials.app_id, credentials.app_secret)
