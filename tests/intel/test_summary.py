"""Summaries: extractive on real meeting text; abstractive through a real OpenAI-compatible HTTP server."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from parley.intel import abstractive
from parley.intel.extractive import MAX_SENTENCES, MIN_CONTENT_WORDS, extractive_summary
from parley.intel.model import AnalysisContext, LLMEndpoint, Utterance
from parley.intel.summary import summarize
from parley.intel.text_similarity import content_words
from tests.intel.chat_server import chat_server
from tests.support import shared

START = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
MEETING = [
    ("Alice", "Good morning everyone, thanks for joining."),
    ("Alice", "Today we need to agree on the marketing budget for the spring launch."),
    ("Bob", "The marketing budget should grow by ten percent because the launch covers three countries."),
    ("Carol", "Yeah."),
    ("Carol", "The mobile app still crashes on older Android phones, so the launch date is at risk."),
    ("Bob", "Can the engineers fix the Android crashes before the launch date in May?"),
    ("Carol", "The engineers think the crash fix needs two more weeks of testing."),
    ("Alice", "Then we move the launch date to the first week of June."),
    ("Bob", "Okay."),
    ("Alice", "Bob will send the revised marketing budget to the finance team on Friday."),
]
CANNED = (
    "## Summary:\n"
    "- The team agreed to raise the marketing budget by ten percent for the spring launch.\n"
    "- Because the mobile app crashes on older Android phones, the launch moves to June. "
    "Bob will send the revised budget to finance on Friday."
)


def _utterances(rows: list[tuple[str, str]]) -> list[Utterance]:
    return [
        Utterance(id=f"m{i}", text=text, start=i * 5.0, end=i * 5.0 + 4, speaker=speaker)
        for i, (speaker, text) in enumerate(rows)
    ]


def _context(base_url: str | None, prompt: str | None = None) -> AnalysisContext:
    llm = (
        LLMEndpoint(base_url=base_url, model="test-model", api_key="sk-test", timeout_seconds=10)
        if base_url
        else None
    )
    return AnalysisContext(conversation_start=START, summary=True, summary_prompt=prompt, llm=llm)


def test_abstractive_summary_through_an_openai_compatible_server() -> None:
    utterances = _utterances(MEETING)
    with chat_server(reply=CANNED) as fake:
        summary = summarize(utterances, _context(fake.base_url))
    [request] = fake.requests
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-test"
    body = request["body"]
    assert body["model"] == "test-model"
    assert [message["role"] for message in body["messages"]] == ["system", "user"]
    assert body["messages"][0]["content"] == abstractive.DEFAULT_INSTRUCTION
    assert "Carol: The mobile app still crashes on older Android phones" in body["messages"][1]["content"]
    assert [sentence.text for sentence in summary] == [
        "The team agreed to raise the marketing budget by ten percent for the spring launch.",
        "Because the mobile app crashes on older Android phones, the launch moves to June.",
        "Bob will send the revised budget to finance on Friday.",
    ]
    refs = [[ref.id for ref in sentence.messageRefs] for sentence in summary]
    assert "m2" in refs[0] and "m4" in refs[1] and "m9" in refs[2], refs
    assert all(1 <= len(found) <= abstractive.MAX_REFS for found in refs)


def test_custom_prompt_is_the_instruction() -> None:
    with chat_server(reply=CANNED) as fake:
        summarize(_utterances(MEETING), _context(fake.base_url, prompt="List the decisions only."))
    assert fake.requests[0]["body"]["messages"][0]["content"] == "List the decisions only."


@pytest.mark.parametrize("status", [500, 200])
def test_failing_endpoint_falls_back_to_extractive(status: int, caplog: pytest.LogCaptureFixture) -> None:
    utterances = _utterances(MEETING)
    with chat_server(status=status, reply="   ") as fake:
        summary = summarize(utterances, _context(fake.base_url))
    assert fake.requests and "abstractive summary failed" in caplog.text
    assert summary == extractive_summary(utterances)
    unreachable = summarize(utterances, _context("http://127.0.0.1:9/v1"))
    assert unreachable == summary


def test_long_transcript_is_summarised_in_parts_then_combined(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(abstractive, "CHUNK_CHARS", 400)
    utterances = _utterances(MEETING * 3)
    chunks = abstractive.transcript_chunks(utterances)
    assert len(chunks) > 2 and all(len(chunk) <= 400 for chunk in chunks)
    with chat_server(reply=CANNED) as fake:
        summarize(utterances, _context(fake.base_url))
    assert len(fake.requests) == len(chunks) + 1
    assert "part 1 of" in fake.requests[0]["body"]["messages"][0]["content"]
    assert fake.requests[-1]["body"]["messages"][0]["content"] == abstractive.DEFAULT_INSTRUCTION
    monkeypatch.setattr(abstractive, "MAX_CHUNKS", 2)
    assert len(abstractive.transcript_chunks(utterances)) <= 2  # cut to its most central messages


def test_extractive_summary_of_a_real_meeting() -> None:
    raw = json.loads(shared("meeting_text/qmsum_test_TS3011b.json").read_text())
    texts = [
        sentence
        for turn in raw["meeting_transcripts"]
        for sentence in re.split(
            r"(?<=[.?!])\s+", " ".join(re.sub(r"\{[^}]*\}", " ", turn["content"]).split())
        )
        if sentence
    ]
    utterances = _utterances([("Speaker", text) for text in texts])
    summary = summarize(utterances, _context(None))
    assert len(summary) == MAX_SENTENCES  # 6% of 800+ sentences, bounded
    positions = [int(sentence.messageRefs[0].id[1:]) for sentence in summary]
    assert positions == sorted(positions)
    for sentence, position in zip(summary, positions, strict=True):
        assert sentence.text == texts[position] and len(sentence.text.split()) >= 6
    assert len({sentence.text for sentence in summary}) == len(summary)
    said = " ".join(sentence.text.lower() for sentence in summary)
    assert "remote" in said or "button" in said  # the meeting is about designing a remote control
    assert [s.text for s in summarize(_utterances(MEETING[:2]), _context(None))] == [MEETING[1][1]]
    assert summarize([], _context(None)) == []


def test_long_turns_are_summarised_by_their_sentences() -> None:
    raw = json.loads(shared("meeting_text/qmsum_test_TS3011b.json").read_text())
    turns = [
        " ".join(re.sub(r"\{[^}]*\}", " ", turn["content"]).split()) for turn in raw["meeting_transcripts"]
    ]
    summary = summarize(_utterances([("Speaker", turn) for turn in turns if turn]), _context(None))
    kept = [turn for turn in turns if turn]
    assert len(summary) == MAX_SENTENCES
    for sentence in summary:
        message = kept[int(sentence.messageRefs[0].id[1:])]
        assert sentence.text in message  # a sentence of its message, not the whole turn
        assert (
            len(content_words(sentence.text)) >= MIN_CONTENT_WORDS
        )  # not "Yeah, okay, w we will s we all uh"
    assert sum(sentence.text != kept[int(sentence.messageRefs[0].id[1:])] for sentence in summary) >= 3
    assert max(len(sentence.text) for sentence in summary) < 600 < max(len(turn) for turn in kept)
