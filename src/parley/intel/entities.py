"""Entities said in a conversation (`detectEntities`) and the job's custom entities (`entities`).

Generic entities come from spaCy's named entities (people, organisations, places, dates, times, money,
numbers) and from patterns for what a tagger misses or splits (e-mail addresses, phone numbers, web
addresses); where both claim the same characters the pattern wins. Custom entities match the definition's
`text` and canonical `value` with their ordinary variants: any case, singular or plural, simple
inflections, and spaces, hyphens or nothing between their words ("e-mail", "e mail", "email").

One entity per value: identical values (any case) are grouped into one match (`detectedValue`, the most
common spelling) listing every message that says them; a custom entity gathers all its variants.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from parley.intel.language import parse_all
from parley.intel.model import (
    AnalysisContext,
    CustomEntityDefinition,
    Entity,
    EntityMatch,
    MessageRef,
    Utterance,
)
from parley.intel.spoken import INTERJECTIONS
from parley.intel.text_similarity import content_words

if TYPE_CHECKING:
    from spacy.tokens import Span

__all__ = ["custom_pattern", "find_entities", "name_bounds"]

# spaCy label -> (Symbl type, subType). ORDINAL, NORP, PRODUCT, EVENT... are left out: in speech they are
# mostly noise ("first", "the second one").
SPACY_TYPES: dict[str, tuple[str, str]] = {
    "PERSON": ("person", "name"),
    "ORG": ("organization", "company"),
    "GPE": ("location", "geopolitical"),
    "LOC": ("location", "place"),
    "FAC": ("location", "facility"),
    "DATE": ("date", "date"),
    "TIME": ("time", "time"),
    "MONEY": ("money", "currency"),
    "CARDINAL": ("number", "cardinal"),
    "PERCENT": ("number", "percent"),
}
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(
    r"(?<![\w@.])(?:https?://[^\s<>\"']+|www\.[^\s<>\"']+"
    r"|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|org|net|io|ai|dev|co|edu|gov|app)(?:/[^\s<>\"']*)?)"
    r"(?<![.,;:!?)])"
)
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)?\d{2,5}(?:[\s.-]?\d{2,5}){1,4}(?!\w)"
)
_NUMBER_WORD = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
    r"thousand|million|billion|a|half)"
)
# Spoken amounts ("twenty five Euros", "12.50 dollars"), which the small spaCy model rarely tags MONEY.
_SPOKEN_MONEY = re.compile(
    rf"(?<![\w$€£])[$€£]?(?:\d[\d,.]*|{_NUMBER_WORD}(?:[\s-]+(?:and[\s-]+)?{_NUMBER_WORD})*)(?:[\s-]+(?:point|and)"
    rf"[\s-]+\w+)?[\s-]+(?:euros?|dollars?|pounds?|cents?|bucks|pence|yen|rupees?)\b",
    re.IGNORECASE,
)
PHONE_DIGITS = range(9, 16)  # fewer is a count or a year; more is not a phone number (E.164 has 15)
CURRENCY_SIGNS = "$€£¥₹"
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC"})
_SKIPPED_NUMBERS = frozenset({"one", "a", "an", "1"})  # "which one": a pronoun more than a number


@dataclass(frozen=True, slots=True)
class _Span:
    type: str
    sub_type: str
    text: str
    offset: int


def find_entities(utterances: list[Utterance], context: AnalysisContext) -> list[Entity]:
    found: list[Entity] = []
    if context.detect_entities:
        found += _generic_entities(utterances, context)
    for definition in context.custom_entities:
        if entity := _custom_entity(definition, utterances, context):
            found.append(entity)
    return found


def _generic_entities(utterances: list[Utterance], context: AnalysisContext) -> list[Entity]:
    groups: dict[tuple[str, str, str], list[tuple[str, MessageRef]]] = defaultdict(list)
    docs = parse_all([utterance.text for utterance in utterances])
    for utterance, doc in zip(utterances, docs, strict=True):
        for span in _spans(utterance.text, doc):
            key = (span.type, span.sub_type, _normalized(span.text))
            groups[key].append((span.text, _ref(utterance, span.offset, context)))
    entities = []
    for (kind, sub_type, _), found in groups.items():  # dicts keep first-seen order
        match = _match(found)
        entities.append(
            Entity(
                type=kind, subType=sub_type, category="Generic", value=match.detectedValue, matches=[match]
            )
        )
    return entities


def _spans(text: str, doc: object) -> Iterator[_Span]:
    """Pattern spans first; spaCy's entities only where no pattern claimed a character."""
    claimed: list[tuple[int, int]] = []
    for pattern_spans in (_pattern_spans(_EMAIL, "email", text), _pattern_spans(_URL, "url", text)):
        for span in pattern_spans:
            if not _overlaps(span, claimed):
                claimed.append((span.offset, span.offset + len(span.text)))
                yield span
    for span in _money_spans(text):
        if not _overlaps(span, claimed):
            claimed.append((span.offset, span.offset + len(span.text)))
            yield span
    for span in _phone_spans(text):
        if not _overlaps(span, claimed):
            claimed.append((span.offset, span.offset + len(span.text)))
            yield span
    for entity in doc.ents:  # type: ignore[attr-defined]
        if entity.label_ not in SPACY_TYPES:
            continue
        bounds = name_bounds(entity) if entity.label_ in NAME_LABELS else (entity.start_char, entity.end_char)
        if bounds is None or not _worth_keeping(text[bounds[0] : bounds[1]], entity.label_):
            continue
        start, end = bounds
        kind, sub_type = SPACY_TYPES[entity.label_]
        if kind == "money" and start > 0 and text[start - 1] in CURRENCY_SIGNS:  # spaCy leaves "$" out
            start -= 1
        span = _Span(kind, sub_type, text[start:end], start)
        if not _overlaps(span, claimed):
            yield span


