"""Text jobs: typed messages with their speakers and (optional) times become the transcript as given."""

from __future__ import annotations

from datetime import datetime

from parley.errors import BadRequest
from parley.pipeline.sentences import split_text
from parley.transcript import Message, Speaker, Transcript, participant


def parse_instant(value: str, field: str) -> datetime:
    try:
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise BadRequest(f"{field}: {value!r} is not an ISO-8601 time") from error
    if instant.tzinfo is None:
        raise BadRequest(f"{field}: {value!r} has no time zone; add 'Z' or an offset")
    return instant


def conversation_start(messages: list[dict]) -> datetime | None:
    """The earliest startTime given, which anchors every offset of a text conversation."""
    starts = [
        parse_instant(start, f"messages[{index}].duration.startTime")
        for index, message in enumerate(messages)
        if (start := (message.get("duration") or {}).get("startTime"))
    ]
    return min(starts) if starts else None


def build_transcript(messages: list[dict], *, start: datetime | None) -> Transcript:
    """One message per sentence; a message's given time span is shared out by sentence length."""
    transcript = Transcript()
    speakers: dict[str, Speaker] = {}
    cursor = 0.0
    for index, raw in enumerate(messages):
        sender = raw.get("from") or {}
        speaker = participant(
            name=sender.get("name"), email=sender.get("email"), user_id=sender.get("userId")
        )
        key = speaker.key if speaker else None
        if speaker and key not in speakers:
            speakers[speaker.key] = speaker
        begin, end = _span(raw.get("duration") or {}, start=start, index=index, fallback=cursor)
        sentences = split_text(raw["payload"]["content"])
        total_chars = sum(len(sentence) for sentence in sentences) or 1
        at = begin
        for sentence in sentences:
            length = (end - begin) * len(sentence) / total_chars
            transcript.messages.append(Message(text=sentence, start=at, end=at + length, speaker=key))
            at += length
        cursor = max(cursor, end)
    transcript.speakers = list(speakers.values())
    transcript.duration = cursor
    return transcript


def _span(duration: dict, *, start: datetime | None, index: int, fallback: float) -> tuple[float, float]:
    if start is None or not duration.get("startTime"):
        return fallback, fallback
    begin = (
        parse_instant(duration["startTime"], f"messages[{index}].duration.startTime") - start
    ).total_seconds()
    end = begin
    if duration.get("endTime"):
        end = (
            parse_instant(duration["endTime"], f"messages[{index}].duration.endTime") - start
        ).total_seconds()
        if end < begin:
            raise BadRequest(f"messages[{index}].duration: endTime is before startTime")
    return begin, end
