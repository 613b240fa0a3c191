"""Questions, action items, follow-ups, due dates and action phrases on constructed sentences (what is an
action item at all: test_action_items.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from parley.intel.due_dates import find_due
from parley.intel.insights import find_insights
from parley.intel.model import AnalysisContext, Utterance
from tests.intel.conversation import START, conversation, one


@pytest.mark.parametrize(
    "text",
    [
        "Can you send me the numbers?",
        "What did the client say about the price?",
        "How high is it?",
        "I wonder whether the budget is enough.",
        "It is ready, isn't it?",
        "John, is the room booked?",
        "Did anybody think anything was really useful?",
    ],
)
def test_questions_are_found_with_high_scores(text: str) -> None:
    question = one("question", conversation(("Alice", text)))
    assert question.text == text and question.messageIds == ["m0"] and question.score >= 0.75


@pytest.mark.parametrize(
    "text",
    [
        "What we need is a cheaper case.",
        "The remote should be yellow.",
        "I think that is right, yeah.",
        "Whoever wins pays for lunch.",
        "Are the costs within the budget, yes they are.",
        "And then what could happen would be that it goes to that setting.",
    ],
)
def test_statements_are_not_questions(text: str) -> None:
    assert not [item for item in conversation(("Alice", text)) if item.type == "question"]


@pytest.mark.parametrize(
    "text",
    [
        "So you think maybe a little too controlling or",
        "Like is is that one big button or is it twelve buttons,",
        "Is that you all have all finished, or",
    ],
)
def test_spoken_questions_left_open_are_found(text: str) -> None:
    # An alternative left open, a repeated word, a parse lost to both; in punctuated text a sentence
    # that trails off scores lower than a finished one.
    found = conversation(("Bob", "We looked at the buttons."), ("Alice", text), ("Bob", "Right."))
    question = one("question", found)
    assert question.text == text and 0.5 <= question.score < 0.75


def test_broken_off_fragments_are_not_questions_in_punctuated_text() -> None:
    found = conversation(("Alice", "We start now."), ("Bob", "what are we"), ("Alice", "Right."))
    assert not [item for item in found if item.type == "question"]


def test_unpunctuated_questions_are_found_by_their_wording() -> None:
    found = conversation(("Alice", "can you hear me"), ("Bob", "yes I can"), ("Alice", "good lets start"))
    assert one("question", found).text == "can you hear me"


@pytest.mark.parametrize(
    "text",
    [
        "so if this isn't to scale what kind of dimensions are you thinking about here",
        "the logo is on the side isn't it",
        "and that's because of cost restraints is it",
        "for this first part power-wise have we got a battery",
        "so w what's our reviewed suggestion",  # a word broken off and said again
    ],
)
def test_unpunctuated_questions_inside_a_sentence_are_found(text: str) -> None:
    found = conversation(("Alice", text), ("Bob", "yes"), ("Alice", "good lets go on"))
    assert one("question", found).text == text


@pytest.mark.parametrize(
    "text",
    [
        "the main thing is we're running late",
        "I know what you mean",
        "they like it and so do we",
        "so that's what we do",
        "okay",
    ],
)
def test_unpunctuated_statements_stay_statements(text: str) -> None:
    found = conversation(("Alice", text), ("Bob", "yes"), ("Alice", "good lets go on"))
    assert not [item for item in found if item.type == "question"]


def test_a_request_is_both_a_question_and_the_addressees_action_item() -> None:
    found = conversation(("Alice", "Can you review the contract by Friday?"), ("Bob", "Sure."))
    assert one("question", found).score >= 0.9
    item = one("action_item", found)
    assert item.assignee is not None and (item.assignee.name, item.assignee.memberId) == ("Bob", "id-Bob")
    assert item.definitive and item.score >= 0.8
    assert item.dueBy == "2026-03-06T00:00:00-05:00"
    assert [(e.type, e.text, e.offset) for e in item.entities] == [("date", "by Friday", 28)]
    assert [p.text for p in item.phrases] == ["review the contract"]


def test_first_person_commitment_is_the_speakers() -> None:
    item = one("action_item", conversation(("Bob", "I'll update the budget tomorrow at 3pm.")))
    assert item.assignee is not None
    assert (item.assignee.memberId, item.assignee.name, item.assignee.email) == (
        "id-Bob",
        "Bob",
        "bob@example.com",
    )
    assert item.dueBy == "2026-03-03T15:00:00-05:00"  # 15:00 at UTC-5
    assert item.entities[-1].type == "datetime" and item.entities[-1].text == "tomorrow at 3pm"


def test_a_named_person_is_the_assignee_and_matches_a_member_by_first_name() -> None:
    found = conversation(
        ("Alice", "John will update the schedule by the end of the month."), ("John Smith", "Ok.")
    )
    item = one("action_item", found)
    assert item.assignee is not None and item.assignee.memberId == "id-John Smith"
    assert item.dueBy == "2026-03-31T00:00:00-05:00"
    assert ("person", "John", 0) in [(e.type, e.text, e.offset) for e in item.entities]


def test_a_named_person_who_is_not_speaking_keeps_the_name() -> None:
    item = one("action_item", conversation(("Alice", "Maria needs to review the contract.")))
    assert item.assignee is not None and item.assignee.name == "Maria" and item.assignee.memberId is None


def test_the_three_of_us_acts_as_we_and_each_of_you_as_you() -> None:
    ours = one("action_item", conversation(("Alice", "The three of us will review the budget this week.")))
    assert ours.assignee is not None and ours.assignee.name == "Alice"
    assert ours.dueBy == "2026-03-06T00:00:00-05:00"
    yours = one(
        "action_item", conversation(("Alice", "Each of you should prepare a short demo."), ("Bob", "Sure."))
    )
    assert yours.assignee is not None and yours.assignee.name == "Bob"
    assert not [i for i in conversation(("Alice", "None of us will review it.")) if i.type != "question"]


@pytest.mark.parametrize(
    ("request_text", "reply", "kind"),
    [
        ("Could somebody send the minutes to the client?", "I'll do that.", "follow_up"),
        ("Who's going to book the venue?", "I will.", "action_item"),
        ("We need someone to review the contract.", "Sure, I can take care of it.", "action_item"),
        ("Can you send me the report?", "Yeah, will do.", "follow_up"),
    ],
)
def test_a_reply_that_takes_on_a_request_makes_it_the_repliers(
    request_text: str, reply: str, kind: str
) -> None:
    found = [i for i in conversation(("Alice", request_text), ("Bob", reply)) if i.type != "question"]
    item = one(kind, found)
    assert len(found) == 1 and item.text == request_text and item.messageIds == ["m0", "m1"]
    assert item.assignee is not None and item.assignee.name == "Bob"
    assert item.definitive and item.score >= 0.85


def test_a_deadline_in_the_reply_is_the_items() -> None:
    found = conversation(("Alice", "Who can review the contract?"), ("Bob", "I can do it tomorrow."))
    item = one("action_item", found)
    assert item.dueBy == "2026-03-03T00:00:00-05:00" and item.messageIds == ["m0", "m1"]


def test_nothing_to_take_on_without_a_request_by_someone_else() -> None:
    alone = one("action_item", conversation(("Alice", "Someone needs to review the contract.")))
    assert alone.assignee is None  # nobody has taken it on
    same_speaker = conversation(("Alice", "Who's going to book the venue?"), ("Alice", "I will."))
    assert not [i for i in same_speaker if i.type != "question"]
    turn_taking = conversation(("Alice", "Now, who would like to go next?"), ("Bob", "Me."))
    assert not [i for i in turn_taking if i.type != "question"]  # the meeting's own business


def test_a_role_is_the_assignee_by_its_name_and_is_no_person_entity() -> None:
    item = one("action_item", conversation(("Alice", "The industrial designer will work on the components.")))
    assert item.assignee is not None and item.assignee.name == "industrial designer"
    assert item.assignee.memberId is None and not [e for e in item.entities if e.type == "person"]
    lowercase = one("action_item", conversation(("Alice", "maria will review the contract")))
    assert [(e.type, e.text) for e in lowercase.entities] == [("person", "maria")]  # a name all the same


@pytest.mark.parametrize(
    "text",
    ["You two prepare the presentation for next time.", "I'd like to see your interface concept tomorrow."],
)
def test_telling_or_asking_the_people_addressed_is_their_action_item(text: str) -> None:
    item = one("action_item", conversation(("Alice", text), ("Bob", "Okay.")))
    assert item.assignee is not None and item.assignee.name == "Bob"


def test_definitive_versus_tentative() -> None:
    firm = one("action_item", conversation(("Alice", "We need to book the venue.")))
    tentative = one("action_item", conversation(("Alice", "Maybe I could review the contract with legal.")))
    assert firm.definitive and not tentative.definitive
    assert firm.score > tentative.score >= 0.5


@pytest.mark.parametrize(
    "text", ["We had to remove a few features.", "We've had to cut the budget.", "I was going to call him."]
)
def test_an_obligation_or_plan_in_the_past_is_a_report_not_an_action(text: str) -> None:
    assert not conversation(("Alice", text))


def test_a_present_obligation_in_a_perfect_s_form_is_still_an_action() -> None:
    assert one("follow_up", conversation(("Alice", "We've got to send the contract to legal."))).score >= 0.5


def test_phrases_are_reported_per_message() -> None:
    utterances = [
        Utterance(id="a", text="Hello there.", start=0, end=1),
        Utterance(
            id="b", text="We have to decide on the colour by Friday. I will write the report.", start=1, end=2
        ),
    ]
    _, phrases = find_insights(utterances, AnalysisContext(conversation_start=START))
    assert {key: [p.text for p in value] for key, value in phrases.items()} == {
        "b": ["decide on the colour", "write the report"]
    }


def test_ids_are_stable_across_analyses() -> None:
    lines = (("Alice", "Can you send the report?"), ("Bob", "I will send it tomorrow."))
    assert [i.id for i in conversation(*lines)] == [i.id for i in conversation(*lines)]


@pytest.mark.parametrize(
    ("text", "offset", "value"),
    [
        ("by Friday", None, "2026-03-06T00:00:00Z"),
        ("tomorrow at 3pm", -300, "2026-03-03T15:00:00-05:00"),
        ("tomorrow at 3pm", 330, "2026-03-03T15:00:00+05:30"),
        ("next week", None, "2026-03-09T00:00:00Z"),
        ("by the end of the week", None, "2026-03-06T00:00:00Z"),
        ("end of the month", -300, "2026-03-31T00:00:00-05:00"),
        ("this week", None, "2026-03-06T00:00:00Z"),  # by its end, like "end of the week"
        ("this month", None, "2026-03-31T00:00:00Z"),
        ("next month", None, "2026-04-01T00:00:00Z"),
        ("in two days", None, "2026-03-04T00:00:00Z"),
        ("in 2 hours", None, "2026-03-02T16:00:00Z"),
        ("on March 10th", None, "2026-03-10T00:00:00Z"),
        ("at noon", None, "2026-03-03T12:00:00Z"),  # noon has passed at 14:00: tomorrow
        ("next Friday", None, "2026-03-13T00:00:00Z"),
        ("the 1st", None, "2026-04-01T00:00:00Z"),
        ("tomorrow morning", None, "2026-03-03T09:00:00Z"),  # a part of the day at its start
        ("this afternoon", None, "2026-03-02T13:00:00Z"),
        ("tonight", None, "2026-03-02T20:00:00Z"),  # not the midnight that began the day
        ("later today", None, "2026-03-02T17:00:00Z"),  # like "end of day"
        ("Friday afternoon", -300, "2026-03-06T13:00:00-05:00"),
        ("by the weekend", None, "2026-03-07T00:00:00Z"),  # its Saturday
        ("today", None, "2026-03-02T17:00:00Z"),  # by the end of the working day
        ("next Tuesday at 11", None, "2026-03-10T11:00:00Z"),  # a bare hour after a day is a time
        ("Friday at 3", None, "2026-03-06T15:00:00Z"),  # in office hours
    ],
)
def test_due_dates_resolve_in_the_conversations_time_zone(text: str, offset: int | None, value: str) -> None:
    due = find_due(f"Send it {text}.", START, offset)
    assert due is not None and due.value == value and due.text == text and due.offset == len("Send it ")


def test_due_date_near_midnight_uses_the_local_day() -> None:
    # 02:00 UTC on Tuesday is still Monday evening at UTC-5: "tomorrow" is Tuesday there.
    due = find_due("I'll do it tomorrow.", datetime(2026, 3, 3, 2, 0, tzinfo=UTC), -300)
    assert due is not None and due.value == "2026-03-03T00:00:00-05:00"


def test_numbers_and_months_alone_are_not_deadlines() -> None:
    assert find_due("We may need the 5 buttons.", START, None) is None
    assert find_due("Weekend plans are fun.", START, None) is None
    assert find_due("Let's look at 5 options.", START, None) is None


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("I'm going to send it by Friday.", "2026-03-06T00:00:00-05:00"),  # "by Friday" hangs from "going"
        ("I don't know, but I'll find out by Friday.", "2026-03-06T00:00:00-05:00"),
        ("I'm travelling next week, so could we schedule it for later?", None),  # another clause's time
        ("If you send it by Friday, I'll review it.", None),  # the condition's time
    ],
)
def test_the_deadline_is_the_one_in_the_actions_clause(text: str, due: str | None) -> None:
    items = [i for i in conversation(("Alice", text), ("Bob", "Okay.")) if i.type != "question"]
    assert len(items) == 1 and items[0].dueBy == due
