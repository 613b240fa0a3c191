"""Questions, action items and follow-ups over HTTP: text jobs, real speech, thresholds, renames, and the
official symbl-rest client against a real server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import symbl_rest

from tests.conftest import Api, SymblServer
from tests.support import espeak, wait_for_job


def _message(who: str, text: str, second: int) -> dict[str, Any]:
    return {
        "payload": {"content": text},
        "from": {"name": who, "userId": f"{who.lower()}@example.com"},
        "duration": {
            "startTime": f"2026-03-02T14:00:{second:02d}.000Z",
            "endTime": f"2026-03-02T14:00:{second + 2:02d}.000Z",
        },
    }


MESSAGES = [
    _message("Alice", "Can you review the contract by Friday?", 0),
    _message("Bob", "Sure, I will review it tomorrow at 3pm.", 3),
    _message("Alice", "Maybe I could review the contract with legal.", 6),
    _message("Bob", "I'll send the deck to the team next week.", 9),
    _message("Alice", "Thanks, that sounds good.", 12),
]


def _submit(api: Api, **options: Any) -> str:
    body = {"name": "Planning", "messages": MESSAGES, "timezoneOffset": -300} | options
    accepted = api.client.post("/v1/process/text", json=body, headers=api.headers)
    assert accepted.status_code == 201, accepted.text
    assert api.wait(accepted.json()["jobId"])["status"] == "completed"
    return accepted.json()["conversationId"]


def test_text_job_insights_have_symbls_shapes(api: Api) -> None:
    conversation_id = _submit(api, detectPhrases=True)
    base = f"/v1/conversations/{conversation_id}"

    questions = api.get(f"{base}/questions").json()["questions"]
    assert [q["text"] for q in questions] == ["Can you review the contract by Friday?"]
    assert questions[0]["type"] == "question" and questions[0]["from"]["name"] == "Alice"
    assert 0.5 <= questions[0]["score"] <= 1 and len(questions[0]["messageIds"]) == 1

    items = {item["text"]: item for item in api.get(f"{base}/action-items").json()["actionItems"]}
    request = items["Can you review the contract by Friday?"]
    assert request["assignee"]["name"] == "Bob" and request["from"]["name"] == "Alice"
    assert request["dueBy"] == "2026-03-06T00:00:00-05:00" and request["definitive"] is True
    assert request["phrases"] == [{"type": "action_phrase", "text": "review the contract"}]
    assert {
        "type": "date",
        "text": "by Friday",
        "offset": 28,
        "value": "2026-03-06T00:00:00-05:00",
    } in request["entities"]
    commitment = items["Sure, I will review it tomorrow at 3pm."]
    # The speaker's member, shaped like /members (a text job's sender gave a userId, no email).
    assert commitment["assignee"] == {
        "id": commitment["from"]["id"],
        "name": "Bob",
        "userId": "bob@example.com",
    }
    assert commitment["dueBy"] == "2026-03-03T15:00:00-05:00"
    assert items["Maybe I could review the contract with legal."]["definitive"] is False

    follow_ups = api.get(f"{base}/follow-ups").json()["followUps"]
    assert [(f["text"], f["type"], f["assignee"]["name"]) for f in follow_ups] == [
        ("I'll send the deck to the team next week.", "follow_up", "Bob")
    ]
    assert follow_ups[0]["dueBy"] == "2026-03-09T00:00:00-05:00"
    everything = api.get(f"{base}/insights").json()["insights"]
    assert sorted(i["type"] for i in everything) == ["action_item"] * 3 + ["follow_up", "question"]

    messages = api.get(f"{base}/messages").json()["messages"]
    by_text = {m["text"]: m["phrases"] for m in messages}
    assert by_text["I'll send the deck to the team next week."] == [
        {"type": "action_phrase", "text": "send the deck to the team"}
    ]
    assert by_text["Thanks, that sounds good."] == []


def test_phrases_only_when_asked_for(sqlite_api: Api) -> None:
    conversation_id = _submit(sqlite_api)
    messages = sqlite_api.get(f"/v1/conversations/{conversation_id}/messages").json()["messages"]
    assert all(m["phrases"] == [] for m in messages)


def test_confidence_threshold_from_query_and_from_the_job(sqlite_api: Api) -> None:
    api = sqlite_api
    conversation_id = _submit(api)
    base = f"/v1/conversations/{conversation_id}/action-items"
    default = api.get(base).json()["actionItems"]
    strict = api.get(base, params={"confidenceThreshold": 0.8}).json()["actionItems"]
    assert "Maybe I could review the contract with legal." in [i["text"] for i in default]
    assert [i["text"] for i in strict] == [i["text"] for i in default if i["score"] >= 0.8]
    assert 0 < len(strict) < len(default)
    assert api.get(base, params={"confidenceThreshold": 0.3}).status_code == 400

    strict_job = _submit(api, confidenceThreshold=0.8)
    stored = api.get(f"/v1/conversations/{strict_job}/action-items").json()["actionItems"]
    assert [i["text"] for i in stored] == [i["text"] for i in strict]


def test_a_volunteer_takes_on_a_request_to_anyone(sqlite_api: Api) -> None:
    api = sqlite_api
    messages = [
        _message("Alice", "Could somebody send the minutes to the client?", 0),
        _message("Bob", "I'll do that.", 3),
    ]
    base = f"/v1/conversations/{_submit(api, messages=messages)}"
    stored = api.get(f"{base}/messages").json()["messages"]
    follow_ups = api.get(f"{base}/follow-ups").json()["followUps"]
    assert [(f["text"], f["from"]["name"], f["assignee"]["name"]) for f in follow_ups] == [
        ("Could somebody send the minutes to the client?", "Alice", "Bob")
    ]
    assert follow_ups[0]["messageIds"] == [m["id"] for m in stored] and follow_ups[0]["definitive"] is True
    assert api.get(f"{base}/action-items").json()["actionItems"] == []  # "I'll do that" is not a second item


def test_renaming_a_member_changes_from_and_assignee(sqlite_api: Api) -> None:
    api = sqlite_api
    conversation_id = _submit(api)
    members = api.get(f"/v1/conversations/{conversation_id}/members").json()["members"]
    bob = next(m for m in members if m["name"] == "Bob")
    renamed = api.client.put(
        f"/v1/conversations/{conversation_id}/members/{bob['id']}",
        json={"id": bob["id"], "name": "Robert", "email": "robert@example.com"},
        headers=api.headers,
    )
    assert renamed.status_code == 200, renamed.text
    items = api.get(f"/v1/conversations/{conversation_id}/action-items").json()["actionItems"]
    request = next(i for i in items if i["text"].startswith("Can you review"))
    assert (request["assignee"]["id"], request["assignee"]["name"]) == (bob["id"], "Robert")
    assert request["assignee"]["email"] == "robert@example.com"
    commitment = next(i for i in items if i["text"].startswith("Sure"))
    assert commitment["from"]["name"] == "Robert" and commitment["assignee"]["name"] == "Robert"


def test_real_speech_question_and_action_item(sqlite_api: Api, tmp_path: Path) -> None:
    api = sqlite_api
    speech = espeak("Can you send me the report by Friday?", tmp_path / "ask.wav", speed=140)
    accepted = api.client.post(
        "/v1/process/audio", content=speech.read_bytes(), headers=api.headers | {"Content-Type": "audio/wav"}
    )
    assert accepted.status_code == 201, accepted.text
    assert api.wait(accepted.json()["jobId"])["status"] == "completed"
    base = f"/v1/conversations/{accepted.json()['conversationId']}"
    questions = api.get(f"{base}/questions").json()["questions"]
    assert len(questions) == 1 and "report" in questions[0]["text"].lower()
    follow_ups = api.get(f"{base}/follow-ups").json()["followUps"]
    assert len(follow_ups) == 1 and follow_ups[0]["dueBy"] is not None
    assert "send me the report" in follow_ups[0]["phrases"][0]["text"].lower()


def test_official_client_reads_insights_unchanged(symbl_server: SymblServer) -> None:
    client = symbl_server.client
    accepted = symbl_rest.AsyncApi(client).add_text(
        body=symbl_rest.AsyncTextParameters(name="Client", messages=MESSAGES)
    )
    jobs = symbl_rest.JobsApi(client)
    assert (
        wait_for_job(lambda: {"status": jobs.get_job_status(accepted.job_id).status})["status"] == "completed"
    )
    conversations = symbl_rest.ConversationsApi(client)
    questions = conversations.get_questions_by_conversation_id(accepted.conversation_id).questions
    items = conversations.get_action_items_by_conversation_id(accepted.conversation_id).action_items
    follow_ups = conversations.get_follow_ups_by_conversation_id(accepted.conversation_id).follow_ups
    insights = conversations.get_insights_by_conversation_id(accepted.conversation_id).insights
    assert [q.text for q in questions] == ["Can you review the contract by Friday?"]
    request = next(i for i in items if i.text.startswith("Can you review"))
    assert request.assignee.name == "Bob" and request.due_by.isoformat() == "2026-03-06T00:00:00+00:00"
    assert request.phrases[0].text == "review the contract" and request.definitive is True
    assert (
        follow_ups[0].text == "I'll send the deck to the team next week."
        and follow_ups[0].type == "follow_up"
    )
    assert len(insights) == len(questions) + len(items) + len(follow_ups)
