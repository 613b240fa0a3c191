"""A constructed support call: the agent's promises, the customer's own to-dos and a conditional
instruction, as a Symbl user would read them."""

from __future__ import annotations

import pytest

from parley.intel.model import Insight
from tests.intel.conversation import call_items

CALL = [
    ("Agent", "Thank you for calling Acme support, my name is Sam. How can I help you today?"),
    ("Customer", "Hi, my invoice for March was charged twice and I need a refund for one of them."),
    ("Agent", "Thanks. I can see the two charges. I'll raise a refund request with our billing team."),
    ("Customer", "How long will that take?"),
    ("Agent", "Refunds usually take three to five business days."),
    ("Customer", "Okay. Could you also update the billing email to finance@example.com?"),
    ("Agent", "Done, that's updated now."),
    ("Agent", "Could you log out, clear the app cache, and log back in?"),
    ("Customer", "I'll try that tonight when I'm home."),
    ("Agent", "If it still happens, please reply to the confirmation email."),
    ("Customer", "Will do. Thank you, that's really helpful."),
]


@pytest.fixture(scope="module")
def items() -> dict[str, Insight]:
    return call_items(CALL)


@pytest.mark.parametrize(
    ("text", "owner", "due"),
    [
        ("I'll raise a refund request with our billing team.", "Agent", None),
        ("Could you also update the billing email to finance@example.com?", "Agent", None),
        ("I'll try that tonight when I'm home.", "Customer", "2026-03-02T20:00:00-05:00"),
        ("If it still happens, please reply to the confirmation email.", "Customer", None),
    ],
)
def test_each_side_has_its_tasks(items: dict[str, Insight], text: str, owner: str, due: str | None) -> None:
    item = items[text]
    assert item.score >= 0.5 and item.assignee is not None and item.assignee.name == owner
    assert item.dueBy == due


def test_information_and_small_talk_are_no_tasks(items: dict[str, Insight]) -> None:
    assert "Refunds usually take three to five business days." not in items
    assert not [text for text in items if "help you" in text or "helpful" in text]
