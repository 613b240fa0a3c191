"""The lexicon sentiment: clear cases, negation, contrast, intensity, and Symbl's label thresholds."""

from __future__ import annotations

import pytest

from parley.intel.sentiment import polarity, suggested


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("This is a great product and I love it!", "positive"),
        ("Thanks so much, that was really helpful.", "positive"),
        ("The demo was terrible and the app keeps crashing.", "negative"),
        ("I am really disappointed with the support we got.", "negative"),
        ("The meeting is at three in room four.", "neutral"),
        ("Please send the file to Maria.", "neutral"),
    ],
)
def test_clear_sentences_get_their_label(text: str, label: str) -> None:
    assert suggested(polarity(text)) == label


def test_negation_reverses_and_damps() -> None:
    assert polarity("The results are good.") > 0.3
    assert polarity("The results are not good.") < -0.3
    assert polarity("We never had a problem with them.") > 0
    assert abs(polarity("The results are not good.")) < abs(polarity("The results are good."))


def test_what_follows_but_decides() -> None:
    assert polarity("The design is nice but the price is awful.") < 0
    assert polarity("The price is awful but the design is wonderful.") > 0


def test_boosters_capitals_and_exclamations_strengthen() -> None:
    plain = polarity("The launch was good.")
    assert polarity("The launch was very good.") > plain
    assert polarity("The launch was GOOD.") > plain
    assert polarity("The launch was good!") > plain
    assert polarity("The launch was slightly good.") < plain


def test_scores_stay_in_range_and_long_texts_average_their_sentences() -> None:
    glowing = " ".join(["This is the best, most wonderful, amazing, fantastic news ever!!!"] * 30)
    assert 0.3 < polarity(glowing) <= 1.0
    assert -1.0 <= polarity("terrible awful horrible disaster catastrophe worst " * 20) < -0.3
    mixed = "The plan is great. The room is on the second floor. The budget is terrible."
    assert polarity(mixed) == pytest.approx(
        (polarity("The plan is great.") + 0.0 + polarity("The budget is terrible.")) / 3, abs=1e-3
    )
    assert polarity("") == 0.0


def test_symbl_label_thresholds() -> None:
    assert [suggested(score) for score in (-1.0, -0.31, -0.3, 0.0, 0.3, 0.31, 1.0)] == [
        "negative",
        "negative",
        "neutral",
        "neutral",
        "neutral",
        "positive",
        "positive",
    ]
