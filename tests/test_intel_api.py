"""Topics, entities, summary and sentiment over HTTP: a text job, then the Conversation API reads."""

from __future__ import annotations

from typing import Any

import httpx
import symbl_rest

from parley.models import ConversationAnalysis
from tests.conftest import Api, SymblServer
from tests.support import wait_for_job

LINES = [
    ("Alice", "Welcome everyone, today we review the marketing budget for the spring launch."),
    ("Bob", "The marketing budget is too small for three countries, and I am really worried about it."),
    ("Carol", "The mobile app still crashes on older Android phones, which is terrible."),
    ("Bob", "Can the engineers fix the mobile app before the launch in Berlin on May 4th?"),
    ("Carol", "Yes, the engineers found the bug, and the fix looks great."),
    ("Alice", "Great, then the marketing budget grows by $20,000 for the launch."),
    ("Bob", "I will e-mail the new budget to finance@example.com on Friday."),
    ("Alice", "Thanks, this was a really productive meeting."),
]


def _messages() -> list[dict[str, Any]]:
    return [
        {
            "payload": {"content": text, "contentType": "text/plain"},
            "from": {"name": name, "userId": f"{name.lower()}@example.com"},
            "duration": {
                "startTime": f"2026-03-01T10:00:{index * 6:02d}.000Z",
                "endTime": f"2026-03-01T10:00:{index * 6 + 5:02d}.000Z",
            },
        }
        for index, (name, text) in enumerate(LINES)
    ]


BODY = {
    "name": "Launch review",
    "messages": _messages(),
    "enableSummary": True,
    "detectEntities": True,
    "entities": [{"customType": "Platform", "value": "Android", "text": "android phone"}],
}


def _completed(api: Api, body: dict[str, Any]) -> str:
    accepted = api.client.post("/v1/process/text", json=body, headers=api.headers).json()
    job = api.wait(accepted["jobId"])
    assert job["status"] == "completed" and "notes" not in job, job
    return accepted["conversationId"]


def test_text_job_topics_entities_summary_and_sentiment(sqlite_api: Api) -> None:
    api = sqlite_api
    conversation_id = _completed(api, BODY)
    base = f"/v1/conversations/{conversation_id}"
    messages = api.get(f"{base}/messages", params={"sentiment": "true"}).json()["messages"]
    by_id = {message["id"]: message for message in messages}
    labels = {message["text"]: message["sentiment"]["suggested"] for message in messages}
    assert labels["Thanks, this was a really productive meeting."] == "positive"
    assert labels["The mobile app still crashes on older Android phones, which is terrible."] == "negative"
    assert labels["I will e-mail the new budget to finance@example.com on Friday."] == "neutral"
    assert all(-1 <= message["sentiment"]["polarity"]["score"] <= 1 for message in messages)

    plain = api.get(f"{base}/topics").json()["topics"]
    assert "marketing budget" in [topic["text"] for topic in plain]
    for topic in plain:
        assert (
            topic["type"] == "topic" and 0 <= topic["score"] <= 1 and set(topic["messageIds"]) <= set(by_id)
        )
        assert "parentRefs" not in topic and "sentiment" not in topic
    rich = api.get(f"{base}/topics", params={"parentRefs": "true", "sentiment": "true"}).json()["topics"]
    texts = {topic["text"] for topic in rich}
    for topic in rich:
        assert topic["sentiment"]["suggested"] in {"positive", "neutral", "negative"}
        assert all(ref["type"] == "topic" and ref["text"] in texts for ref in topic["parentRefs"])

    entities = api.get(f"{base}/entities").json()["entities"]
    values = {(entity["type"], match["detectedValue"]) for entity in entities for match in entity["matches"]}
    assert {("email", "finance@example.com"), ("location", "Berlin"), ("money", "$20,000")} <= values, values
    platform = next(entity for entity in entities if entity["category"] == "Custom")
    assert platform["type"] == "Platform" and platform["value"] == "Android"
    assert platform["customType"] == "Platform" and platform["text"] == "Android phones"
    assert (
        platform["messageRefs"] == platform["matches"][0]["messageRefs"]
    )  # the older shape, for old clients
    [ref] = platform["matches"][0]["messageRefs"]
    said = by_id[ref["id"]]
    assert said["text"][ref["offset"] :].startswith("Android phones")
    assert (ref["startTime"], ref["endTime"]) == (said["startTime"], said["endTime"])

    summary = api.get(f"{base}/summary").json()["summary"]
    assert 1 <= len(summary) <= 3
    for sentence in summary:
        assert sentence["id"] and sentence["text"] == by_id[sentence["messageRefs"][0]["id"]]["text"]


def test_summary_is_404_until_analysed_or_when_not_requested(sqlite_api: Api) -> None:
    api = sqlite_api
    without = _completed(api, {"messages": _messages()})
    response = api.get(f"/v1/conversations/{without}/summary")
    assert response.status_code == 404 and "enableSummary=true" in response.json()["message"]
    assert api.get(f"/v1/conversations/{without}/entities").json() == {"entities": []}

    requested = _completed(api, BODY)
    assert api.get(f"/v1/conversations/{requested}/summary").status_code == 200
    with api.runtime.session() as session:  # as it is before the job's analysis is stored
        session.delete(session.get(ConversationAnalysis, requested))
    response = api.get(f"/v1/conversations/{requested}/summary")
    assert response.status_code == 404 and "once the job is completed" in response.json()["message"]


def test_official_client_reads_topics_entities_and_summary(symbl_server: SymblServer) -> None:
    client = symbl_server.client
    headers = {"x-api-key": symbl_server.token}
    accepted = httpx.post(f"{symbl_server.base_url}/v1/process/text", json=BODY, headers=headers).json()
    jobs = symbl_rest.JobsApi(client)
    final = wait_for_job(lambda: {"status": jobs.get_job_status(accepted["jobId"]).status}, timeout=180)
    assert final["status"] == "completed"

    conversations = symbl_rest.ConversationsApi(client)
    topics = conversations.get_topics_by_conversation_id(
        accepted["conversationId"], sentiment=True, parent_refs=True
    ).topics
    assert "marketing budget" in [topic.text for topic in topics]
    assert all(topic.type == "topic" and topic.sentiment.suggested for topic in topics)
    assert all(isinstance(topic.parent_refs, list) for topic in topics)
    entities = conversations.get_entities_by_conversation_id(accepted["conversationId"]).entities
    assert "Platform" in {entity.type for entity in entities}
    berlin = next(entity for entity in entities if entity.text == "Berlin")
    assert berlin.type == "location" and berlin.message_refs[0]["text"].startswith("Can the engineers")
    # symbl-rest has no summary method; its ApiClient makes the call with the same auth and parsing.
    summary = client.call_api(
        f"/v1/conversations/{accepted['conversationId']}/summary",
        "GET",
        response_type="object",
        auth_settings=["bearerAuth"],
        _return_http_data_only=True,
    )
    assert summary["summary"] and summary["summary"][0]["messageRefs"][0]["id"]
