"""Entities: spaCy's named entities plus patterns, grouped by value; custom entities with their variants."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from parley.intel.entities import custom_pattern, find_entities
from parley.intel.insights import find_insights
from parley.intel.model import AnalysisContext, CustomEntityDefinition, Entity, Utterance
from tests.support import shared

START = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
TEXTS = [
    "Maria from Acme Corporation will fly to Berlin on March 3rd at 10 am.",
    "Send the invoice for $2,500 to billing@acme.com or call +1 415-555-0134.",
    "About 35 percent of users visit https://example.com/help every day.",
    "Which one do you mean? I think Berlin is the better choice.",
]


def _utterances(texts: list[str]) -> list[Utterance]:
    return [
        Utterance(id=f"m{i}", text=text, start=i * 10.0, end=i * 10.0 + 4.5) for i, text in enumerate(texts)
    ]


def _values(entities: list[Entity], kind: str) -> list[str]:
    return [match.detectedValue for entity in entities if entity.type == kind for match in entity.matches]


def test_generic_entities_of_each_type() -> None:
    found = find_entities(_utterances(TEXTS), AnalysisContext(conversation_start=START, detect_entities=True))
    assert all(entity.category == "Generic" for entity in found)
    assert _values(found, "organization") == ["Acme Corporation"]
    assert _values(found, "location") == ["Berlin"]
    assert "March 3rd" in _values(found, "date")
    assert _values(found, "time") == ["10 am"]
    assert _values(found, "money") == ["$2,500"]
    assert _values(found, "email") == ["billing@acme.com"]
    assert _values(found, "phone_number") == ["+1 415-555-0134"]
    assert _values(found, "url") == ["https://example.com/help"]
    assert any("35 percent" in value for value in _values(found, "number"))
    assert "one" not in _values(found, "number")  # "which one" is not a quantity


def test_identical_values_are_grouped_with_message_times_and_offsets() -> None:
    found = find_entities(_utterances(TEXTS), AnalysisContext(conversation_start=START, detect_entities=True))
    berlin = next(entity for entity in found if entity.type == "location").matches[0]
    assert [ref.id for ref in berlin.messageRefs] == ["m0", "m3"]
    second = berlin.messageRefs[1]
    assert second.startTime == "2026-03-01T10:00:30.000Z" and second.endTime == "2026-03-01T10:00:34.500Z"
    assert second.text == TEXTS[3] and TEXTS[3][second.offset : second.offset + 6] == "Berlin"


def test_custom_entities_match_their_variants_only_on_word_boundaries() -> None:
    texts = [
        "Our Sales Teams met the sales-team lead yesterday.",
        "Two salesteam members shipped the iPhones, and one iPhone broke.",
        "Nobody mentioned the wholesale teamwork or phones.",
        "Write an E-mail, or two emails, to the CFO.",
    ]
    context = AnalysisContext(
        conversation_start=START,
        custom_entities=[
            CustomEntityDefinition(custom_type="Team", value="Sales team"),
            CustomEntityDefinition(custom_type="Device", value="iPhone", text="iphones"),
            CustomEntityDefinition(custom_type="Channel", value="email", text="e-mail"),
            CustomEntityDefinition(custom_type="Never", value="blockchain"),
        ],
    )
    found = {entity.type: entity for entity in find_entities(_utterances(texts), context)}
    assert set(found) == {"Team", "Device", "Channel"}  # no generic ones: detectEntities was not asked
    team = found["Team"]
    assert team.category == "Custom" and team.value == "Sales team"
    refs = [(ref.id, ref.offset) for match in team.matches for ref in match.messageRefs]
    assert refs == [("m0", 4), ("m0", 24), ("m1", 4)]
    assert {match.detectedValue for match in found["Device"].matches} == {"iPhones", "iPhone"}
    assert sorted(ref.id for match in found["Channel"].matches for ref in match.messageRefs) == ["m3", "m3"]


def test_custom_pattern_variants() -> None:
    pattern = custom_pattern(["company policy"])
    assert pattern is not None
    for said in [
        "company policy",
        "Company Policies",
        "company-policy",
        "company's policy",
        "companies policies",
    ]:
        assert pattern.search(f"we discussed the {said} today"), said
    assert not pattern.search("accompany policyholders")
    assert custom_pattern(["  ", "!!"]) is None


def test_real_meeting_entities_point_at_what_they_quote() -> None:
    raw = json.loads(shared("meeting_text/qmsum_test_ES2004a.json").read_text())
    texts = [turn["content"] for turn in raw["meeting_transcripts"]]
    found = find_entities(_utterances(texts), AnalysisContext(conversation_start=START, detect_entities=True))
    kinds = {entity.type for entity in found}
    assert {"number", "money", "location"} <= kinds, kinds
    money = {
        match.detectedValue.lower() for entity in found if entity.type == "money" for match in entity.matches
    }
    assert "twenty five euros" in money  # the price the team agreed on, said in words
    for entity in found:
        for match in entity.matches:
            for ref in match.messageRefs:
                assert ref.text is not None and ref.offset is not None
                quoted = ref.text[ref.offset : ref.offset + len(match.detectedValue)]
                assert " ".join(quoted.lower().split()) == " ".join(match.detectedValue.lower().split())


def test_backchannels_and_broken_off_words_are_no_names() -> None:
    texts = [
        "Um Liz, could you check it?",
        "We drove along the east coast last summer.",
        "Nah, that is fine.",
        "Geez, that was close.",
    ]
    found = find_entities(_utterances(texts), AnalysisContext(conversation_start=START, detect_entities=True))
    people = [entity for entity in found if entity.type == "person"]
    assert [entity.value for entity in people] == ["Liz"]  # not "Um Liz", "Nah", "Geez"
    assert people[0].matches[0].messageRefs[0].offset == 3
    assert _values(found, "location") == ["the east coast"]  # lowercase, but a phrase of content words


def test_names_in_a_real_meeting_are_names() -> None:
    meeting = json.loads(shared("meeting_text/qmsum_test_Bed003.json").read_text())
    turns = [turn["content"] for turn in meeting["meeting_transcripts"]]
    found = find_entities(_utterances(turns), AnalysisContext(conversation_start=START, detect_entities=True))
    names = {value for kind in ("person", "organization", "location") for value in _values(found, kind)}
    assert {"Liz", "Vista"} <= names
    assert not names & {"Um Liz", "W Ah", "Nah", "Anyway", "the u u", "al w", "un", "cor"}


def test_an_action_items_person_is_the_name_without_the_backchannel() -> None:
    utterances = _utterances(["Um Liz, could you send me the report by Friday?", "Sure."])
    [item] = [
        i
        for i in find_insights(utterances, AnalysisContext(conversation_start=START))[0]
        if i.type != "question"
    ]
    assert [(e.type, e.text, e.offset) for e in item.entities] == [
        ("person", "Liz", 3),
        ("date", "by Friday", 37),
    ]
