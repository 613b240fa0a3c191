"""Core rows -> Symbl's JSON shapes (field names and time formats exactly as Symbl's clients parse them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from parley.intel.analytics import Analytics
from parley.jobs.options import not_yet_built
from parley.models import Conversation, Job, Member, MessageRow


def iso(instant: datetime) -> str:
    return instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def member(row: Member) -> dict[str, Any]:
    shaped: dict[str, Any] = {"id": row.id, "name": row.name}
    if row.email:
        shaped["email"] = row.email
    if row.user_id:
        shaped["userId"] = row.user_id
    return shaped


def members(rows: list[Member]) -> dict[str, Any]:
    return {"members": [member(row) for row in rows]}


def conversation(row: Conversation) -> dict[str, Any]:
    return {
        "id": row.id,
        "type": "meeting",
        "name": row.name,
        "startTime": iso(row.start_time),
        "endTime": iso(row.end_time or row.start_time),
        "members": [member(item) for item in row.members],
        "metadata": row.metadata_ or {},
    }


def messages(conversation_row: Conversation, rows: list[MessageRow], *, verbose: bool) -> dict[str, Any]:
    by_id = {item.id: item for item in conversation_row.members}
    start = conversation_row.start_time
    return {"messages": [_message(row, start, by_id, verbose=verbose) for row in rows]}


def _message(row: MessageRow, start: datetime, by_id: dict[str, Member], *, verbose: bool) -> dict[str, Any]:
    sender = by_id.get(row.member_id) if row.member_id else None
    shaped: dict[str, Any] = {
        "id": row.id,
        "text": row.text,
        "from": member(sender) if sender else {},
        "startTime": iso(start + timedelta(seconds=row.start)),
        "endTime": iso(start + timedelta(seconds=row.end)),
        "timeOffset": round(row.start, 3),
        "duration": round(row.end - row.start, 3),
        "conversationId": row.conversation_id,
        "phrases": [],
    }
    if verbose:
        shaped["words"] = [
            {
                "word": text,
                "startTime": iso(start + timedelta(seconds=word_start)),
                "endTime": iso(start + timedelta(seconds=word_end)),
                "score": score,
                "timeOffset": round(word_start, 3),
                "duration": round(word_end - word_start, 3),
            }
            for text, word_start, word_end, score in row.words
        ]
    return shaped


def job(row: Job) -> dict[str, Any]:
    shaped: dict[str, Any] = {"id": row.id, "status": row.status}
    if row.error:
        shaped["message"] = row.error
    if notes := not_yet_built(row.options or {}):
        shaped["notes"] = notes
    return shaped


def analytics(result: Analytics, conversation_row: Conversation) -> dict[str, Any]:
    """Utterances were keyed by member id ("" for messages nobody is known to have said)."""
    by_id = {item.id: item for item in conversation_row.members}

    def who(member_id: str) -> dict[str, Any]:
        row = by_id.get(member_id)
        return (
            {"id": member_id, "name": row.name, "userId": row.user_id or row.email}
            if row
            else {"id": member_id}
        )

    return {
        "metrics": [
            {"type": kind, "percent": result.percent(seconds), "seconds": seconds}
            for kind, seconds in (
                ("total_silence", result.silence_seconds),
                ("total_talk_time", result.talk_seconds),
                ("total_overlap", result.overlap_seconds),
            )
        ],
        "members": [
            who(member.speaker)
            | {
                "pace": {"wpm": member.words_per_minute},
                "talkTime": {"percentage": member.talk_percent, "seconds": member.talk_seconds},
                "listenTime": {"percentage": member.listen_percent, "seconds": member.listen_seconds},
                "overlap": {
                    "overlapDuration": member.overlap_seconds,
                    "overlappingMembers": [
                        who(pair.speaker) | {"percent": pair.percent, "seconds": pair.seconds}
                        for pair in member.overlaps
                    ],
                }
                if member.overlaps
                else {},
            }
            for member in result.members
            if member.speaker
        ],
    }
