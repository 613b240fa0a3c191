"""Live session events in Symbl's streaming/telephony wire shapes (the Streaming API's WebSocket messages and
the telephony `resultWebSocketUrl` events)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from parley.api.symbl.mapping import iso
from parley.intel.model import Entity, Insight, TrackerHit
from parley.intel.model import Topic as TopicDocument
from parley.live.events import Kind, LiveEvent, LiveMessage, Recognition
from parley.live.session import LiveSession
from parley.transcript import Speaker, Word


def status(kind: str, **data: Any) -> dict[str, Any]:
    """A `{"type":"message","message":{"type": kind, ...}}` status message."""
    message: dict[str, Any] = {"type": kind}
    if data:
        message["data"] = data
    return {"type": "message", "message": message}


def error(text: str) -> dict[str, Any]:
    return status("error", message=text)


def streaming(event: LiveEvent, live: LiveSession) -> list[dict[str, Any]]:
    """What the Streaming API's own WebSocket sends for an event (every kind)."""
    data = event.data
    if event.kind == Kind.RECOGNITION:
        return [_recognition(data, event.sequence)]
    if event.kind == Kind.MESSAGES:
        return [_message_response(data, live, event.sequence)]
    if event.kind == Kind.INSIGHTS:
        return [
            {
                "type": "insight_response",
                "insights": [_insight(i, live) for i in data],
                "sequenceNumber": event.sequence,
            }
        ]
    if event.kind == Kind.TOPICS:
        return [
            {"type": "topic_response", "topics": [_topic(t) for t in data], "sequenceNumber": event.sequence}
        ]
    if event.kind == Kind.TRACKERS:
        return [
            {
                "type": "tracker_response",
                "trackers": [_tracker(t) for t in data],
                "sequenceNumber": event.sequence,
            }
        ]
    if event.kind == Kind.ENTITIES:
        return [
            {
                "type": "entity_response",
                "entities": [_entity(e) for e in data],
                "sequenceNumber": event.sequence,
            }
        ]
    if event.kind == Kind.WARNING:
        return [error(data)]
    if event.kind == Kind.STOPPED:
        return [status("recognition_stopped", conversationId=live.conversation_id, reason=data)]
    if event.kind == Kind.COMPLETED:
        return [status("conversation_completed", conversationId=live.conversation_id)]
    if event.kind == Kind.FAILED:
        return [error(f"the conversation could not be stored: {data}")]
    return []


# What the telephony resultWebSocketUrl carries: transcripts, messages, insights, topics, and the end.
TELEPHONY_KINDS = frozenset(
    {
        Kind.RECOGNITION,
        Kind.MESSAGES,
        Kind.INSIGHTS,
        Kind.TOPICS,
        Kind.TRACKERS,
        Kind.WARNING,
        Kind.STOPPED,
        Kind.COMPLETED,
        Kind.FAILED,
    }
)


def telephony(event: LiveEvent, live: LiveSession) -> list[dict[str, Any]]:
    if event.kind == Kind.RECOGNITION:
        return [_transcript_response(event.data, live)]
    return streaming(event, live)


def _user(speaker: Speaker | None) -> dict[str, Any]:
    if speaker is None:
        return {}
    return {
        "id": speaker.key,
        "userId": speaker.user_id or speaker.email or speaker.name,
        "name": speaker.name,
    }


def _duration(seconds: float) -> dict[str, str]:
    whole = int(seconds)
    return {"seconds": str(whole), "nanos": str(round((seconds - whole) * 1e9))}


def _words(words: list[Word]) -> list[dict[str, Any]]:
    return [
        {
            "word": w.text,
            "startTime": _duration(w.start),
            "endTime": _duration(w.end),
            "confidence": round(w.score, 4),
        }
        for w in words
    ]


