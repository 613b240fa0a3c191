"""A conversation's transcript as a file: json (Symbl messages), txt, srt, vtt or markdown; and Symbl's
formatted transcript (markdown with paragraphs, speaker names and highlighted key phrases, or SRT)."""

from __future__ import annotations

import html
import json
from typing import Any

from parley.intel.model import Analysis

FORMATS = ("json", "txt", "srt", "vtt", "md")


def _clock(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _speaker(message: dict[str, Any]) -> str | None:
    return (message.get("from") or {}).get("name")


def render(payload: dict[str, Any], fmt: str) -> str:
    """`payload` is the Symbl shape: {"conversation": {...}, "messages": [...]}."""
    messages: list[dict[str, Any]] = payload["messages"]
    if fmt == "json":
        return json.dumps(payload, indent=2, ensure_ascii=False)
    if fmt == "txt":
        return (
            "\n".join(f"{speaker}: {m['text']}" if (speaker := _speaker(m)) else m["text"] for m in messages)
            + "\n"
        )
    if fmt in ("srt", "vtt"):
        return _subtitles(messages, vtt=fmt == "vtt")
    if fmt == "md":
        return _markdown(payload["conversation"], messages)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _subtitles(messages: list[dict[str, Any]], *, vtt: bool, speakers: bool = True) -> str:
    separator = "." if vtt else ","
    blocks = ["WEBVTT\n"] if vtt else []
    for index, message in enumerate(messages, start=1):
        start = message["timeOffset"]
        end = start + message["duration"]
        text = _cue_text(message, vtt=vtt, speakers=speakers)
        cue = f"{_clock(start, separator)} --> {_clock(end, separator)}\n{text}\n"
        blocks.append(cue if vtt else f"{index}\n{cue}")
    return "\n".join(blocks)


def _cue_text(message: dict[str, Any], *, vtt: bool, speakers: bool) -> str:
    """WebVTT names the speaker with a voice tag, which players can style; SRT has none, so a prefix."""
    speaker = _speaker(message) if speakers else None
    if not vtt:
        return f"{speaker}: {message['text']}" if speaker else message["text"]
    text = html.escape(message["text"], quote=False)  # "<" and "&" are markup in WebVTT cues
    return f"<v {html.escape(speaker, quote=False)}>{text}" if speaker else text


def _markdown(conversation: dict[str, Any], messages: list[dict[str, Any]]) -> str:
    lines = [
        f"# {conversation['name']}",
        "",
        f"*{conversation['startTime']} to {conversation['endTime']}*",
        "",
    ]
    for message in messages:
        stamp = _clock(message["timeOffset"], ".")[:8]
        speaker = _speaker(message)
        lines.append(f"**[{stamp}]{' ' + speaker if speaker else ''}** {message['text']}  ")
    return "\n".join(lines) + "\n"


# A paragraph of the formatted transcript ends where the speaker changes, after a pause this long, or at
# this many sentences: long enough to read as prose, short enough to find a moment again.
PARAGRAPH_PAUSE_SECONDS = 2.0
PARAGRAPH_SENTENCES = 6


def subtitles(messages: list[dict[str, Any]], *, speakers: bool) -> str:
    """SRT cues, one per message; each prefixed with its speaker's name when `speakers`."""
    return _subtitles(messages, vtt=False, speakers=speakers)


def formatted_markdown(
    messages: list[dict[str, Any]],
    *,
    paragraphs: bool,
    speakers: bool,
    highlights: dict[str, list[str]],
) -> str:
    """Markdown prose: one paragraph per message, or (`paragraphs`) per run of one speaker's sentences;
    each paragraph led by its speaker's name in bold when `speakers`; `highlights` (phrases by message id)
    in bold where the message says them."""
    blocks: list[str] = []
    for group in _paragraphs(messages) if paragraphs else [[message] for message in messages]:
        text = " ".join(_highlighted(m["text"], highlights.get(m["id"], [])) for m in group)
        speaker = _speaker(group[0]) if speakers else None
        blocks.append(f"**{_escaped(speaker)}:** {text}" if speaker else text)
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def _paragraphs(messages: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    groups: list[list[dict[str, Any]]] = []
    for message in messages:
        last = groups[-1][-1] if groups else None
        if (
            last is None
            or _speaker(last) != _speaker(message)
            or message["timeOffset"] - (last["timeOffset"] + last["duration"]) >= PARAGRAPH_PAUSE_SECONDS
            or len(groups[-1]) >= PARAGRAPH_SENTENCES
        ):
            groups.append([message])
        else:
            groups[-1].append(message)
    return groups


def _highlighted(text: str, phrases: list[str]) -> str:
    """`text` with the first place it says each phrase (any case) in bold; phrases that overlap one already
    marked, or that it does not say, are left out."""
    spans: list[tuple[int, int]] = []
    for phrase in sorted(set(phrases), key=len, reverse=True):
        at = text.lower().find(phrase.lower()) if phrase.strip() else -1
        if at >= 0 and all(at + len(phrase) <= start or at >= end for start, end in spans):
            spans.append((at, at + len(phrase)))
    pieces, cursor = [], 0
    for start, end in sorted(spans):
        pieces += [_escaped(text[cursor:start]), f"**{_escaped(text[start:end])}**"]
        cursor = end
    return "".join(pieces) + _escaped(text[cursor:])


def _escaped(text: str) -> str:
    """Transcript text as literal Markdown: the characters that would start emphasis or markup escaped."""
    return "".join(f"\\{char}" if char in "\\*_`[]<>#" else char for char in text)


def key_phrases(analysis: Analysis, *, minimum_score: float, insights_only: bool) -> dict[str, list[str]]:
    """What the formatted transcript highlights, by message id: the action phrase of each action item and
    follow-up and the whole of each question (insights scored at least `minimum_score`); unless
    `insights_only`, also each topic's words in the messages it was found in."""
    found: dict[str, list[str]] = {}
    for insight in analysis.insights:
        if insight.score < minimum_score:
            continue
        phrases = [phrase.text for phrase in insight.phrases] or [insight.text]
        for message_id in insight.messageIds:
            found.setdefault(message_id, []).extend(phrases)
    if not insights_only:
        for topic in analysis.topics:
            for message_id in topic.messageIds:
                found.setdefault(message_id, []).append(topic.text)
    return found