def _pattern_spans(pattern: re.Pattern[str], kind: str, text: str) -> Iterator[_Span]:
    for hit in pattern.finditer(text):
        yield _Span(kind, kind, hit.group(), hit.start())


def _money_spans(text: str) -> Iterator[_Span]:
    for hit in _SPOKEN_MONEY.finditer(text):
        yield _Span("money", "currency", hit.group(), hit.start())


def _phone_spans(text: str) -> Iterator[_Span]:
    for hit in _PHONE.finditer(text):
        if sum(char.isdigit() for char in hit.group()) in PHONE_DIGITS:
            yield _Span("phone_number", "phone_number", hit.group(), hit.start())


def _overlaps(span: _Span, claimed: list[tuple[int, int]]) -> bool:
    end = span.offset + len(span.text)
    return any(span.offset < taken_end and taken_start < end for taken_start, taken_end in claimed)


def _worth_keeping(text: str, label: str) -> bool:
    if not any(char.isalnum() for char in text):
        return False
    return not (label == "CARDINAL" and text.lower() in _SKIPPED_NUMBERS)


def _looks_like_a_name(text: str) -> bool:
    """Speech fools the tagger: a broken-off word ("li", "shou", "al w") or a backchannel ("W Mm-hmm",
    "Geez") is no person, company or place. A name is written with a capital, or, in lowercase, is a phrase
    of two content words or more ("the east coast"); it holds no interjection."""
    words = text.split()
    if any(word.strip(".,'").lower() in INTERJECTIONS for word in words):
        return False
    if not any(sum(char.isalpha() for char in word) >= 2 for word in words):  # "W"
        return False
    return any(word[:1].isupper() for word in words) or len(content_words(text)) >= 2


def name_bounds(entity: Span) -> tuple[int, int] | None:
    """Where the name lies in the entity's text (character offsets in its doc), without the backchannels and
    punctuation the tagger took in at its ends ("Um Liz" -> "Liz"); None when what is left is no name."""
    tokens = list(entity)
    while tokens and (tokens[0].lower_ in INTERJECTIONS or tokens[0].is_punct):
        tokens.pop(0)
    while tokens and (tokens[-1].lower_ in INTERJECTIONS or tokens[-1].is_punct):
        tokens.pop()
    if not tokens:
        return None
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    return (start, end) if _looks_like_a_name(entity.doc.text[start:end]) else None


def _normalized(text: str) -> str:
    lowered = " ".join(text.lower().split())
    return lowered.removeprefix("the ")


def _match(found: list[tuple[str, MessageRef]]) -> EntityMatch:
    surface = Counter(text for text, _ in found).most_common(1)[0][0]
    return EntityMatch(detectedValue=surface, messageRefs=[ref for _, ref in found])


def _ref(utterance: Utterance, offset: int, context: AnalysisContext) -> MessageRef:
    start = context.conversation_start
    return MessageRef(
        id=utterance.id,
        text=utterance.text,
        offset=offset,
        startTime=_iso(start + timedelta(seconds=utterance.start)),
        endTime=_iso(start + timedelta(seconds=utterance.end)),
    )


def _iso(instant: object) -> str:
    return instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")  # type: ignore[attr-defined]


# --- custom entities -------------------------------------------------------------------------------------


def _custom_entity(
    definition: CustomEntityDefinition, utterances: list[Utterance], context: AnalysisContext
) -> Entity | None:
    pattern = custom_pattern([definition.text or "", definition.value])
    if pattern is None:
        return None
    groups: dict[str, list[tuple[str, MessageRef]]] = defaultdict(list)
    for utterance in utterances:
        for hit in pattern.finditer(utterance.text):
            key = re.sub(r"[\s\-_]+", "", hit.group().lower())
            groups[key].append((hit.group(), _ref(utterance, hit.start(), context)))
    if not groups:
        return None
    return Entity(
        type=definition.custom_type,
        subType=definition.custom_type,
        category="Custom",
        value=definition.value,
        matches=[_match(found) for found in groups.values()],
    )


def custom_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    """One case-blind pattern matching any of `phrases` with its common variants, on word boundaries."""
    alternatives = sorted(
        {alternative for phrase in phrases if (alternative := _phrase_pattern(phrase))}, key=len, reverse=True
    )
    if not alternatives:
        return None
    return re.compile(r"(?<![\w])(?:" + "|".join(alternatives) + r")(?![\w])", re.IGNORECASE)


def _phrase_pattern(phrase: str) -> str:
    tokens = re.findall(r"[^\W_]+", phrase)
    if not tokens:
        return ""
    last = len(tokens) - 1
    return r"[\s\-_]*".join(_token_pattern(token, last=index == last) for index, token in enumerate(tokens))


def _token_pattern(token: str, *, last: bool) -> str:
    if not token.isalpha() or len(token) < 3:
        return re.escape(token)
    lowered = token.lower()
    if lowered.endswith("ies") and len(lowered) > 4:
        return re.escape(lowered[:-3]) + "(?:y|ies)"
    if lowered.endswith("y") and not lowered.endswith(("ay", "ey", "oy", "uy")):
        return re.escape(lowered[:-1]) + "(?:y|ies|y's)"
    stem = _singular(lowered)
    endings = "(?:s|es|'s|ed|d|ing)?" if last else "(?:s|es|'s)?"
    if stem.endswith("e") and last:
        return re.escape(stem[:-1]) + "(?:e|es|e's|ed|ing)"
    return re.escape(stem) + endings


def _singular(word: str) -> str:
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word
