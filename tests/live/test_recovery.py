"""A server killed mid live session loses nothing it had recognised: the session is ended (stored, analysed,
its summary mailed once) by the next server to start, and never by a peer while its own server runs."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from websockets.sync.client import ClientConnection, connect

from parley.accounts import service as accounts
from parley.conversations.speaker_events import SpeakerEvent
from parley.db import session_scope
from parley.jobs import service as jobs
from parley.live import record
from parley.live.ending import CUT_SHORT, NOTHING_KEPT
from parley.models import Job, JobStatus
from parley.runtime import Runtime
from parley.transcript import Speaker
from tests.conftest import (
    Api,
    create_app_cli,
    make_settings,
    open_api,
    parley_env,
    start_server,
    stop_server,
    token_for,
)
from tests.live.recovery_support import LEASE, age, ended, message_said, open_session
from tests.live_support import Collector, of_type, pcm16
from tests.notify.smtp_server import Mailbox, smtp_server
from tests.support import shared

TEAM = "team@example.com"
MAIL_TEAM = {"invokeOn": "stop", "name": "sendSummaryEmail", "parameters": {"emails": [TEAM]}}


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


def _stream_until_final(socket: ClientConnection, audio: bytes, heard: Collector, at_least: float) -> None:
    """Send speech at real-time pace until a final result came back and `at_least` seconds have passed."""
    chunk, seconds = 3_200, 0.1  # 16 kHz LINEAR16
    started = time.monotonic()
    for index, offset in enumerate(range(0, len(audio), chunk)):
        socket.send(audio[offset : offset + chunk])
        time.sleep(max(0.0, started + (index + 1) * seconds - time.monotonic()))
        if time.monotonic() - started >= at_least and of_type(heard.messages, "message_response"):
            return
    raise AssertionError("no final result came back while the speech played")


def _job_of(database_url: str, conversation_id: str) -> Job:
    with session_scope(database_url) as session:
        return session.scalars(select(Job).where(Job.conversation_id == conversation_id)).one()


def test_a_killed_server_s_live_session_is_ended_after_restart(tmp_path: Path, mailbox: Mailbox) -> None:
    database_url = f"sqlite:///{tmp_path / 'parley.db'}"
    env = parley_env(
        tmp_path / "data", database_url, PARLEY_JOB_LEASE_SECONDS=str(LEASE), PARLEY_SMTP_URL=mailbox.url
    )
    log = tmp_path / "server.log"
    first, peer = start_server(env, log), start_server(env, log)
    try:
        credentials = create_app_cli(env)
        with httpx.Client(base_url=first.base_url) as client:
            token = token_for(client, credentials["appId"], credentials["appSecret"])
        url = f"ws{first.base_url[4:]}/v1/streaming/crash-1?access_token={token}"
        with connect(url) as socket:
            socket.send(
                json.dumps(
                    {
                        "type": "start_request",
                        "config": {"speechRecognition": {"encoding": "LINEAR16", "sampleRateHertz": 16000}},
                        "speaker": {"userId": "jfk@example.com", "name": "John"},
                        "actions": [MAIL_TEAM],
                        "name": "Inaugural",
                    }
                )
            )
            heard = Collector(lambda: json.loads(socket.recv(timeout=60)))
            # Longer than two leases, so the peer server has swept twice while this session ran.
            _stream_until_final(socket, pcm16(shared("asr_short/jfk.wav")), heard, at_least=2.5 * LEASE)
            conversation_id = heard.messages[1]["message"]["data"]["conversationId"]
            running = _job_of(database_url, conversation_id)
            assert running.status == JobStatus.in_progress and running.attempts == 1, "the peer took it over"
            stop_server(peer)
            first.process.kill()  # SIGKILL: no shutdown of any kind
            first.process.wait()
            heard.join(timeout=10)
        said = [m for response in of_type(heard.messages, "message_response") for m in response["messages"]]
        assert said

        restarted = start_server(env, log)
        try:
            headers = {"x-api-key": token}
            conversation = ended(restarted, headers, conversation_id)
            assert conversation["metadata"]["endReason"] == CUT_SHORT
            assert conversation["metadata"]["summaryEmail"] == f"sent to {TEAM}"

            def get(path: str) -> httpx.Response:
                url = f"{restarted.base_url}/v1/conversations/{conversation_id}{path}"
                return httpx.get(url, headers=headers)

            stored = get("/messages").json()["messages"]
            ids = [m["id"] for m in stored]
            assert len(ids) == len(set(ids)), "a message was stored twice"
            assert ids[: len(said)] == [m["id"] for m in said], "what the client heard is what was kept"
            assert "americans" in " ".join(m["text"] for m in stored).lower()
            assert stored[0]["from"]["name"] == "John"
            assert get("/summary").json()["summary"], "the conversation was analysed"

            job = _job_of(database_url, conversation_id)
            assert job.status == JobStatus.completed and job.error is None and job.attempts == 2
            assert job.worker_id != running.worker_id

            time.sleep(2 * LEASE)  # the restarted server goes on sweeping: nothing is ended twice
            assert [m["id"] for m in get("/messages").json()["messages"]] == ids
            assert len(mailbox.messages) == 1
            mail = mailbox.messages[0]
            assert mail["To"] == TEAM and mail["Subject"] == "Summary of Inaugural"
            assert "/share/" in mail.get_payload(decode=True).decode()
        finally:
            stop_server(restarted)
    finally:
        stop_server(first)
        stop_server(peer)


@pytest.fixture
def bare(tmp_path: Path, database_url: str) -> Iterator[tuple[Runtime, str]]:
    """A runtime with no live hub (nothing sweeps behind the test's back), and one app."""
    runtime = Runtime.create(make_settings(tmp_path / "data", database_url))
    with runtime.session() as session:
        app_id = accounts.create(session, name="tests").app_id
    yield runtime, app_id
    runtime.close()


def test_only_a_session_whose_owner_stopped_heartbeating_is_taken_and_by_one_process(
    bare: tuple[Runtime, str],
) -> None:
    runtime, app_id = bare
    job_id, _ = open_session(runtime, app_id, owner="live:a")
    with runtime.session() as session:
        assert record.take_orphans(session, owner="live:b", lease_seconds=30) == [], "its owner is alive"
    age(runtime, job_id, 60)
    with runtime.session() as session:
        assert record.take_orphans(session, owner="live:a", lease_seconds=30) == [], "never its own"
        assert record.take_orphans(session, owner="live:b", lease_seconds=30) == [job_id]
    with runtime.session() as session:
        assert record.take_orphans(session, owner="live:c", lease_seconds=30) == [], "b holds it now"
        assert record.renew(session, job_ids={job_id}, owner="live:a") == set(), "a lost it"
        assert record.renew(session, job_ids={job_id}, owner="live:b") == {job_id}


@pytest.fixture
def mailing_api(tmp_path: Path, sqlite_url: str, mailbox: Mailbox) -> Iterator[Api]:
    yield from open_api(make_settings(tmp_path / "data", sqlite_url, smtp_url=mailbox.url))


def test_a_summary_mail_already_sent_is_not_sent_again(mailing_api: Api, mailbox: Mailbox) -> None:
    """The state a crash between the mail and the job's end leaves: the next owner ends it without mailing."""
    runtime = mailing_api.runtime
    job_id, conversation_id = open_session(runtime, mailing_api.app_id, owner="live:gone", emails=[TEAM])
    said = [
        message_said("Let us ship the release on Friday.", 0.5),
        message_said("Who will write the notes?", 3.0),
    ]
    with runtime.session() as session:
        record.append_messages(session, conversation_id=conversation_id, job_id=job_id, messages=said)
        conversation = jobs.conversation_of(session, session.get(Job, job_id))
        conversation.metadata_ = {**conversation.metadata_, "summaryEmail": f"sent to {TEAM}"}
    age(runtime, job_id, 60)

    assert mailing_api.wait(job_id, timeout=60)["status"] == "completed"
    stored = mailing_api.get(f"/v1/conversations/{conversation_id}/messages").json()["messages"]
    assert [m["id"] for m in stored] == [m.id for m in said] and stored[0]["from"]["name"] == "Ann"
    assert mailing_api.get(f"/v1/conversations/{conversation_id}/summary").json()["summary"]
    metadata = mailing_api.get(f"/v1/conversations/{conversation_id}").json()["metadata"]
    assert metadata["endReason"] == CUT_SHORT and metadata["live"]["summaryEmails"] == [TEAM]
    assert mailbox.messages == []


def test_a_session_cut_before_anything_was_recognised_fails_with_the_reason(mailing_api: Api) -> None:
    job_id, conversation_id = open_session(
        mailing_api.runtime, mailing_api.app_id, owner="live:gone", emails=[TEAM]
    )
    age(mailing_api.runtime, job_id, 60)
    job = mailing_api.wait(job_id, timeout=60)
    assert job["status"] == "failed" and job["message"] == NOTHING_KEPT
    conversation = mailing_api.get(f"/v1/conversations/{conversation_id}").json()
    assert conversation["metadata"]["endReason"] == NOTHING_KEPT


def test_speaker_events_kept_live_attribute_a_session_ended_by_another_process(mailing_api: Api) -> None:
    """The messages were kept with the stream's speaker; the kept speaker events give the second one to Bob,
    as a normal stop would have."""
    runtime = mailing_api.runtime
    job_id, conversation_id = open_session(runtime, mailing_api.app_id, owner="live:gone")
    said = [message_said("Let us ship the release on Friday.", 0.5), message_said("Who writes notes?", 3.0)]
    bob = Speaker("bob@example.com", "Bob", "bob@example.com")
    with runtime.session() as session:
        record.append_messages(session, conversation_id=conversation_id, job_id=job_id, messages=said)
        for kind, offset in [("started_speaking", 3.3), ("stopped_speaking", 5.0)]:
            event = SpeakerEvent(kind=kind, user_key=bob.key, offset=offset)
            record.append_speaker_event(session, conversation_id=conversation_id, event=event, speaker=bob)
    age(runtime, job_id, 60)

    assert mailing_api.wait(job_id, timeout=60)["status"] == "completed"
    stored = mailing_api.get(f"/v1/conversations/{conversation_id}/messages").json()["messages"]
    assert [(m["id"], m["from"]["name"]) for m in stored] == [(said[0].id, "Ann"), (said[1].id, "Bob")]
    members = mailing_api.get(f"/v1/conversations/{conversation_id}/members").json()["members"]
    assert {(m["name"], m.get("email")) for m in members} >= {("Bob", "bob@example.com")}
