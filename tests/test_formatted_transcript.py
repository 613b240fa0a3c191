"""Symbl's formatted transcript (`POST /v1/conversations/{id}/transcript`): Markdown and SRT with their
options, over a real text job's analysis."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.test_text_jobs import MESSAGES


def _conversation(api: Api) -> str:
    accepted = api.client.post(
        "/v1/process/text", json={"name": "Budget", "messages": MESSAGES}, headers=api.headers
    ).json()
    assert api.wait(accepted["jobId"])["status"] == "completed"
    return accepted["conversationId"]


def _formatted(api: Api, conversation_id: str, **options: Any) -> str:
    response = api.client.post(
        f"/v1/conversations/{conversation_id}/transcript", json=options, headers=api.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["transcript"]["contentType"] == options["contentType"]
    return response.json()["transcript"]["payload"]


def test_markdown_and_srt_follow_the_options(api: Api) -> None:
    conversation_id = _conversation(api)
    plain = _formatted(api, conversation_id, contentType="text/markdown")
    assert plain == (
        "Hello everyone.\n\nShall we start with the budget?\n\nYes, I will send the numbers by Friday.\n"
    )

    prose = _formatted(
        api, conversation_id, contentType="text/markdown", createParagraphs=True, showSpeakerSeparation=True
    )
    assert prose == (
        "**Alice:** Hello everyone. Shall we start with the budget?\n\n"
        "**Bob:** Yes, I will send the numbers by Friday.\n"
    )

    insights = api.get(f"/v1/conversations/{conversation_id}/insights").json()["insights"]
    promise = next(item for item in insights if item["type"] != "question")  # a follow-up: "send"
    phrase = promise["phrases"][0]["text"]
    marked = _formatted(
        api,
        conversation_id,
        contentType="text/markdown",
        phrases={"highlightOnlyInsightKeyPhrases": True},
    )
    assert "**Shall we start with the budget?**" in marked, "the question"
    assert f"**{phrase}**" in marked and phrase in "Yes, I will send the numbers by Friday."

    topics = api.get(f"/v1/conversations/{conversation_id}/topics").json()["topics"]
    everything = _formatted(
        api, conversation_id, contentType="text/markdown", phrases={"highlightAllKeyPhrases": True}
    )
    outside_the_question = [
        item["text"] for item in topics if item["text"] not in MESSAGES[0]["payload"]["content"]
    ]
    assert outside_the_question, topics
    for text in outside_the_question:
        assert f"**{text}**" in everything and f"**{text}**" not in marked

    subtitles = _formatted(api, conversation_id, contentType="text/srt", showSpeakerSeparation=True)
    assert subtitles.startswith("1\n00:00:00,000 --> ")
    assert "3\n00:00:07,000 --> 00:00:10,000\nBob: Yes, I will send the numbers by Friday.\n" in subtitles
    assert "Alice: " not in _formatted(api, conversation_id, contentType="text/srt")


def test_bad_requests_are_refused_with_the_reason(api: Api) -> None:
    conversation_id = _conversation(api)
    url = f"/v1/conversations/{conversation_id}/transcript"
    for body, field in [
        ({}, "contentType"),
        ({"contentType": "text/html"}, "contentType"),
        ({"contentType": "text/srt", "createParagraph": True}, "createParagraph"),
        ({"contentType": "text/markdown", "phrases": {"highlightAll": True}}, "phrases.highlightAll"),
    ]:
        response = api.client.post(url, json=body, headers=api.headers)
        assert response.status_code == 400 and field in response.json()["message"], (body, response.text)
    assert api.client.post(url, content=b"{", headers=api.headers).status_code == 400

    missing = api.client.post(
        "/v1/conversations/404/transcript", json={"contentType": "text/srt"}, headers=api.headers
    )
    assert missing.status_code == 404
    _, _, other_token = api.new_app("intruder")
    foreign = api.client.post(url, json={"contentType": "text/srt"}, headers={"x-api-key": other_token})
    assert foreign.status_code == 404
