"""A whole constructed sales call, read as a Symbl user would read its insights: what each side promised,
who owns it and by when (the call starts on Monday 2 March 2026 at 10:00, UTC-5)."""

from __future__ import annotations

import pytest

from parley.intel.model import Insight
from tests.intel.conversation import call_items

CALL = [
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


@pytest.fixture(scope="module")
def items() -> dict[str, Insight]:
    return call_items(CALL)


def test_the_agenda_of_the_call_is_no_action_item(items: dict[str, Insight]) -> None:
    assert not [text for text in items if "walk you through" in text]
    assert not [text for text in items if "hear me" in text or "talk soon" in text]


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
    items: dict[str, Insight], text: str, kind: str, owner: str, due: str | None
) -> None:
    item = items[text]
    assert item.type == kind and item.score >= 0.5
    assert item.assignee is not None and item.assignee.name == owner
    assert item.dueBy == due


def test_a_request_asked_as_a_question_is_the_addressees(items: dict[str, Insight]) -> None:
    asked = items["Also, can you check whether the analytics add-on supports exports to Snowflake?"]
    assert asked.assignee is not None and asked.assignee.name == "Alice"
