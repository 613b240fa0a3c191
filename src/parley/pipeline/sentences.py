"""Group recognised words into messages: one sentence by one speaker, never across a speaker change."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from parley.transcript import Message, Word

_SENTENCE_END = re.compile(r"[.?!…]['\")\]]*$")
_ABBREVIATIONS = {
    "mr.",
    "mrs.",
    "ms.",
    "dr.",
    "prof.",
    "st.",
    "vs.",
    "e.g.",
    "i.e.",
    "etc.",
    "inc.",
    "jr.",
    "sr.",
}
MAX_WORDS = 60
MAX_PAUSE_SECONDS = 2.0


def _ends_sentence(word: Word) -> bool:
    text = word.text.strip()
    return bool(_SENTENCE_END.search(text)) and text.lower() not in _ABBREVIATIONS


def group_words(words: Iterable[Word], *, channel: int | None = None) -> Iterator[Message]:
    """Yield messages as words arrive, so a long recording never holds more than one sentence open."""
    current: list[Word] = []
    for word in words:
        if current and _breaks_before(current[-1], word, len(current)):
            yield _message(current, channel)
            current = []
        current.append(word)
        if _ends_sentence(word):
            yield _message(current, channel)
            current = []
    if current:
        yield _message(current, channel)


def _breaks_before(previous: Word, word: Word, open_words: int) -> bool:
    return (
        word.speaker != previous.speaker
        or word.start - previous.end > MAX_PAUSE_SECONDS
        or open_words >= MAX_WORDS
    )


def _message(words: list[Word], channel: int | None) -> Message:
    text = " ".join(word.text.strip() for word in words if word.text.strip())
    return Message(
        text=text,
        start=words[0].start,
        end=max(word.end for word in words),
        words=list(words),
        speaker=words[0].speaker,
        channel=channel,
    )


_TEXT_SENTENCE = re.compile(r"(?<=[.?!…])\s+(?=[\"'(\[]?[A-Z0-9])")


def split_text(content: str) -> list[str]:
    """Sentences of a typed message (text jobs); never returns an empty list for non-blank text."""
    parts = [part.strip() for part in _TEXT_SENTENCE.split(content.strip())]
    merged: list[str] = []
    for part in parts:
        if merged and merged[-1].split()[-1].lower() in _ABBREVIATIONS:
            merged[-1] = f"{merged[-1]} {part}"
        elif part:
            merged.append(part)
    return merged
