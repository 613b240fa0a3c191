"""Telephony dial-in end to end: Parley calls a real SIP far end (sipp on 127.0.0.1) through baresip.

The far end plays jfk.wav as PCMU RTP; Parley transcribes it live, sends DTMF, hangs up on stop and mails
the summary to an aiosmtpd server. Speech plays at real time (it is a phone call), so each call test takes
about as long as its audio.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import Api, make_settings, open_api
from tests.live.sipp_far_end import FarEnd, jfk_speech, start_far_end
from tests.live_support import Collector, of_type
from tests.notify.smtp_server import Mailbox, smtp_server
from tests.support import wer

JFK = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture
def speech(tmp_path: Path) -> Path:
    return jfk_speech(tmp_path)


def _api(tmp_path: Path, far_end: FarEnd, mailbox: Mailbox, **overrides: Any) -> Iterator[Api]:
    values: dict[str, Any] = {
        "sip_trunk": f"sip:127.0.0.1:{far_end.port}",
        "sip_username": "parley-trunk",
        "sip_password": "secret",
        "smtp_url": mailbox.url,
    }
    yield from open_api(
        make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'parley.db'}", **(values | overrides))
    )


def _connect(api: Api, endpoint: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = {"operation": "start", "endpoint": endpoint, "data": {"session": {"name": "Weekly sync"}}} | extra
    response = api.client.post("/v1/endpoint:connect", json=body, headers={"x-api-key": api.token})
    assert response.status_code == 201, response.text
    return response.json()


def _end_reason(api: Api, conversation_id: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        metadata = api.get(f"/v1/conversations/{conversation_id}").json()["metadata"]
        if "endReason" in metadata:
            return metadata["endReason"]
        time.sleep(0.2)
    raise AssertionError("the conversation was never finalised")


def test_pstn_call_through_the_trunk(tmp_path: Path, speech: Path, mailbox: Mailbox) -> None:
    far_end = start_far_end(tmp_path / "sipp", "answer", speech)
    try:
        for api in _api(tmp_path, far_end, mailbox):
            emails = {
                "invokeOn": "stop",
                "name": "sendSummaryEmail",
                "parameters": {"emails": ["team@example.com"]},
            }
            started = time.monotonic()
            connection = _connect(
                api,
                {"type": "pstn", "phoneNumber": "14155550100", "dtmf": ",12#"},
                actions=[emails],
                timezone="Asia/Tokyo",
            )
            connection_id = connection["connectionId"]
            assert connection["eventUrl"].endswith(f"/v1/event/{connection_id}")
            assert (
                connection["resultWebSocketUrl"].startswith("ws")
                and connection_id in connection["resultWebSocketUrl"]
            )
            pushed = api.client.post(
                f"/v1/event/{connection_id}",
                json={"type": "started_speaking", "user": {"userId": "jfk@example.com", "name": "JFK"}},
                headers=api.headers,
            )
            assert pushed.status_code == 200, pushed.text
            with api.client.websocket_connect(f"/events/{connection_id}?access_token={api.token}") as socket:
                events = Collector(socket.receive_json)
                time.sleep(max(0.0, 14.0 - (time.monotonic() - started)))  # the far end's speech plays
                stop = api.client.post(
                    "/v1/endpoint:connect",
                    json={"operation": "stop", "endpoint": {"connectionId": connection_id}},
                    headers=api.headers,
                )
                assert stop.status_code == 200, stop.text
                events.join(timeout=60)
            assert far_end.wait() == 0, "sipp did not get our BYE"
            assert far_end.capture.digits == ["1", "2", "#"]

            transcripts = of_type(events.messages, "transcript_response")
            assert any(t["isFinal"] for t in transcripts) and any(not t["isFinal"] for t in transcripts)
            said = [m for r in of_type(events.messages, "message_response") for m in r["messages"]]
            assert said and said[0]["from"]["name"] == "JFK"
            assert of_type(events.messages, "conversation_completed")

            conversation_id = connection["conversationId"]
            assert "stopped by request" in _end_reason(api, conversation_id)
            stored = api.get(f"/v1/conversations/{conversation_id}/messages").json()["messages"]
            assert wer(JFK, " ".join(m["text"] for m in stored)) < 0.3
            assert api.get(f"/v1/conversations/{conversation_id}").json()["name"] == "Weekly sync"

            assert len(mailbox.messages) == 1
            mail = mailbox.messages[0]
            text = mail.get_payload(decode=True).decode()
            assert mail["To"] == "team@example.com" and mail["Subject"] == "Summary of Weekly sync"
            assert "Asia/Tokyo" in text and "UTC+0900" in text
            link = next(line.split()[-1] for line in text.splitlines() if "/share/" in line)
            page = api.client.get(urlsplit(link).path)
            assert page.status_code == 200 and "Weekly sync" in page.text
    finally:
        far_end.stop()


def test_far_end_hangs_up_a_sip_call(tmp_path: Path, speech: Path, mailbox: Mailbox) -> None:
    far_end = start_far_end(tmp_path / "sipp", "hangup", speech, hangup_ms=5000)
    try:
        for api in _api(tmp_path, far_end, mailbox):
            connection = _connect(api, {"type": "sip", "uri": far_end.uri})
            with api.client.websocket_connect(
                f"/events/{connection['connectionId']}?access_token={api.token}"
            ) as socket:
                events = Collector(socket.receive_json)
                events.join(timeout=60)  # the session ends by itself when the far end hangs up
            stopped = of_type(events.messages, "recognition_stopped")
            assert stopped and "far end hung up" in stopped[0]["message"]["data"]["reason"]
            reason = _end_reason(api, connection["conversationId"])
            assert "far end hung up" in reason
            stored = api.get(f"/v1/conversations/{connection['conversationId']}/messages").json()["messages"]
            assert "fellow" in " ".join(m["text"] for m in stored).lower()
            assert far_end.wait() == 0
    finally:
        far_end.stop()


def test_busy_far_end_ends_the_connection(tmp_path: Path, speech: Path, mailbox: Mailbox) -> None:
    far_end = start_far_end(tmp_path / "sipp", "busy", speech)
    try:
        for api in _api(tmp_path, far_end, mailbox):
            connection = _connect(api, {"type": "sip", "uri": far_end.uri})
            reason = _end_reason(api, connection["conversationId"], timeout=20)
            assert "busy" in reason and "486" in reason
            assert (
                api.get(f"/v1/conversations/{connection['conversationId']}/messages").json()["messages"] == []
            )
            job_errors = api.client.post(
                "/v1/endpoint:connect",
                json={"operation": "stop", "endpoint": {"connectionId": connection["connectionId"]}},
                headers=api.headers,
            )
            assert job_errors.status_code == 404
    finally:
        far_end.stop()


def test_pstn_goes_through_the_outbound_proxy(tmp_path: Path, speech: Path, mailbox: Mailbox) -> None:
    """The trunk's host does not resolve; the INVITE still reaches it because it is sent via the proxy."""
    far_end = start_far_end(tmp_path / "sipp", "busy", speech)
    try:
        proxy = {
            "sip_trunk": "sip:trunk.example.invalid",
            "sip_outbound_proxy": f"sip:127.0.0.1:{far_end.port}",
        }
        for api in _api(tmp_path, far_end, mailbox, **proxy):
            connection = _connect(api, {"type": "pstn", "phoneNumber": "14155550100"})
            assert "busy" in _end_reason(api, connection["conversationId"], timeout=20)
            assert far_end.wait() == 0
        invite = (tmp_path / "sipp" / "messages.log").read_text()
        assert "INVITE sip:14155550100@trunk.example.invalid SIP/2.0" in invite
    finally:
        far_end.stop()


