"""A phone call never outlives the server that placed it: killed by SIGKILL, its baresip still sends BYE, and
the server that ends the session afterwards hangs up a call that is still up (that very process only)."""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from parley.db import session_scope
from parley.live import record
from parley.live.ending import CUT_SHORT
from parley.live.sip_phone import BaresipCall, Route, end_left_call
from parley.models import Conversation
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
from tests.live.sipp_far_end import FarEnd
from tests.live_support import Collector, of_type


def _running(pid: int) -> bool:
    """Whether `pid` is still a live baresip (not gone, not a zombie waiting to be reaped)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"baresip\0")
    except OSError:
        return False


def _gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not _running(pid)


def test_a_killed_server_s_call_is_hung_up_and_its_sessionended(tmp_path: Path, far_end: FarEnd) -> None:
    env = parley_env(
        tmp_path / "data", f"sqlite:///{tmp_path / 'parley.db'}", PARLEY_JOB_LEASE_SECONDS=str(LEASE)
    )
    log = tmp_path / "server.log"
    server = start_server(env, log)
    try:
        credentials = create_app_cli(env)
        with httpx.Client(base_url=server.base_url) as client:
            token = token_for(client, credentials["appId"], credentials["appSecret"])
            started = client.post(
                "/v1/endpoint:connect",
                json={"operation": "start", "endpoint": {"type": "sip", "uri": far_end.uri}},
                headers={"x-api-key": token},
            )
        assert started.status_code == 201, started.text
        connection_id, conversation_id = started.json()["connectionId"], started.json()["conversationId"]
        headers = {"x-api-key": token}
        with connect(f"ws{server.base_url[4:]}/events/{connection_id}?access_token={token}") as socket:
            heard = Collector(lambda: json.loads(socket.recv(timeout=60)))
            deadline = time.monotonic() + 40
            while not of_type(heard.messages, "message_response") and time.monotonic() < deadline:
                time.sleep(0.2)
            said = [m["id"] for r in of_type(heard.messages, "message_response") for m in r["messages"]]
            assert said, f"nothing was recognised while the call was up:\n{log.read_text()[-3000:]}"
            conversation = httpx.get(f"{server.base_url}/v1/conversations/{conversation_id}", headers=headers)
            assert "_phone" not in conversation.json()["metadata"], "the call's process is not shown"
            phone = _phone_of(env["PARLEY_DATABASE_URL"], conversation_id)
            assert phone is not None and _running(phone.pid) and Path(phone.folder).is_dir()
            server.process.kill()  # SIGKILL: no shutdown of any kind, no hang-up by the server
            server.process.wait()
            heard.join(timeout=10)
        assert far_end.wait(timeout=15) == 0, "the far end never got a BYE"
        assert _gone(phone.pid, timeout=5), "baresip outlived its server"

        restarted = start_server(env, log)
        try:
            conversation = ended(restarted, headers, conversation_id)
            assert conversation["metadata"]["endReason"] == CUT_SHORT
            assert _phone_of(env["PARLEY_DATABASE_URL"], conversation_id) is None, "the call is forgotten"
            assert not Path(phone.folder).exists(), "the call's folder is removed"
            url = f"{restarted.base_url}/v1/conversations/{conversation_id}/messages"
            stored = [m["id"] for m in httpx.get(url, headers=headers).json()["messages"]]
            assert stored[: len(said)] == said
        finally:
            stop_server(restarted)
    finally:
        stop_server(server)


@pytest.fixture
def api(tmp_path: Path, sqlite_url: str) -> Iterator[Api]:
    yield from open_api(make_settings(tmp_path / "data", sqlite_url))


def _phone_of(database_url: str, conversation_id: str) -> record.Phone | None:
    with session_scope(database_url) as session:
        return record.phone_of(session.get_one(Conversation, conversation_id))


def _call(far_end: FarEnd) -> tuple[BaresipCall, int]:
    """A call to the far end placed by this test process: up until someone ends its baresip."""
    call = BaresipCall(
        local_ip="127.0.0.1", on_audio=lambda _: None, on_established=lambda: None, on_closed=lambda _: None
    )
    pid = call.start(Route(uri=far_end.uri, account="sip:parley@127.0.0.1"))
    call.dial(far_end.uri)
    assert call.established.wait(10), "the far end did not answer"
    return call, pid


def _orphan_with_phone(api: Api, phone: record.Phone) -> tuple[str, str]:
    """A live session whose server died mid-call: one message kept, its call's process noted."""
    job_id, conversation_id = open_session(api.runtime, api.app_id, owner="live:gone")
    with api.runtime.session() as session:
        record.note_phone(session, conversation_id=conversation_id, phone=phone)
        said = [message_said("Ask not what your country can do for you.", 0.5)]
        record.append_messages(session, conversation_id=conversation_id, job_id=job_id, messages=said)
    age(api.runtime, job_id, 60)
    return job_id, conversation_id


def test_the_server_ending_a_dead_server_s_session_hangs_up_its_call(api: Api, far_end: FarEnd) -> None:
    call, pid = _call(far_end)
    try:
        phone = record.Phone(pid=pid, folder=str(call.folder), host=record.this_host())
        job_id, conversation_id = _orphan_with_phone(api, phone)
        assert api.wait(job_id, timeout=60)["status"] == "completed"
        assert far_end.wait(timeout=15) == 0, "the far end never got a BYE"
        assert call.closed.wait(5) and _gone(pid, timeout=5)
        assert not call.folder.exists()
        assert api.get(f"/v1/conversations/{conversation_id}").json()["metadata"]["endReason"] == CUT_SHORT
        assert _phone_of(api.runtime.settings.database_url, conversation_id) is None, "the call is forgotten"
    finally:
        call.hang_up()


def test_a_call_on_another_host_is_left_to_that_host(api: Api, far_end: FarEnd) -> None:
    call, pid = _call(far_end)
    try:
        phone = record.Phone(pid=pid, folder=str(call.folder), host=f"not-{record.this_host()}")
        job_id, conversation_id = _orphan_with_phone(api, phone)
        assert api.wait(job_id, timeout=60)["status"] == "completed"
        assert _running(pid) and not call.closed.is_set(), "a process on this host with that pid was hit"
        assert api.get(f"/v1/conversations/{conversation_id}").json()["metadata"]["endReason"] == CUT_SHORT
        assert _phone_of(api.runtime.settings.database_url, conversation_id) is None, "the call is forgotten"
    finally:
        call.hang_up()
    assert far_end.wait(timeout=15) == 0


def test_only_that_very_baresip_isended(tmp_path: Path, far_end: FarEnd) -> None:
    """A pid that now runs something else, or another call's baresip, is left alone; so is a folder that
    is not a call folder of this server."""
    other = subprocess.Popen(["sleep", "60"])
    call, pid = _call(far_end)
    try:
        stray = tempfile.mkdtemp(prefix="parley-call-")
        assert not end_left_call(other.pid, stray) and other.poll() is None, "a reused pid was signalled"
        assert not end_left_call(pid, stray) and _running(pid), "another call's baresip was signalled"
        assert not Path(stray).exists(), "the left folder is removed all the same"
        outside = tmp_path / "parley-call-outside"
        outside.mkdir()
        assert not end_left_call(pid, str(outside)) and outside.is_dir() and _running(pid)
        assert end_left_call(pid, str(call.folder), grace=5) and _gone(pid, timeout=5)
        assert far_end.wait(timeout=15) == 0 and not call.folder.exists()
    finally:
        other.kill()
        other.wait()
        call.hang_up()
