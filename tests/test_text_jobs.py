"""Text jobs keep the given speakers and times; members come from the senders."""

from __future__ import annotations

from parley.models import Job
from tests.conftest import Api

MESSAGES = [
    {
        "payload": {
            "content": "Hello everyone. Shall we start with the budget?",
            "contentType": "text/plain",
        },
        "from": {"name": "Alice", "userId": "alice@example.com"},
        "duration": {"startTime": "2026-03-01T10:00:00.000Z", "endTime": "2026-03-01T10:00:06.000Z"},
    },
    {
        "payload": {"content": "Yes, I will send the numbers by Friday."},
        "from": {"name": "Bob", "userId": "bob@example.com"},
        "duration": {"startTime": "2026-03-01T10:00:07.000Z", "endTime": "2026-03-01T10:00:10.000Z"},
    },
]


def test_text_job_keeps_speakers_and_times(api: Api) -> None:
    response = api.client.post(
        "/v1/process/text", json={"name": "Budget", "messages": MESSAGES}, headers=api.headers
    )
    assert response.status_code == 201, response.text
    accepted = response.json()
    assert api.wait(accepted["jobId"])["status"] == "completed"

    conversation = api.get(f"/v1/conversations/{accepted['conversationId']}").json()
    assert conversation["startTime"] == "2026-03-01T10:00:00.000Z"
    assert conversation["endTime"] == "2026-03-01T10:00:10.000Z"
    members = api.get(f"/v1/conversations/{accepted['conversationId']}/members").json()["members"]
    assert [(m["name"], m["userId"]) for m in members] == [
        ("Alice", "alice@example.com"),
        ("Bob", "bob@example.com"),
    ]

    messages = api.get(f"/v1/conversations/{accepted['conversationId']}/messages").json()["messages"]
    assert [m["text"] for m in messages] == [
        "Hello everyone.",
        "Shall we start with the budget?",
        "Yes, I will send the numbers by Friday.",
    ]
    assert [m["from"]["name"] for m in messages] == ["Alice", "Alice", "Bob"]
    assert messages[0]["startTime"] == "2026-03-01T10:00:00.000Z"
    assert messages[1]["endTime"] == "2026-03-01T10:00:06.000Z"
    assert messages[2]["timeOffset"] == 7.0 and messages[2]["duration"] == 3.0


def test_text_append_reuses_members(api: Api) -> None:
    first = api.client.post("/v1/process/text", json={"messages": MESSAGES[:1]}, headers=api.headers).json()
    api.wait(first["jobId"])
    response = api.client.put(
        f"/v1/process/text/{first['conversationId']}",
        json={
            "messages": [
                {
                    "payload": {"content": "One more thing."},
                    "from": {"name": "Alice", "userId": "alice@example.com"},
                }
            ]
        },
        headers=api.headers,
    )
    assert response.status_code == 201, response.text
    api.wait(response.json()["jobId"])
    members = api.get(f"/v1/conversations/{first['conversationId']}/members").json()["members"]
    assert [m["name"] for m in members] == ["Alice"]
    messages = api.get(f"/v1/conversations/{first['conversationId']}/messages").json()["messages"]
    assert messages[-1]["text"] == "One more thing." and messages[-1]["from"]["name"] == "Alice"


def test_features_of_later_stages_are_stored_and_reported_as_not_built(sqlite_api: Api) -> None:
    api = sqlite_api
    body = {
        "messages": MESSAGES,
        "enableSummary": True,
        "trackers": [{"name": "Budget", "vocabulary": ["budget"]}],
    }
    accepted = api.client.post("/v1/process/text", json=body, headers=api.headers).json()
    job = api.wait(accepted["jobId"])
    assert job["status"] == "completed"
    assert not any("trackers" in note for note in job.get("notes", []))  # tracker detection is built
    with api.runtime.session() as session:
        stored = session.get(Job, accepted["jobId"]).options
    assert stored["enableSummary"] is True and stored["trackers"][0]["vocabulary"] == ["budget"]


def _meeting_on(api: Api, day: int) -> str:
    message = {
        "payload": {"content": f"Notes of day {day}."},
        "from": {"name": "Alice"},
        "duration": {"startTime": f"2026-03-0{day}T10:00:00Z", "endTime": f"2026-03-0{day}T10:00:05Z"},
    }
    accepted = api.client.post(
        "/v1/process/text", json={"name": f"Day {day}", "messages": [message]}, headers=api.headers
    ).json()
    assert api.wait(accepted["jobId"])["status"] == "completed"
    return accepted["conversationId"]


