"""Unpunctuated text (a transcript without sentence ends): clauses run together in one sentence, and each
that states an action is read on its own."""

from __future__ import annotations

import pytest

from parley.intel.language import parse_all
from parley.intel.run_on import clauses
from tests.intel.conversation import conversation


def _clauses(text: str) -> list[str]:
    return clauses(next(parse_all([text])[0].sents))


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        (
            "let's not decide that now let's revisit it in two weeks",
            ["let's not decide that now", "let's revisit it in two weeks"],
        ),
        (
            "we also need to hire a designer i'll talk to hr about the role",
            ["we also need to hire a designer", "i'll talk to hr about the role"],
        ),
        ("agreed everyone please send me your cuts", ["agreed everyone", "please send me your cuts"]),
        ("i think i'll send it tomorrow", ["i think i'll send it tomorrow"]),  # "I think" keeps its clause
        ("so that we can ship it", ["so that we can ship it"]),
        (  # a noun phrase put first is no clause of its own
            "the instructions for the next meeting you will all receive by email",
            ["the instructions for the next meeting you will all receive by email"],
        ),
        ("great ivy can you get the estimates", ["great ivy", "can you get the estimates"]),
    ],
)
def test_a_run_on_sentence_is_cut_where_a_clause_opens(text: str, pieces: list[str]) -> None:
    assert _clauses(text) == pieces


def test_each_clause_of_a_run_on_sentence_gives_its_own_action() -> None:
    found = conversation(
        ("Alice", "okay thanks everyone"),
        ("Alice", "we also need to hire a designer i'll talk to hr about opening the role"),
        ("Bob", "great let's not decide that now let's revisit it in two weeks"),
    )
    texts = {item.text: item.type for item in found if item.type != "question"}
    assert texts == {
        "we also need to hire a designer": "action_item",
        "i'll talk to hr about opening the role": "follow_up",
        "let's revisit it in two weeks": "action_item",
    }


def test_punctuated_text_is_read_sentence_by_sentence_as_before() -> None:
    found = conversation(("Alice", "We need to hire a designer, I'll talk to HR about it."))
    assert len([item for item in found if item.type != "question"]) == 1
