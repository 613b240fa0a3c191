"""A tracker's client-set fields, with the limits every create, replace and patch is checked against.

Symbl documents at most 50 vocabulary terms per tracker and 500 trackers per account, and refuses
parentheses and square brackets in phrases; the other lengths are Parley's own (a phrase is a short
example of a meaning, not a paragraph).
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from parley.jobs.options import WireModel

MAX_NAME = 100
MAX_VOCABULARY = 50
MAX_PHRASE = 200
MAX_DESCRIPTION = 1000
MAX_LABELS = 20  # categories, languages
MAX_LABEL = 64
MAX_TRACKERS_PER_APP = 500
_FORBIDDEN = re.compile(r"[()\[\]]")
_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,4})?$")


class TrackerFields(WireModel):
    name: str = Field(min_length=1, max_length=MAX_NAME)
    vocabulary: list[str] = Field(min_length=1, max_length=MAX_VOCABULARY)
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION)
    categories: list[str] = Field(default_factory=list, max_length=MAX_LABELS)
    languages: list[str] = Field(default_factory=list, max_length=MAX_LABELS)

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, name: str) -> str:
        if not name.strip():
            raise ValueError("must not be blank")
        return name.strip()

    @field_validator("vocabulary")
    @classmethod
    def _phrases(cls, phrases: list[str]) -> list[str]:
        cleaned = [" ".join(phrase.split()) for phrase in phrases]
        for index, phrase in enumerate(cleaned):
            if not phrase:
                raise ValueError(f"entry {index} is empty")
            if len(phrase) > MAX_PHRASE:
                raise ValueError(f"entry {index} is longer than {MAX_PHRASE} characters")
            if _FORBIDDEN.search(phrase):
                raise ValueError(f"entry {index} contains parentheses or square brackets (not allowed)")
        # the same phrase twice (ignoring case) would only repeat its matches: keep the first
        first_by_key: dict[str, str] = {}
        for phrase in cleaned:
            first_by_key.setdefault(phrase.lower(), phrase)
        return list(first_by_key.values())

    @field_validator("categories")
    @classmethod
    def _categories(cls, labels: list[str]) -> list[str]:
        if any(not label.strip() or len(label) > MAX_LABEL for label in labels):
            raise ValueError(f"each category must be 1 to {MAX_LABEL} characters")
        return labels

    @field_validator("languages")
    @classmethod
    def _languages(cls, codes: list[str]) -> list[str]:
        bad = [code for code in codes if not _LANGUAGE.match(code)]
        if bad:
            raise ValueError(f"expected language codes such as 'en-US', got {bad[0]!r}")
        return codes
