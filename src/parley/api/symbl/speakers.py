"""Symbl's member and speaker endpoints: rename members, attribute messages by speaker events, analytics."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from parley.api.deps import RuntimeDep, SessionDep
from parley.api.symbl import mapping
from parley.api.symbl.auth import AppIdDep
from parley.api.symbl.conversations import ERRORS, owned_conversation
from parley.api.symbl.params import parse_json_object
from parley.conversations import service as conversations
from parley.conversations.speaker_events import SpeakerEvent
from parley.errors import BadRequest, NotFound
from parley.intel.analytics import Utterance, compute
from parley.transcript import Speaker, participant
from parley.validation import validate

router = APIRouter(prefix="/v1/conversations", tags=["speakers"])


class MemberUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    name: str | None = Field(default=None, min_length=1, max_length=300)
    email: EmailStr | None = None


class EventUser(BaseModel):
    id: str | None = None
    name: str | None = None
    email: EmailStr | None = None


class EventOffset(BaseModel):
    seconds: float = Field(ge=0)
    nanos: int = Field(default=0, ge=0, lt=1_000_000_000)


class WireSpeakerEvent(BaseModel):
    type: Literal["started_speaking", "stopped_speaking"]
    user: EventUser
    offset: EventOffset


class SpeakerEvents(BaseModel):
    speakerEvents: list[WireSpeakerEvent] = Field(min_length=1)


@router.put("/{conversation_id}/members/{member_id}", responses=ERRORS)
async def update_member(
    conversation_id: str, member_id: str, request: Request, runtime: RuntimeDep, app_id: AppIdDep
) -> dict[str, str]:
    body = validate(MemberUpdate, parse_json_object(await request.body()))
    if body.id is not None and body.id != member_id:
        raise BadRequest(f"id: the body names member {body.id} but the path names {member_id}")
    with runtime.session() as session:
        conversation = owned_conversation(session, app_id, conversation_id)
        member = conversations.update_member(
            session, conversation=conversation, member_id=member_id, name=body.name, email=body.email
        )
        if member is None:
            raise NotFound(f"member {member_id} is not in conversation {conversation_id}")
    return {
        "message": f"Member with id: {member_id} for conversationId: {conversation_id} updated successfully! "
        "The update should be reflected in all messages and insights along with this conversation"
    }


@router.put("/{conversation_id}/speakers", responses=ERRORS)
async def put_speaker_events(
    conversation_id: str, request: Request, runtime: RuntimeDep, app_id: AppIdDep
) -> dict[str, str]:
    body = validate(SpeakerEvents, parse_json_object(await request.body()))
    users: dict[str, Speaker] = {}
    events: list[SpeakerEvent] = []
    for index, event in enumerate(body.speakerEvents):
        user = participant(name=event.user.name, email=event.user.email, user_id=event.user.id)
        if user is None:
            raise BadRequest(f"speakerEvents.{index}.user: give at least one of id, name or email")
        users.setdefault(user.key, user)
        offset = event.offset.seconds + event.offset.nanos / 1e9
        events.append(SpeakerEvent(kind=event.type, user_key=user.key, offset=offset))
    with runtime.session() as session:
        conversation = owned_conversation(session, app_id, conversation_id)
        conversations.attribute_by_events(
            session, conversation=conversation, events=events, users=list(users.values())
        )
    return {
        "message": f"Speaker events associated for conversationId: {conversation_id} successfully! "
        "The update should be reflected in all messages and insights along with this conversation"
    }


@router.get("/{conversation_id}/analytics", responses=ERRORS)
def get_analytics(conversation_id: str, session: SessionDep, app_id: AppIdDep) -> dict[str, Any]:
    conversation = owned_conversation(session, app_id, conversation_id)
    rows = conversations.get_messages(session, conversation_id=conversation.id)
    utterances = [
        Utterance(
            speaker=row.member_id or "",
            intervals=[(start, end) for _, start, end, _ in row.words] or [(row.start, row.end)],
            words=len(row.words) or len(row.text.split()),
        )
        for row in rows
    ]
    return mapping.analytics(compute(utterances, duration=conversation.duration), conversation)
