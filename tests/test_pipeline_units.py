"""Sentence grouping, text transcripts and export formats, without models or a database."""

from __future__ import annotations

import pytest

from parley.conversations.export import render
from parley.errors import BadRequest
from parley.pipeline.sentences import group_words, split_text
from parley.pipeline.text import build_transcript, conversation_start
from parley.transcript import Word


def _words(spec: str, speaker: str | None = None, start: float = 0.0) -> list[Word]:
    return [
        Word(text, start + i * 0.5, start + i * 0.5 + 0.4, 0.9, speaker)
        for i, text in enumerate(spec.split())
    ]


def test_words_group_into_sentences_and_never_across_speakers() -> None:
    words = _words("Hello there. How are") + _words("you? Fine thanks Dr. Smith.", speaker="b", start=2.0)
    messages = list(group_words(words))
    assert [m.text for m in messages] == ["Hello there.", "How are", "you?", "Fine thanks Dr. Smith."]
    assert [m.speaker for m in messages] == [None, None, "b", "b"]
    assert messages[0].start == 0.0 and messages[0].end == pytest.approx(0.9)


def test_long_pauses_and_run_on_speech_split_messages() -> None:
    paused = _words("one two") + _words("three four", start=10.0)
    assert [m.text for m in group_words(paused)] == ["one two", "three four"]
    run_on = _words(" ".join(["word"] * 130))
    assert [len(m.words) for m in group_words(run_on)] == [60, 60, 10]


def test_split_text_keeps_abbreviations() -> None:
    assert split_text("Hi Mr. Jones. It is 5 p.m. now! OK?") == ["Hi Mr. Jones.", "It is 5 p.m. now!", "OK?"]
    assert split_text("no punctuation at all") == ["no punctuation at all"]


def test_text_transcript_shares_time_by_sentence_length() -> None:
    messages = [
        {
            "payload": {"content": "Short. A much longer sentence here."},
            "from": {"name": "Ann"},
            "duration": {"startTime": "2026-01-01T00:00:00Z", "endTime": "2026-01-01T00:00:10Z"},
        }
    ]
    transcript = build_transcript(messages, start=conversation_start(messages))
    first, second = transcript.messages
    assert first.start == 0 and second.end == pytest.approx(10)
    assert first.end == pytest.approx(second.start) and (first.end - first.start) < (
        second.end - second.start
    )
    assert transcript.speakers[0].name == "Ann"


def test_text_times_must_be_zoned_and_ordered() -> None:
    with pytest.raises(BadRequest, match="time zone"):
        conversation_start([{"payload": {"content": "x"}, "duration": {"startTime": "2026-01-01T00:00:00"}}])
    backwards = [
        {
            "payload": {"content": "x"},
            "duration": {"startTime": "2026-01-01T00:00:10Z", "endTime": "2026-01-01T00:00:00Z"},
        }
    ]
    with pytest.raises(BadRequest, match="before"):
        build_transcript(backwards, start=conversation_start(backwards))


PAYLOAD = {
    "conversation": {
        "name": "Demo",
        "startTime": "2026-01-01T00:00:00.000Z",
        "endTime": "2026-01-01T00:01:05.000Z",
    },
    "messages": [
        {"text": "Hello.", "from": {"name": "Ann"}, "timeOffset": 1.25, "duration": 1.0},
        {"text": "Bye.", "from": {}, "timeOffset": 62.5, "duration": 2.5},
    ],
}


def test_export_formats() -> None:
    assert render(PAYLOAD, "txt") == "Ann: Hello.\nBye.\n"
    assert render(PAYLOAD, "srt").splitlines()[:3] == ["1", "00:00:01,250 --> 00:00:02,250", "Ann: Hello."]
    vtt = render(PAYLOAD, "vtt")
    assert vtt.startswith("WEBVTT\n") and "00:01:02.500 --> 00:01:05.000\nBye." in vtt
    assert "\n<v Ann>Hello.\n" in vtt
    assert "**[00:01:02]** Bye." in render(PAYLOAD, "md")
    with pytest.raises(ValueError, match="unknown format"):
        render(PAYLOAD, "docx")
