"""Members, speaker events and analytics through the Symbl API, exact on constructed conversations."""

from __future__ import annotations

from tests.conftest import Api

T0 = "2026-05-04T09:00:"


def _said(text: str, name: str, start: int, end: int) -> dict:
    return {
        "payload": {"content": text},
        "from": {"name": name, "userId": f"{name.lower()}@example.com"},
        "duration": {"startTime": f"{T0}{start:02d}Z", "endTime": f"{T0}{end:02d}Z"},
    }


CONSTRUCTED = [
    _said("one two three four five six seven eight nine ten", "Ann", 0, 10),
    _said("alpha beta gamma delta epsilon zeta eta", "Bob", 8, 15),
    _said("and that is all from me", "Ann", 20, 25),
]


def _conversation(api: Api, messages: list[dict]) -> str:
    accepted = api.client.post("/v1/process/text", json={"messages": messages}, headers=api.headers).json()
    assert api.wait(accepted["jobId"])["status"] == "completed"
    return accepted["conversationId"]


def test_analytics_are_exact_on_a_constructed_conversation(api: Api) -> None:
    conversation_id = _conversation(api, CONSTRUCTED)
    body = api.get(f"/v1/conversations/{conversation_id}/analytics").json()
    metrics = {metric["type"]: (metric["seconds"], metric["percent"]) for metric in body["metrics"]}
    assert metrics == {
        "total_silence": (5.0, 20.0),
        "total_talk_time": (20.0, 80.0),
        "total_overlap": (2.0, 8.0),
    }
    ann, bob = body["members"]
    assert ann["name"] == "Ann" and ann["userId"] == "ann@example.com"
    assert ann["talkTime"] == {"percentage": 75.0, "seconds": 15.0}
    assert ann["listenTime"] == {"percentage": 25.0, "seconds": 5.0}
    assert ann["pace"]["wpm"] == round(16 / (15 / 60), 1)
    assert ann["overlap"]["overlapDuration"] == 2.0
    assert [(m["name"], m["seconds"], m["percent"]) for m in ann["overlap"]["overlappingMembers"]] == [
        ("Bob", 2.0, 13.33)
    ]
    assert bob["talkTime"] == {"percentage": 35.0, "seconds": 7.0}
    assert bob["overlap"]["overlappingMembers"][0]["percent"] == 28.57


def test_renaming_a_member_reaches_every_message(api: Api) -> None:
    conversation_id = _conversation(api, CONSTRUCTED)
    ann = api.get(f"/v1/conversations/{conversation_id}/members").json()["members"][0]
    response = api.client.put(
        f"/v1/conversations/{conversation_id}/members/{ann['id']}",
        json={"id": ann["id"], "name": "Ann Lee", "email": "ann.lee@example.com"},
        headers=api.headers,
    )
    assert response.status_code == 200 and "updated successfully" in response.json()["message"]
    messages = api.get(f"/v1/conversations/{conversation_id}/messages").json()["messages"]
    assert [m["from"].get("name") for m in messages] == ["Ann Lee", "Bob", "Ann Lee"]
    assert messages[0]["from"]["email"] == "ann.lee@example.com"

    wrong = api.client.put(
        f"/v1/conversations/{conversation_id}/members/nope", json={"name": "X"}, headers=api.headers
    )
    assert wrong.status_code == 404
    bad = api.client.put(
        f"/v1/conversations/{conversation_id}/members/{ann['id']}",
        json={"email": "not-an-email"},
        headers=api.headers,
    )
    assert bad.status_code == 400 and "email" in bad.json()["message"]


def test_speaker_events_reattribute_messages(api: Api) -> None:
    anonymous = [{k: v for k, v in m.items() if k != "from"} for m in CONSTRUCTED]
    conversation_id = _conversation(api, anonymous)
    assert api.get(f"/v1/conversations/{conversation_id}/members").json()["members"] == []

    def event(kind: str, user: str, seconds: float) -> dict:
        return {
            "type": kind,
            "user": {"id": user, "name": user.title()},
            "offset": {"seconds": seconds, "nanos": 0},
        }

    events = [
        event("started_speaking", "carol", 0),
        event("stopped_speaking", "carol", 7),
        event("started_speaking", "dan", 7),
        event("stopped_speaking", "dan", 16),
        event("started_speaking", "carol", 19),
    ]
    response = api.client.put(
        f"/v1/conversations/{conversation_id}/speakers", json={"speakerEvents": events}, headers=api.headers
    )
    assert response.status_code == 200, response.text
    messages = api.get(f"/v1/conversations/{conversation_id}/messages").json()["messages"]
    assert [m["from"]["name"] for m in messages] == ["Carol", "Dan", "Carol"]
    members = api.get(f"/v1/conversations/{conversation_id}/members").json()["members"]
    assert sorted(m["name"] for m in members) == ["Carol", "Dan"]

    unpaired = [event("stopped_speaking", "erin", 3)]
    bad = api.client.put(
        f"/v1/conversations/{conversation_id}/speakers", json={"speakerEvents": unpaired}, headers=api.headers
    )
    assert bad.status_code == 400 and "had not started" in bad.json()["message"]
    wrong_type = [{"type": "coughed", "user": {"id": "x"}, "offset": {"seconds": 1}}]
    bad_type = api.client.put(
        f"/v1/conversations/{conversation_id}/speakers",
        json={"speakerEvents": wrong_type},
        headers=api.headers,
    )
    assert bad_type.status_code == 400 and "speakerEvents.0.type" in bad_type.json()["message"]
