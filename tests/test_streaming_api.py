"""Symbl's Streaming API end to end: real speech over a WebSocket, live results, a stored conversation.

Audio is sent at 1.5-2x real time to keep the suite short; the recogniser does not know the difference (it
sees the same chunks, only sooner), and bench/streaming.py measures latency at real-time pace.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from starlette.websockets import WebSocketDisconnect

from parley.live import record
from tests.conftest import Api
from tests.live_support import Collector, mulaw, of_type, pcm16, send_paced
from tests.support import espeak, read_mono, shared, wer

JFK = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)
QUESTION = "What do you think about the budget for next year?"


def _start(**extra: object) -> dict[str, object]:
    request = {
        "type": "start_request",
        "insightTypes": ["question", "action_item"],
        "config": {
            "confidenceThreshold": 0.5,
            "speechRecognition": {"encoding": "LINEAR16", "sampleRateHertz": 16000},
        },
        "speaker": {"userId": "jfk@example.com", "name": "John"},
        "trackers": [{"name": "Patriotism", "vocabulary": ["your country"]}],
    }
    return request | extra


def test_real_speech_streams_to_a_stored_conversation(sqlite_api: Api, tmp_path: Path) -> None:
    audio = pcm16(shared("asr_short/jfk.wav"), silence_after=1.0)
    audio += pcm16(espeak(QUESTION, tmp_path / "question.wav"), silence_after=1.5)
    url = f"/v1/streaming/live-1?access_token={sqlite_api.token}"
    with sqlite_api.client.websocket_connect(url) as socket:
        socket.send_json(_start())
        collector = Collector(socket.receive_json)
        send_paced(socket.send_bytes, audio, bytes_per_second=32_000, speed=1.5)
        socket.send_json({"type": "stop_request"})
        collector.join(timeout=120)
    messages = collector.messages
    assert isinstance(collector.error, WebSocketDisconnect) and collector.error.code == 1000

    kinds = [m["message"]["type"] if m["type"] == "message" else m["type"] for m in messages]
    assert kinds[:3] == ["started_listening", "conversation_created", "recognition_started"]
    assert kinds[-2:] == ["recognition_stopped", "conversation_completed"]
    conversation_id = messages[1]["message"]["data"]["conversationId"]

    results = of_type(messages, "recognition_result")
    interims = [r for r in results if not r["message"]["isFinal"]]
    finals = [r for r in results if r["message"]["isFinal"]]
    assert interims and finals
    first = finals[0]["message"]
    alternative = first["payload"]["raw"]["alternatives"][0]
    assert alternative["transcript"] and alternative["words"][0]["startTime"].keys() == {"seconds", "nanos"}
    assert first["user"]["name"] == "John"
    live_text = " ".join(r["message"]["punctuated"]["transcript"] for r in finals)
    assert wer(f"{JFK} {QUESTION}", live_text) < 0.25

    said = [m for response in of_type(messages, "message_response") for m in response["messages"]]
    assert said and said[0]["from"]["name"] == "John" and said[0]["payload"]["contentType"] == "text/plain"
    assert json.loads(said[0]["metadata"]["words"])[0]["word"]
    questions = [
        i for r in of_type(messages, "insight_response") for i in r["insights"] if i["type"] == "question"
    ]
    assert any("budget" in q["payload"]["content"].lower() for q in questions), questions
    trackers = [t for r in of_type(messages, "tracker_response") for t in r["trackers"]]
    assert any(t["name"] == "Patriotism" for t in trackers)

    stored = sqlite_api.get(f"/v1/conversations/{conversation_id}/messages").json()["messages"]
    assert wer(f"{JFK} {QUESTION}", " ".join(m["text"] for m in stored)) < 0.25
    assert stored[0]["from"]["name"] == "John"
    stored_ids = [m["id"] for m in stored]
    assert stored_ids == [m["id"] for m in said], "the stored messages keep the ids clients were sent live"
    assert _live_message_refs(messages) <= set(stored_ids), "live results refer to stored messages"
    detected = sqlite_api.get(f"/v1/conversations/{conversation_id}/questions").json()["questions"]
    assert any("budget" in q["text"].lower() for q in detected)
    found = sqlite_api.get(f"/v1/conversations/{conversation_id}/trackers-detected").json()
    assert found
    insights = sqlite_api.get(f"/v1/conversations/{conversation_id}/insights").json()["insights"]
    topics = sqlite_api.get(f"/v1/conversations/{conversation_id}/topics").json()["topics"]
    referred = {i for item in insights + topics for i in item["messageIds"]} | {
        ref["id"] for tracker in found for match in tracker["matches"] for ref in match["messageRefs"]
    }
    assert referred and referred <= set(stored_ids), "the final analysis refers to stored messages"


def _live_message_refs(messages: list[dict[str, Any]]) -> set[str]:
    """Every message id the live insight, topic and tracker responses refer to (at least one of each)."""
    insights = [
        i["messageReference"]["id"] for r in of_type(messages, "insight_response") for i in r["insights"]
    ]
    topics = [
        ref["id"]
        for r in of_type(messages, "topic_response")
        for t in r["topics"]
        for ref in t["messageReferences"]
    ]
    trackers = [
        ref["id"]
        for r in of_type(messages, "tracker_response")
        for t in r["trackers"]
        for match in t["matches"]
        for ref in match["messageRefs"]
    ]
    assert insights and topics and trackers
    return {*insights, *topics, *trackers}


@pytest.mark.parametrize(
    ("first", "code", "phrase"),
    [
        ("{not json", 1007, "not valid JSON"),
        (b"\x00\x01" * 800, 1002, "before a start_request"),
        (
            json.dumps(_start(config={"speechRecognition": {"encoding": "OPUS", "sampleRateHertz": 16000}})),
            1003,
            "encoding",
        ),
        (
            json.dumps(_start(config={"speechRecognition": {"sampleRateHertz": 11025}})),
            1003,
            "sampleRateHertz",
        ),
        (json.dumps({"type": "dance"}), 1002, "unknown message type"),
    ],
)
def test_bad_input_gets_an_error_and_a_clean_close(
    sqlite_api: Api, first: str | bytes, code: int, phrase: str
) -> None:
    with sqlite_api.client.websocket_connect(f"/v1/streaming/bad?access_token={sqlite_api.token}") as socket:
        socket.send_bytes(first) if isinstance(first, bytes) else socket.send_text(first)
        error = socket.receive_json()
        assert error["message"]["type"] == "error" and phrase in error["message"]["data"]["message"]
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
    assert closed.value.code == code


def test_the_token_may_come_as_an_x_api_key_header(sqlite_api: Api) -> None:
    headers = {"x-api-key": sqlite_api.token}
    with sqlite_api.client.websocket_connect("/v1/streaming/hdr", headers=headers) as socket:
        socket.send_json({"type": "stop_request"})  # authenticated: refused for the order, not the token
        assert "before a start_request" in socket.receive_json()["message"]["data"]["message"]


def test_a_bad_token_is_refused(sqlite_api: Api) -> None:
    with sqlite_api.client.websocket_connect("/v1/streaming/x?access_token=nope") as socket:
        assert "access token" in socket.receive_json()["message"]["data"]["message"]
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
    assert closed.value.code == 1008


def test_modify_request_switches_encoding_mid_stream(sqlite_api: Api) -> None:
    """The first half arrives as LINEAR16 at 16 kHz, the rest as 8 kHz mu-law after a modify_request."""
    wide = read_mono(shared("asr_short/jfk.wav"), 16_000)
    narrow = read_mono(shared("asr_short/jfk.wav"), 8_000)
    half = len(wide) // 2
    with sqlite_api.client.websocket_connect(f"/v1/streaming/mod?access_token={sqlite_api.token}") as socket:
        socket.send_json(_start(trackers=[]))
        collector = Collector(socket.receive_json)
        send_paced(socket.send_bytes, wide[:half].astype("<i2").tobytes(), bytes_per_second=32_000, speed=2.0)
        socket.send_json(
            {"type": "modify_request", "speechRecognition": {"encoding": "MULAW", "sampleRateHertz": 8000}}
        )
        rest = np.concatenate([narrow[len(narrow) // 2 :], np.zeros(8000, np.int16)])
        send_paced(socket.send_bytes, mulaw(rest), bytes_per_second=8_000, speed=2.0)
        socket.send_json({"type": "stop_request"})
        collector.join(timeout=120)
    finals = [r for r in of_type(collector.messages, "recognition_result") if r["message"]["isFinal"]]
    assert wer(JFK, " ".join(r["message"]["punctuated"]["transcript"] for r in finals)) < 0.3


def test_no_audio_ends_the_session_after_no_connection_timeout(sqlite_api: Api) -> None:
    with sqlite_api.client.websocket_connect(f"/v1/streaming/idle?access_token={sqlite_api.token}") as socket:
        socket.send_json(_start(noConnectionTimeout=1))
        collector = Collector(socket.receive_json)
        collector.join(timeout=30)
    stopped = of_type(collector.messages, "recognition_stopped")
    assert stopped and "noConnectionTimeout" in stopped[0]["message"]["data"]["reason"]
    assert of_type(collector.messages, "conversation_completed")


def test_the_official_python_sdks_wire_habits_are_understood(sqlite_api: Api) -> None:
    """What symbl-python-sdk's Streaming client does: the older /v1/realtime/insights path, the token in a
    header, `trackers: null`, 44.1 kHz LINEAR16, and a stop_request written as a Python dict's repr."""
    start = {
        "type": "start_request",
        "insightTypes": [],
        "speaker": {"userId": "jfk@example.com", "name": "John"},
        "trackers": None,
        "config": {
            "confidenceThreshold": 0.5,
            "languageCode": "en-US",
            "speechRecognition": {"encoding": "LINEAR16", "sampleRateHertz": 44100},
        },
    }
    url = "/v1/realtime/insights/c2RrLWNvbm4=?source=python_sdk"
    with sqlite_api.client.websocket_connect(url, headers={"X-API-KEY": sqlite_api.token}) as socket:
        socket.send_text(json.dumps(start))
        collector = Collector(socket.receive_json)
        audio = pcm16(shared("asr_short/jfk.wav"), rate=44_100, silence_after=1.0)
        send_paced(socket.send_bytes, audio, bytes_per_second=88_200, speed=2.0)
        socket.send_text(str({"type": "stop_request"}))
        collector.join(timeout=120)
    messages = collector.messages
    assert isinstance(collector.error, WebSocketDisconnect) and collector.error.code == 1000
    # The SDK takes the conversation id from the first "message" carrying message.data.conversationId.
    created = next(m for m in messages if m["type"] == "message" and "data" in m["message"])
    conversation_id = created["message"]["data"]["conversationId"]
    assert messages[-1]["message"] == {
        "type": "conversation_completed",
        "data": {"conversationId": conversation_id},
    }
    finals = [r for r in of_type(messages, "recognition_result") if r["message"]["isFinal"]]
    assert wer(JFK, " ".join(r["message"]["punctuated"]["transcript"] for r in finals)) < 0.25
    assert sqlite_api.get(f"/v1/conversations/{conversation_id}/messages").json()["messages"]


