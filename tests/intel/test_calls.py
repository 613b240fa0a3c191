"""Whole constructed calls read as a Symbl user would read their insights: what each side promised, who
owns it and by when (each call starts on Monday 2 March 2026 at 10:00, UTC-5). A sales call, a support
call with the customer's own to-dos and a conditional instruction, and a planning meeting full of
proposals that are not action items."""

from __future__ import annotations

import pytest

from parley.intel.model import Insight
from tests.intel.conversation import call_items

SALES_CALL = [
    ("Alice", "Hi Bob, thanks for making time today. Can you hear me okay?"),
    ("Bob", "Yes, loud and clear. Thanks for having me."),
    ("Alice", "Great. So today I'd like to walk you through the new pricing and then talk about next steps."),
    ("Bob", "Sounds good. Before we start, could you remind me what the current contract covers?"),
    ("Alice", "Sure. It covers fifty seats and the analytics add-on, and it renews on April 30th."),
    ("Bob", "What kind of discount are we talking about?"),
    ("Alice", "Fifteen percent on the seats if you sign before the end of the month."),
    ("Bob", "Yes, please send me the quote by Wednesday so I can share it with finance."),
    ("Alice", "Will do. I'll also include the security documentation your IT team asked about."),
    ("Bob", "Perfect. Our IT lead, Priya, will want to review the SSO setup."),
    ("Alice", "Okay, I'll send an invite for Thursday at 2pm."),
    ("Bob", "Also, can you check whether the analytics add-on supports exports to Snowflake?"),
    ("Alice", "I'm not sure, but I'll find out and get back to you tomorrow morning."),
    ("Bob", "Thanks. On our side, I'll talk to procurement about the purchase order."),
    ("Alice", "Sounds good. Thanks Bob, talk soon."),
]


def test_the_agenda_of_the_call_is_no_action_item(sales: dict[str, Insight]) -> None:
    assert not [text for text in sales if "walk you through" in text]
    assert not [text for text in sales if "hear me" in text or "talk soon" in text]


@pytest.mark.parametrize(
    ("text", "kind", "owner", "due"),
    [
        (
            "Yes, please send me the quote by Wednesday so I can share it with finance.",
            "follow_up",
            "Alice",  # asked of Alice, who took it on ("Will do.")
            "2026-03-04T00:00:00-05:00",
        ),
        (
            "I'll also include the security documentation your IT team asked about.",
            "action_item",
            "Alice",
            None,
        ),
        ("Our IT lead, Priya, will want to review the SSO setup.", "action_item", "Priya", None),
        ("Okay, I'll send an invite for Thursday at 2pm.", "follow_up", "Alice", "2026-03-05T14:00:00-05:00"),
        (
            "I'm not sure, but I'll find out and get back to you tomorrow morning.",
            "action_item",
            "Alice",
            "2026-03-03T09:00:00-05:00",
        ),
        ("On our side, I'll talk to procurement about the purchase order.", "follow_up", "Bob", None),
    ],
)
def test_each_promise_has_its_owner_and_deadline(
    sales: dict[str, Insight], text: str, kind: str, owner: str, due: str | None
) -> None:
    item = sales[text]
    assert item.type == kind and item.score >= 0.5
    assert item.assignee is not None and item.assignee.name == owner
    assert item.dueBy == due


def test_a_request_asked_as_a_question_is_the_addressees(sales: dict[str, Insight]) -> None:
    asked = sales["Also, can you check whether the analytics add-on supports exports to Snowflake?"]
    assert asked.assignee is not None and asked.assignee.name == "Alice"


