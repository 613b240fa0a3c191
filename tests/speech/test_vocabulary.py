from __future__ import annotations

import pytest

from parley.speech.vocabulary import VocabularyCorrector
from parley.transcript import Word


def words_of(text: str) -> list[Word]:
    return [Word(token, i * 0.5, i * 0.5 + 0.4, 0.9, "S1") for i, token in enumerate(text.split())]


def corrected(terms: list[str], text: str) -> str:
    return " ".join(w.text for w in VocabularyCorrector(terms).correct(words_of(text)))


@pytest.mark.parametrize(
    ("terms", "heard", "expected"),
    [
        (["Symbl"], "the symbol API is up", "the Symbl API is up"),
        (["sublicense"], "distribute, sublicence, and sell", "distribute, sublicense, and sell"),
        (["yellow pad"], "a thin sheet from the yellow pan.", "a thin sheet from the yellow pad."),
        (["PyTorch"], "we train with pie torch daily", "we train with PyTorch daily"),
        (["Kubernetes"], "it runs on cooper nettie's now", "it runs on Kubernetes now"),
        (["New Jersey"], "this is diane in new jersey", "this is diane in New Jersey"),
        (["sublicense"], "you may sub-license it", "you may sublicense it"),
    ],
)
def test_near_misses_become_the_term(terms: list[str], heard: str, expected: str) -> None:
    assert corrected(terms, heard) == expected


@pytest.mark.parametrize(
    ("terms", "heard"),
    [
        (["Americans"], "my fellow America"),  # an inflection is another word
        (["beep"], "I heard a beat"),  # short terms are matched exactly only
        (["Sheila"], "she'll be there"),
        (["Diane"], "on a diet"),
        (["Salesforce", "Zendesk", "Kubernetes"], "ask not what your country can do for you"),
    ],
)
def test_ordinary_words_are_left_alone(terms: list[str], heard: str) -> None:
    assert corrected(terms, heard) == heard


def test_a_lowercase_term_keeps_a_sentence_capital() -> None:
    assert corrected(["sublicense"], "Sublicence is allowed") == "Sublicense is allowed"


def test_casing_of_a_proper_name_is_restored() -> None:
    assert corrected(["Diane"], "this is diane") == "this is Diane"


def test_same_word_count_keeps_each_words_timing() -> None:
    heard = words_of("the yellow pan")

    out = VocabularyCorrector(["yellow pad"]).correct(heard)

    assert [(w.text, w.start, w.end) for w in out] == [
        ("the", 0.0, 0.4),
        ("yellow", 0.5, 0.9),
        ("pad", 1.0, 1.4),
    ]


def test_merged_words_span_the_words_they_replace() -> None:
    heard = words_of("with pie torch today")
    heard[2].score = 0.4

    out = VocabularyCorrector(["PyTorch"]).correct(heard)

    assert [w.text for w in out] == ["with", "PyTorch", "today"]
    assert (out[1].start, out[1].end) == (heard[1].start, heard[2].end)
    assert out[1].score == 0.4  # as sure as the least sure word it replaced
    assert out[1].speaker == "S1"


def test_split_terms_share_the_time_span() -> None:
    heard = words_of("on newjersey roads")

    out = VocabularyCorrector(["New Jersey"]).correct(heard)

    assert [w.text for w in out] == ["on", "New", "Jersey", "roads"]
    assert out[1].start == heard[1].start
    assert out[2].end == heard[1].end
    assert out[1].end == out[2].start


def test_no_terms_changes_nothing() -> None:
    heard = words_of("nothing to see")

    assert VocabularyCorrector(["", "  "]).correct(heard) == heard
