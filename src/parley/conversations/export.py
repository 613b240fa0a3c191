"""A conversation's transcript as a file: json (Symbl messages), txt, srt, vtt or markdown."""

from __future__ import annotations

import html
import json
from typing import Any

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


def _subtitles(messages: list[dict[str, Any]], *, vtt: bool) -> str:
    separator = "." if vtt else ","
    blocks = ["WEBVTT\n"] if vtt else []
    for index, message in enumerate(messages, start=1):
        start = message["timeOffset"]
        end = start + message["duration"]
        text = _cue_text(message, vtt=vtt)
        cue = f"{_clock(start, separator)} --> {_clock(end, separator)}\n{text}\n"
        blocks.append(cue if vtt else f"{index}\n{cue}")
    return "\n".join(blocks)


def _cue_text(message: dict[str, Any], *, vtt: bool) -> str:
    """WebVTT names the speaker with a voice tag, which players can style; SRT has none, so a prefix."""
    speaker = _speaker(message)
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
