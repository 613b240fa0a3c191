"""Topics: key phrases ranked and merged, with the messages that discuss them and a parent hierarchy."""

from __future__ import annotations

import json
import re

from parley.intel.model import Utterance
from parley.intel.topics import find_topics, topic_count
from tests.support import shared

BUDGET_MEETING = [
    "Let's start with the marketing budget for next quarter.",
    "The marketing budget has to cover the product launch in May.",
    "I think the launch video should show the new mobile app.",
    "The mobile app still crashes on older phones.",
    "Can the engineers fix the mobile app before the launch?",
    "We could move some of the marketing budget to app testing.",
    "The sales team wants more money for trade shows too.",
    "Trade shows bring most of our new customers.",
    "Our customers asked for a cheaper subscription plan.",
    "A cheaper subscription plan would help the sales team.",
]


def _utterances(texts: list[str]) -> list[Utterance]:
    return [Utterance(id=f"m{i}", text=text, start=i * 5.0, end=i * 5.0 + 4) for i, text in enumerate(texts)]


def test_key_phrases_with_their_messages() -> None:
    topics = find_topics(_utterances(BUDGET_MEETING))
    by_text = {topic.text: topic for topic in topics}
    assert {"marketing budget", "mobile app", "subscription plan"} <= set(by_text), list(by_text)
    assert by_text["marketing budget"].messageIds == ["m0", "m1", "m5"]
    assert by_text["mobile app"].messageIds == ["m2", "m3", "m4"]
    assert len(topics) <= topic_count(len(BUDGET_MEETING))
    assert max(topic.score for topic in topics) == 1.0 and all(0 <= topic.score <= 1 for topic in topics)
    assert [topic.score for topic in topics] == sorted((topic.score for topic in topics), reverse=True)
    assert len({topic.id for topic in topics}) == len(topics)


def test_filler_nouns_and_pronouns_are_not_topics() -> None:
    texts = ["I think that's a thing we do all the time.", "Yeah, it is a lot of stuff, you know."] * 3
    assert find_topics(_utterances(texts + BUDGET_MEETING)) and not {
        topic.text for topic in find_topics(_utterances(texts + BUDGET_MEETING))
    } & {"thing", "time", "lot", "stuff", "it", "you"}
    assert find_topics([]) == []


def test_real_meeting_topics_parents_and_stability() -> None:
    raw = json.loads(shared("meeting_text/qmsum_test_ES2004a.json").read_text())
    texts = [
        sentence
        for turn in raw["meeting_transcripts"]
        for sentence in re.split(r"(?<=[.?!])\s+", re.sub(r"\{[^}]*\}", " ", turn["content"]))
        if len(sentence.split()) > 1
    ]
    utterances = _utterances(texts)
    topics = find_topics(utterances)
    texts_found = [topic.text for topic in topics]
    assert "remote control" in texts_found[:3], texts_found
    assert 5 <= len(topics) <= topic_count(len(utterances))
    known = set(texts_found)
    children = [topic for topic in topics if topic.parent]
    assert children, "related topics (the animals of the ice-breaker) share a parent"
    for child in children:
        assert child.parent in known and child.parent != child.text
        assert next(topic for topic in topics if topic.text == child.parent).parent is None
    text_of = {utterance.id: utterance.text.lower() for utterance in utterances}
    remote = topics[texts_found.index("remote control")]
    assert all("remote" in text_of[message_id] for message_id in remote.messageIds)
    assert [topic.model_dump() for topic in find_topics(utterances)] == [
        topic.model_dump() for topic in topics
    ]