def test_unanswered_call_times_out(tmp_path: Path, speech: Path, mailbox: Mailbox) -> None:
    far_end = start_far_end(tmp_path / "sipp", "ring", speech)
    try:
        for api in _api(tmp_path, far_end, mailbox, sip_answer_timeout_seconds=2.0):
            connection = _connect(api, {"type": "sip", "uri": far_end.uri})
            assert "nobody answered within 2 s" in _end_reason(api, connection["conversationId"], timeout=20)
            assert far_end.wait() == 0, "sipp did not get our CANCEL"
    finally:
        far_end.stop()


@pytest.mark.parametrize(("password", "phrase"), [("secret", "busy"), ("wrong", "refused our credentials")])
def test_trunk_credentials_answer_the_challenge(
    tmp_path: Path, speech: Path, mailbox: Mailbox, password: str, phrase: str
) -> None:
    """The trunk challenges (401): the right password gets through (486 here), a wrong one is refused."""
    far_end = start_far_end(tmp_path / "sipp", "challenge", speech, credentials=("parley-trunk", password))
    try:
        for api in _api(tmp_path, far_end, mailbox):
            connection = _connect(api, {"type": "pstn", "phoneNumber": "14155550100"})
            assert phrase in _end_reason(api, connection["conversationId"], timeout=20)
            assert far_end.wait() == 0
    finally:
        far_end.stop()


@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        ({"operation": "start", "endpoint": {"type": "pstn", "phoneNumber": "+1 415 555"}}, "E.164"),
        ({"operation": "start", "endpoint": {"type": "sip", "uri": "room at example"}}, "SIP URI"),
        ({"operation": "start", "endpoint": {"type": "sip", "uri": "sip:a@b", "dtmf": "12x"}}, "dtmf"),
        (
            {"operation": "start", "endpoint": {"type": "sip", "uri": "sip:a@b"}, "timezone": "Mars/Base"},
            "IANA",
        ),
        ({"operation": "dance", "endpoint": {"type": "sip", "uri": "sip:a@b"}}, "operation"),
    ],
)
def test_bad_requests_are_refused(sqlite_api: Api, body: dict[str, Any], phrase: str) -> None:
    response = sqlite_api.client.post("/v1/endpoint:connect", json=body, headers=sqlite_api.headers)
    assert response.status_code == 400 and phrase in response.json()["message"], response.text


def test_stop_of_an_unknown_connection_is_404(sqlite_api: Api) -> None:
    body = {"operation": "stop", "endpoint": {"connectionId": "nope"}}
    assert (
        sqlite_api.client.post("/v1/endpoint:connect", json=body, headers=sqlite_api.headers).status_code
        == 404
    )


def test_pstn_needs_a_trunk(sqlite_api: Api) -> None:
    body = {"operation": "start", "endpoint": {"type": "pstn", "phoneNumber": "14155550100"}}
    response = sqlite_api.client.post("/v1/endpoint:connect", json=body, headers=sqlite_api.headers)
    assert response.status_code == 400 and "PARLEY_SIP_TRUNK" in response.json()["message"]