def test_the_conversation_list_orders_and_filters_by_start_time(api: Api) -> None:
    """Symbl's list parameters: `order` by start time (newest first by default), `startTime` / `endTime`."""
    second, first, third = _meeting_on(api, 2), _meeting_on(api, 1), _meeting_on(api, 3)

    def listed(**params: str) -> list[str]:
        response = api.client.get("/v1/conversations", params=params, headers=api.headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["conversations"]]

    assert listed() == [third, second, first]
    assert listed(order="asc") == [first, second, third]
    assert listed(order="asc", limit="1", offset="1") == [second]
    window = {"startTime": "2026-03-02T00:00:00Z", "endTime": "2026-03-03T10:00:00+00:00"}
    assert listed(**window) == [second]
    assert listed(startTime="2026-03-02T00:00:00Z", order="asc") == [second, third]

    for params, reason in [
        ({"order": "sideways"}, "order"),
        ({"sort": "conversation.name"}, "sort"),
        ({"filter": "conversation.name==Day 1"}, "filter"),
        ({"startTime": "2026-03-02T00:00:00"}, "time zone"),
        ({"startTime": "2026-03-03T00:00:00Z", "endTime": "2026-03-02T00:00:00Z"}, "before endTime"),
    ]:
        response = api.client.get("/v1/conversations", params=params, headers=api.headers)
        assert response.status_code == 400 and reason in response.json()["message"], (params, response.text)


def test_client_metadata_is_kept_and_updated(api: Api) -> None:
    """`metadata` on a job lands on its conversation; Symbl's Update Conversation merges more in."""
    job = {"name": "Budget", "messages": MESSAGES, "metadata": {"team": "sales", "ticket": 42}}
    accepted = api.client.post("/v1/process/text", json=job, headers=api.headers).json()
    assert api.wait(accepted["jobId"])["status"] == "completed"
    url = f"/v1/conversations/{accepted['conversationId']}"
    assert api.get(url).json()["metadata"] == {"team": "sales", "ticket": 42}

    updated = api.client.put(url, json={"metadata": {"ticket": 43, "stage": "won"}}, headers=api.headers)
    assert updated.status_code == 200, updated.text
    assert updated.json()["id"] == accepted["conversationId"]
    assert api.get(url).json()["metadata"] == {"team": "sales", "ticket": 43, "stage": "won"}

    for body, reason in [
        ({"metadata": {"_phone": 1}}, "kept for Parley"),
        ({"metadata": "sales"}, "metadata"),
        ({"metadata": {"x": "y" * 20_000}}, "at most"),
        ({"metadata": {}, "name": "x"}, "name"),
    ]:
        response = api.client.put(url, json=body, headers=api.headers)
        assert response.status_code == 400 and reason in response.json()["message"], (body, response.text)
    refused = api.client.post(
        "/v1/process/text", json=job | {"metadata": {"_live": True}}, headers=api.headers
    )
    assert refused.status_code == 400 and "metadata" in refused.json()["message"]

    missing = api.client.put("/v1/conversations/404", json={"metadata": {}}, headers=api.headers)
    assert missing.status_code == 404
    _, _, other_token = api.new_app("intruder")
    foreign = api.client.put(url, json={"metadata": {"a": 1}}, headers={"x-api-key": other_token})
    assert foreign.status_code == 404
    assert api.get(url).json()["metadata"]["stage"] == "won"


def test_features_parley_does_not_produce_are_named_on_the_job(api: Api) -> None:
    job = {"messages": MESSAGES, "features": {"featureList": ["insights", "callScore"]}}
    accepted = api.client.post("/v1/process/text", json=job, headers=api.headers).json()
    finished = api.wait(accepted["jobId"])
    assert finished["status"] == "completed"
    assert finished["notes"] == [
        "features.featureList 'callScore' was accepted and stored, but it is not built in this Parley version"
    ]
    wrong = api.client.post(
        "/v1/process/text",
        json={"messages": MESSAGES, "features": {"featureList": "callScore"}},
        headers=api.headers,
    )
    assert wrong.status_code == 400 and "features.featureList" in wrong.json()["message"]
