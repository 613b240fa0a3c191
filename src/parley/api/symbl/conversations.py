"""Symbl's Job and Conversation APIs (reads scoped to the caller's app; anything else is a 404)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session

from parley.api.deps import RuntimeDep, SessionDep
from parley.api.symbl import mapping
from parley.api.symbl.auth import AppIdDep
from parley.api.symbl.params import parse_json_object
from parley.conversations import service as conversations
from parley.errors import BadRequest, NotFound
from parley.intel.model import Analysis
from parley.jobs import service as jobs
from parley.jobs.options import ClientMetadata, WireModel
from parley.models import Conversation, ConversationAnalysis
from parley.pipeline.media import conversation_prefix
from parley.validation import validate

router = APIRouter(prefix="/v1", tags=["conversations"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Bad token"},
    404: {"description": "Not found"},
}


def owned_conversation(session: Session, app_id: str, conversation_id: str) -> Conversation:
    found = conversations.get(session, app_id=app_id, conversation_id=conversation_id)
    if found is None:
        raise NotFound(f"conversation {conversation_id} was not found")
    return found


@router.get("/job/{job_id}", responses=ERRORS, tags=["jobs"])
def get_job(job_id: str, session: SessionDep, app_id: AppIdDep) -> dict[str, Any]:
    job = jobs.get(session, app_id=app_id, job_id=job_id)
    if job is None:
        raise NotFound(f"job {job_id} was not found")
    return mapping.job(job)


SORTABLE = {"conversation.startTime", "startTime"}


@router.get("/conversations", responses={400: {"description": "Bad parameters"}, **ERRORS})
def list_conversations(
    session: SessionDep,
    app_id: AppIdDep,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    order: Literal["asc", "desc"] = Query("desc", description="By start time; newest first by default"),
    startTime: datetime | None = Query(None, description="Only those that started at or after (ISO 8601)"),
    endTime: datetime | None = Query(None, description="Only those that started before (ISO 8601)"),
    sort: str = Query("conversation.startTime"),
    filter: str | None = Query(None, description="Not supported: use startTime and endTime"),
) -> dict[str, Any]:
    if sort not in SORTABLE:
        raise BadRequest(f"sort: Parley sorts conversations by conversation.startTime only, not {sort!r}")
    if filter is not None:
        raise BadRequest("filter: RSQL filters are not supported by Parley; use startTime and endTime")
    started_from, started_before = _aware(startTime, "startTime"), _aware(endTime, "endTime")
    if started_from and started_before and started_from >= started_before:
        raise BadRequest("startTime must be before endTime")
    rows = conversations.get_all(
        session,
        app_id=app_id,
        limit=limit,
        offset=offset,
        newest_first=order == "desc",
        started_from=started_from,
        started_before=started_before,
    )
    return {"conversations": [mapping.conversation(row) for row in rows]}


def _aware(moment: datetime | None, name: str) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise BadRequest(f"{name}: give a time zone (e.g. 2026-03-01T10:00:00Z), not a local time")
    return moment


@router.get("/conversations/{conversation_id}", responses=ERRORS)
def get_conversation(conversation_id: str, session: SessionDep, app_id: AppIdDep) -> dict[str, Any]:
    return mapping.conversation(owned_conversation(session, app_id, conversation_id))


class ConversationUpdate(WireModel):
    metadata: ClientMetadata


@router.put("/conversations/{conversation_id}", responses={400: {"description": "Bad metadata"}, **ERRORS})
async def update_conversation(
    conversation_id: str, request: Request, runtime: RuntimeDep, app_id: AppIdDep
) -> dict[str, Any]:
    """Symbl's Update Conversation: `{"metadata": {...}}` entries are merged into the conversation's."""
    update = validate(ConversationUpdate, parse_json_object(await request.body()))
    with runtime.session() as session:
        conversation = owned_conversation(session, app_id, conversation_id)
        conversations.merge_metadata(session, conversation, update.metadata)
        return mapping.conversation(conversation)


@router.get("/conversations/{conversation_id}/messages", responses=ERRORS)
def get_messages(
    conversation_id: str,
    session: SessionDep,
    app_id: AppIdDep,
    verbose: str = "false",
    sentiment: str = "false",
) -> dict[str, Any]:
    conversation = owned_conversation(session, app_id, conversation_id)
    rows = conversations.get_messages(session, conversation_id=conversation.id)
    stored = session.get(ConversationAnalysis, conversation.id)
    phrases = Analysis.model_validate(stored.document).phrases if stored else {}
    return mapping.messages(
        conversation,
        rows,
        verbose=flag(verbose, "verbose"),
        sentiment=flag(sentiment, "sentiment"),
        phrases=phrases,
    )


@router.get("/conversations/{conversation_id}/members", responses=ERRORS)
def get_members(conversation_id: str, session: SessionDep, app_id: AppIdDep) -> dict[str, Any]:
    return mapping.members(owned_conversation(session, app_id, conversation_id).members)


@router.delete("/conversations/{conversation_id}", responses=ERRORS)
def delete_conversation(conversation_id: str, runtime: RuntimeDep, app_id: AppIdDep) -> dict[str, Any]:
    with runtime.session() as session:
        conversation = owned_conversation(session, app_id, conversation_id)
        if jobs.has_active_job(session, conversation_id=conversation.id):
            raise BadRequest(
                f"conversation {conversation_id} has a job running; delete it after the job ends"
            )
        conversations.delete_conversation(session, conversation=conversation)
    runtime.blobs.delete_prefix(conversation_prefix(app_id, conversation_id))
    return {"message": f"successfully deleted the conversation {conversation_id}"}


def flag(value: str, name: str) -> bool:
    """A query-string boolean; Symbl's clients send True/False capitalised."""
    lowered = value.strip().lower()
    if lowered not in {"true", "false", "1", "0", ""}:
        raise BadRequest(f"{name}: expected true or false, got {value!r}")
    return lowered in {"true", "1"}