def test_a_python_literal_that_is_not_a_request_is_still_refused(sqlite_api: Api) -> None:
    with sqlite_api.client.websocket_connect(f"/v1/streaming/x?access_token={sqlite_api.token}") as socket:
        socket.send_text("__import__('os').system('true')")
        error = socket.receive_json()
    assert error["message"]["type"] == "error" and "not valid JSON" in error["message"]["data"]["message"]


def test_pushed_speaker_events_are_kept_all_or_none(sqlite_api: Api) -> None:
    """`POST /v1/event/{connectionId}`: a batch with one bad event is refused whole; a good one is kept in
    the database as well as applied live (a server that ends the session after this one died uses it)."""
    ann = {"userId": "ann@example.com", "name": "Ann"}
    with sqlite_api.client.websocket_connect(f"/v1/streaming/spk?access_token={sqlite_api.token}") as socket:
        socket.send_json(_start(trackers=[]))
        created = socket.receive_json(), socket.receive_json()
        conversation_id = created[1]["message"]["data"]["conversationId"]
        refused = sqlite_api.client.post(
            "/v1/event/spk",
            json={
                "speakerEvents": [
                    {"type": "started_speaking", "user": ann, "offset": {"seconds": 1, "nanos": 0}},
                    {"type": "stopped_speaking", "user": {}, "offset": {"seconds": 2, "nanos": 0}},
                ]
            },
            headers=sqlite_api.headers,
        )
        assert refused.status_code == 400 and "speaker event 1" in refused.json()["message"]
        with sqlite_api.runtime.session() as session:
            assert record.speaker_events(session, conversation_id=conversation_id) == ([], [])
        accepted = sqlite_api.client.post(
            "/v1/event/spk",
            json={
                "speakerEvents": [
                    {"type": "started_speaking", "user": ann, "offset": {"seconds": 1, "nanos": 0}},
                    {"type": "stopped_speaking", "user": ann, "offset": {"seconds": 2, "nanos": 500_000_000}},
                ]
            },
            headers=sqlite_api.headers,
        )
        assert accepted.status_code == 200 and accepted.json()["accepted"] == 2
        with sqlite_api.runtime.session() as session:
            events, users = record.speaker_events(session, conversation_id=conversation_id)
        assert [(e.kind, e.offset) for e in events] == [("started_speaking", 1.0), ("stopped_speaking", 2.5)]
        assert [(u.name, u.user_id) for u in users] == [("Ann", "ann@example.com")]
        socket.send_json({"type": "stop_request"})
        Collector(socket.receive_json).join(timeout=60)