SUPPORT_CALL = [
    ("Agent", "Thank you for calling Acme support, my name is Sam. How can I help you today?"),
    ("Customer", "Hi, my invoice for March was charged twice and I need a refund for one of them."),
    ("Agent", "Sorry about that. Can you spell your last name for me?"),
    ("Customer", "It's K-O-W-A-L-S-K-I."),
    ("Agent", "Thanks. I can see the two charges. I'll raise a refund request with our billing team."),
    ("Customer", "How long will that take?"),
    ("Agent", "Refunds usually take three to five business days."),
    ("Customer", "Okay. Could you also update the billing email to finance@example.com?"),
    ("Agent", "Done, that's updated now."),
    ("Agent", "I'll also open a ticket so engineering can look at the double charge."),
    ("Agent", "Could you log out, clear the app cache, and log back in?"),
    ("Customer", "I'll try that tonight when I'm home."),
    ("Agent", "If it still happens, please reply to the confirmation email."),
    ("Customer", "Will do. Thank you, that's really helpful."),
]


@pytest.mark.parametrize(
    ("text", "owner", "due"),
    [
        ("I'll raise a refund request with our billing team.", "Agent", None),
        ("Could you also update the billing email to finance@example.com?", "Agent", None),
        ("I'll also open a ticket so engineering can look at the double charge.", "Agent", None),
        ("I'll try that tonight when I'm home.", "Customer", "2026-03-02T20:00:00-05:00"),
        ("If it still happens, please reply to the confirmation email.", "Customer", None),
    ],
)
def test_each_side_has_its_tasks(support: dict[str, Insight], text: str, owner: str, due: str | None) -> None:
    item = support[text]
    assert item.score >= 0.5 and item.assignee is not None and item.assignee.name == owner
    assert item.dueBy == due


def test_information_and_small_talk_are_no_tasks(support: dict[str, Insight]) -> None:
    assert "Refunds usually take three to five business days." not in support
    assert "Can you spell your last name for me?" not in support
    assert not [text for text in support if "help you" in text or "helpful" in text]


PLANNING = [
    ("Alice", "Let's look at the roadmap for Q3."),
    ("Bob", "I think we should prioritise the mobile app over the dashboard."),
    ("Alice", "We could also consider doing both with a smaller scope."),
    ("Bob", "Maybe we could use the same design system for both."),
    ("John Smith", "Who's going to own the mobile spec?"),
    ("Bob", "I'll own it. I'll have a first draft by next Friday."),
    ("Alice", "Great. John, can you get estimates from the engineering leads?"),
    ("John Smith", "Sure, I'll ask them today."),
    ("John Smith", "I'm going to share my screen to show the burn-down chart."),
    ("Alice", "Agreed. Everyone, please send me your top three cuts by Wednesday."),
    ("Bob", "Will do."),
]


def test_proposals_and_the_meetings_own_business_are_no_action_items(planning: dict[str, Insight]) -> None:
    assert not [text for text in planning if "should prioritise" in text or "could" in text]
    assert not [text for text in planning if "roadmap" in text or "share my screen" in text]


@pytest.mark.parametrize(
    ("text", "owner", "due"),
    [
        ("Who's going to own the mobile spec?", "Bob", None),  # taken on in the reply
        ("I'll have a first draft by next Friday.", "Bob", "2026-03-13T00:00:00-05:00"),
        ("John, can you get estimates from the engineering leads?", "John Smith", None),
        ("Sure, I'll ask them today.", "John Smith", "2026-03-02T17:00:00-05:00"),
        ("Everyone, please send me your top three cuts by Wednesday.", "Bob", "2026-03-04T00:00:00-05:00"),
    ],
)
def test_planning_tasks_have_their_owners(
    planning: dict[str, Insight], text: str, owner: str, due: str | None
) -> None:
    item = planning[text]
    assert item.score >= 0.5 and item.assignee is not None and item.assignee.name == owner
    assert item.dueBy == due


@pytest.fixture(scope="module")
def sales() -> dict[str, Insight]:
    return call_items(SALES_CALL)


@pytest.fixture(scope="module")
def support() -> dict[str, Insight]:
    return call_items(SUPPORT_CALL)


@pytest.fixture(scope="module")
def planning() -> dict[str, Insight]:
    return call_items(PLANNING)
