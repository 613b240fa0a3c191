"""Action items written by an OpenAI-compatible chat model (a real HTTP server on 127.0.0.1 that answers a
set reply): grounding in the cited lines, assignees, deadlines, scores, chunking, failures, and the API."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from parley.intel import abstractive
from parley.intel.analyze import analyze
from parley.intel.insights import find_insights
from parley.intel.llm_actions import AGREED, INSTRUCTION, MODEL_ONLY
from parley.intel.model import AnalysisContext, LLMEndpoint, Utterance
from tests.conftest import make_settings, open_api
from tests.intel.chat_server import chat_server

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
MEETING = [
    ("Alice", "Okay, let's wrap up."),
    ("Alice", "Bob, can you send the revised budget to the finance team by Friday?"),
    ("Bob", "Sure, I'll do that."),
    ("Carol", "The Android crash is still there on older phones."),
    ("Alice", "Let's meet again next Tuesday to check the launch plan."),
    ("Bob", "Sounds good."),
]
TASKS = [
    {
        "task": "Bob will send the revised budget to the finance team by Friday.",
        "assignee": "Bob",
        "due": "by Friday",
        "lines": [1, 2],
        "follow_up": True,
        "definitive": True,
    },
    {
        "task": "Carol will look into the Android crash on older phones.",
        "assignee": "Carol",
        "due": None,
        "lines": ["3", True, None],
        "follow_up": False,
        "definitive": False,
    },
    {"task": "A task the transcript never mentions.", "assignee": "Dave", "lines": [42]},
    {"task": "   ", "lines": [1]},
    "not a task",
]
FENCED = "Here are the action items:\n```json\n" + json.dumps(TASKS) + "\n```"


def _utterances(rows: list[tuple[str, str]]) -> list[Utterance]:
    return [
        Utterance(id=f"m{i}", text=text, start=i * 5.0, end=i * 5.0 + 4, speaker=who, member_id=who.lower())
        for i, (who, text) in enumerate(rows)
    ]


def _context(base_url: str, *, written: bool = True) -> AnalysisContext:
    endpoint = LLMEndpoint(base_url=base_url, model="test-model", timeout_seconds=10)
    return AnalysisContext(conversation_start=START, llm=endpoint, llm_action_items=written)


def test_the_models_tasks_become_grounded_action_items() -> None:
    utterances = _utterances(MEETING)
    with chat_server(reply=FENCED) as fake:
        insights = analyze(utterances, _context(fake.base_url)).insights
    [request] = fake.requests
    messages = request["body"]["messages"]
    assert messages[0] == {"role": "system", "content": INSTRUCTION}
    assert "[1] Alice: Bob, can you send the revised budget" in messages[1]["content"]
    assert "[5] Bob: Sounds good." in messages[1]["content"]

    questions = [i.text for i in insights if i.type == "question"]
    assert questions == ["Bob, can you send the revised budget to the finance team by Friday?"]
    send, look = [i for i in insights if i.type != "question"]  # the ungrounded and empty tasks are gone
    assert (send.type, send.text, send.messageIds) == ("follow_up", TASKS[0]["task"], ["m1", "m2"])
    assert send.assignee is not None and (send.assignee.memberId, send.assignee.name) == ("bob", "Bob")
    assert send.dueBy == "2026-03-06T00:00:00Z" and send.definitive
    assert [(e.type, e.text, e.offset) for e in send.entities] == [
        ("person", "Bob", 0),
        ("date", "by Friday", 53),
    ]
    assert (look.type, look.messageIds, look.dueBy, look.definitive) == ("action_item", ["m3"], None, False)
    assert look.assignee is not None and look.assignee.memberId == "carol"
    # the rules read a request on m1 (agreed), nothing on m3 (the model's alone)
    assert (send.score, look.score) == (AGREED, MODEL_ONLY)
    # the action phrases the rules read in its messages
    assert [p.text for p in send.phrases] == ["send the revised budget to the finance team", "do that"]
    assert look.phrases == []


def test_without_the_setting_the_rules_items_stay_and_nothing_is_asked() -> None:
    utterances = _utterances(MEETING)
    with chat_server(reply=FENCED) as fake:
        insights = analyze(utterances, _context(fake.base_url, written=False)).insights
    assert fake.requests == []
    assert insights == find_insights(utterances, _context(fake.base_url))[0]
    assert "Let's meet again next Tuesday to check the launch plan." in [i.text for i in insights]


@pytest.mark.parametrize(
    ("status", "reply"),
    [
        (500, "[]"),
        (200, "I could not find any action items."),
        (200, '[{"task": "Bob will send it", '),
        (200, "{}"),
    ],
)
def test_a_failing_model_leaves_the_rules_items(
    status: int, reply: str, caplog: pytest.LogCaptureFixture
) -> None:
    utterances = _utterances(MEETING)
    with chat_server(status=status, reply=reply) as fake:
        insights = analyze(utterances, _context(fake.base_url)).insights
    assert len(fake.requests) == 1 and "action items from the model failed" in caplog.text
    assert insights == find_insights(utterances, _context(fake.base_url))[0]


def test_an_empty_answer_means_no_action_items() -> None:
    with chat_server(reply="[]") as fake:
        insights = analyze(_utterances(MEETING), _context(fake.base_url)).insights
    assert {i.type for i in insights} == {"question"}


def test_a_long_transcript_is_asked_part_by_part(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(abstractive, "CHUNK_CHARS", 200)
    utterances = _utterances(MEETING * 4)
    first_line = [{"task": "Bob will send the revised budget.", "assignee": "Bob", "lines": [1]}]
    with chat_server(reply=json.dumps(first_line)) as fake:
        insights = analyze(utterances, _context(fake.base_url)).insights
    parts = [request["body"]["messages"][1]["content"] for request in fake.requests]
    assert len(parts) > 2 and all(len(part) <= 200 + len("Transcript:\n") for part in parts)
    assert "[23] Bob: Sounds good." in parts[-1] and "[1] Alice" not in parts[-1]  # numbered across parts
    # every part answered "line 1", which only the first part holds: the others' tasks are ungrounded
    assert [i.messageIds for i in insights if i.type != "question"] == [["m1"]]


def test_action_items_from_the_model_over_http(tmp_path: Path, sqlite_url: str) -> None:
    messages = [
        {"payload": {"content": text}, "from": {"name": who, "userId": f"{who.lower()}@example.com"}}
        for who, text in MEETING
    ]
    with chat_server(reply=FENCED) as fake:
        settings = make_settings(tmp_path / "data", sqlite_url, llm_base_url=fake.base_url)
        with contextmanager(open_api)(settings) as api:
            accepted = api.client.post("/v1/process/text", json={"messages": messages}, headers=api.headers)
            assert accepted.status_code == 201, accepted.text
            assert api.wait(accepted.json()["jobId"])["status"] == "completed"
            base = f"/v1/conversations/{accepted.json()['conversationId']}"
            follow_ups = api.get(f"{base}/follow-ups").json()["followUps"]
            action_items = api.get(f"{base}/action-items").json()["actionItems"]
    [send] = follow_ups
    assert send["text"] == TASKS[0]["task"] and send["assignee"]["name"] == "Bob"
    assert send["from"]["name"] == "Alice" and len(send["messageIds"]) == 2
    assert [item["text"] for item in action_items] == [TASKS[1]["task"]]
    assert action_items[0]["score"] == MODEL_ONLY
