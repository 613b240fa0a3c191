"""Core rows -> Symbl's JSON shapes (field names and time formats exactly as Symbl's clients parse them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from parley.conversations import service as conversations
from parley.intel.analytics import Analytics
from parley.intel.model import Entity, Insight, Phrase, Topic
from parley.intel.sentiment import polarity, suggested
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
        "metadata": conversations.shown_metadata(row),
    }


def messages(
    conversation_row: Conversation,
    rows: list[MessageRow],
    *,
    verbose: bool,
    sentiment: bool = False,
    phrases: dict[str, list[Phrase]] | None = None,
) -> dict[str, Any]:
    by_id = {item.id: item for item in conversation_row.members}
    start = conversation_row.start_time
    shaped = []
    for row in rows:
        message = _message(row, start, by_id, verbose=verbose)
        message["phrases"] = [phrase.model_dump() for phrase in (phrases or {}).get(row.id, [])]
        if sentiment:
            message["sentiment"] = sentiment_of([row.text])
        shaped.append(message)
    return {"messages": shaped}


def sentiment_of(texts: list[str]) -> dict[str, Any]:
    score = polarity(" ".join(texts))
    return {"polarity": {"score": score}, "suggested": suggested(score)}


def insight(
    item: Insight, conversation_row: Conversation, senders: dict[str, Member | None]
) -> dict[str, Any]:
    """`from` is whoever said the first message now (so renames and speaker events follow)."""
    sender = next((found for message_id in item.messageIds if (found := senders.get(message_id))), None)
    shaped = item.model_dump(mode="json", exclude_none=True, exclude={"assignee"})
    shaped["from"] = (
        {"id": sender.id, "name": sender.name, "userId": sender.user_id or sender.email} if sender else {}
    )
    if item.type != "question":
        shaped["assignee"] = _assignee(item, {row.id: row for row in conversation_row.members})
    return shaped


def _assignee(item: Insight, by_id: dict[str, Member]) -> dict[str, Any]:
    if item.assignee is None:
        return {}
    known = by_id.get(item.assignee.memberId) if item.assignee.memberId else None
    if known is not None:
        return member(known)
    return {
        key: value for key, value in (("name", item.assignee.name), ("email", item.assignee.email)) if value
    }


def topic(item: Topic, texts: dict[str, str] | None, *, parent_refs: bool) -> dict[str, Any]:
    """`texts` (message id -> text) is given when the caller asked for sentiment."""
    shaped: dict[str, Any] = {
        "id": item.id,
        "text": item.text,
        "type": "topic",
        "score": item.score,
        "messageIds": item.messageIds,
    }
    if texts is not None:
        shaped["sentiment"] = sentiment_of([texts[i] for i in item.messageIds if i in texts])
    if parent_refs:
        shaped["parentRefs"] = [{"type": "topic", "text": item.parent}] if item.parent else []
    return shaped


def entity(item: Entity) -> dict[str, Any]:
    """The newer shape (`matches`) plus the older one's `text`, `value` and `messageRefs`, which the official
    client (symbl-rest's EntitiesTag) requires."""
    shaped = item.model_dump(mode="json", exclude_none=True)
    shaped["text"] = item.matches[0].detectedValue if item.matches else item.value or ""
    shaped.setdefault("value", shaped["text"])
    shaped["messageRefs"] = [
        ref.model_dump(mode="json", exclude_none=True) for match in item.matches for ref in match.messageRefs
    ]
    if item.category == "Custom":
        shaped["customType"] = item.type
    return shaped


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