def _recognition(result: Recognition, sequence: int) -> dict[str, Any]:
    transcript = " ".join(word.text for word in result.words)
    confidence = sum(word.score for word in result.words) / len(result.words) if result.words else 0.0
    return {
        "type": "message",
        "message": {
            "type": "recognition_result",
            "isFinal": result.is_final,
            "payload": {
                "raw": {
                    "alternatives": [
                        {
                            "words": _words(result.words),
                            "transcript": transcript,
                            "confidence": round(confidence, 4),
                        }
                    ]
                }
            },
            "punctuated": {"transcript": transcript},
            "user": _user(result.speaker),
        },
        "timeOffset": round(result.words[0].start, 3) if result.words else 0.0,
        "sequenceNumber": sequence,
    }


def _instant(start: datetime, seconds: float) -> str:
    return iso(start + timedelta(seconds=seconds))


def _message_response(messages: list[LiveMessage], live: LiveSession, sequence: int) -> dict[str, Any]:
    return {
        "type": "message_response",
        "messages": [_message(m, live) for m in messages],
        "sequenceNumber": sequence,
    }


def _message(message: LiveMessage, live: LiveSession) -> dict[str, Any]:
    words = [
        {
            "word": w.text,
            "startTime": _instant(live.started_at, w.start),
            "endTime": _instant(live.started_at, w.end),
            "timeOffset": round(w.start, 3),
            "duration": round(w.end - w.start, 3),
            "score": round(w.score, 4),
        }
        for w in message.words
    ]
    return {
        "id": message.id,
        "from": _user(message.speaker),
        "payload": {"content": message.text, "contentType": "text/plain"},
        "channel": {"id": "realtime-api"},
        "metadata": {
            "originalContent": message.text,
            "words": json.dumps(words),
            "originalMessageId": message.id,
        },
        "dismissed": False,
        "duration": {
            "startTime": _instant(live.started_at, message.start),
            "endTime": _instant(live.started_at, message.end),
            "timeOffset": round(message.start, 3),
            "duration": round(message.end - message.start, 3),
        },
    }


def _transcript_response(result: Recognition, live: LiveSession) -> dict[str, Any]:
    start = result.words[0].start if result.words else 0.0
    end = result.words[-1].end if result.words else 0.0
    return {
        "type": "transcript_response",
        "payload": {"content": " ".join(w.text for w in result.words), "contentType": "text/plain"},
        "isFinal": result.is_final,
        "user": _user(result.speaker),
        "dismissed": False,
        "duration": {
            "startTime": _instant(live.started_at, start),
            "endTime": _instant(live.started_at, end),
        },
    }


def _insight(item: Insight, live: LiveSession) -> dict[str, Any]:
    said_by = next((m.speaker for m in live.messages if item.messageIds and m.id == item.messageIds[0]), None)
    shaped: dict[str, Any] = {
        "id": item.id,
        "type": item.type,
        "confidence": item.score,
        "hints": [],
        "tags": [],
        "dismissed": False,
        "payload": {"content": item.text, "contentType": "text/plain"},
        "from": _user(said_by),
        "entities": [entity.model_dump(exclude_none=True) for entity in item.entities],
        "messageReference": {"id": item.messageIds[0]} if item.messageIds else {},
    }
    if item.assignee is not None:
        shaped["assignee"] = {
            k: v for k, v in (("name", item.assignee.name), ("email", item.assignee.email)) if v
        }
    if item.dueBy:
        shaped["dueBy"] = item.dueBy
    return shaped


def _topic(item: TopicDocument) -> dict[str, Any]:
    return {
        "id": item.id,
        "type": "topic",
        "phrases": item.text,
        "score": item.score,
        "rootWords": [{"text": word} for word in item.text.split()[:3]],
        "messageReferences": [
            {"id": message_id, "relation": "text instance"} for message_id in item.messageIds
        ],
    }


def _tracker(item: TrackerHit) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "matches": [match.model_dump(exclude_none=True) for match in item.matches],
    }


def _entity(item: Entity) -> dict[str, Any]:
    return item.model_dump(exclude_none=True)
