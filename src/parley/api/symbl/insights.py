"""Symbl's Conversation API reads of the analysis: insights, topics, entities, trackers, summary."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from parley.api.deps import SessionDep
from parley.api.symbl import mapping
from parley.api.symbl.auth import AppIdDep
from parley.api.symbl.conversations import ERRORS, flag, owned_conversation
from parley.conversations import service as conversations
from parley.errors import NotFound
from parley.intel.model import Analysis, Insight
from parley.models import Conversation, ConversationAnalysis

router = APIRouter(prefix="/v1/conversations", tags=["insights"])
Threshold = Query(None, ge=0.5, le=1.0, description="Only insights scored at least this (default: the job's)")


def _analysis(session: Session, conversation: Conversation) -> Analysis:
    stored = session.get(ConversationAnalysis, conversation.id)
    return Analysis.model_validate(stored.document) if stored else Analysis()


def _insights(
    session: Session, app_id: str, conversation_id: str, kinds: set[str], threshold: float | None
) -> tuple[Conversation, list[Insight]]:
    conversation = owned_conversation(session, app_id, conversation_id)
    minimum = (
        threshold
        if threshold is not None
        else conversations.confidence_threshold(session, conversation=conversation)
    )
    found = [item for item in _analysis(session, conversation).insights if item.type in kinds]
    return conversation, [item for item in found if item.score >= minimum]


def _shaped(session: Session, conversation: Conversation, found: list[Insight]) -> list[dict[str, Any]]:
    senders = conversations.senders(session, conversation_id=conversation.id)
    return [mapping.insight(item, conversation, senders) for item in found]


# path -> (response key, insight types it lists): one endpoint each, all of the same shape.
INSIGHT_LISTS = {
    "questions": ("questions", {"question"}),
    "action-items": ("actionItems", {"action_item"}),
    "follow-ups": ("followUps", {"follow_up"}),
    "insights": ("insights", {"question", "action_item", "follow_up"}),
}


def _insight_list(key: str, kinds: set[str]) -> Callable[..., dict[str, Any]]:
    def read(
        conversation_id: str,
        session: SessionDep,
        app_id: AppIdDep,
        confidenceThreshold: float | None = Threshold,
    ) -> dict[str, Any]:
        conversation, found = _insights(session, app_id, conversation_id, kinds, confidenceThreshold)
        return {key: _shaped(session, conversation, found)}

    return read


for _path, (_key, _kinds) in INSIGHT_LISTS.items():
    router.add_api_route(
        f"/{{conversation_id}}/{_path}",
        _insight_list(_key, _kinds),
        methods=["GET"],
        responses=ERRORS,
        name=f"get_{_path.replace('-', '_')}",
    )


@router.get("/{conversation_id}/topics", responses=ERRORS)
def get_topics(
    conversation_id: str,
    session: SessionDep,
    app_id: AppIdDep,
    sentiment: str = "false",
    parentRefs: str = "false",
) -> dict[str, Any]:
    conversation = owned_conversation(session, app_id, conversation_id)
    texts = (
        {row.id: row.text for row in conversations.get_messages(session, conversation_id=conversation.id)}
        if flag(sentiment, "sentiment")
        else None
    )
    topics = _analysis(session, conversation).topics
    return {
        "topics": [mapping.topic(item, texts, parent_refs=flag(parentRefs, "parentRefs")) for item in topics]
    }


@router.get("/{conversation_id}/entities", responses=ERRORS)
def get_entities(conversation_id: str, session: SessionDep, app_id: AppIdDep) -> dict[str, Any]:
    conversation = owned_conversation(session, app_id, conversation_id)
    entities = _analysis(session, conversation).entities
    return {"entities": [mapping.entity(item) for item in entities]}


@router.get("/{conversation_id}/trackers-detected", responses=ERRORS)
def get_trackers_detected(
    conversation_id: str, session: SessionDep, app_id: AppIdDep
) -> list[dict[str, Any]]:
    conversation = owned_conversation(session, app_id, conversation_id)
    return [
        item.model_dump(mode="json", exclude_none=True) for item in _analysis(session, conversation).trackers
    ]


@router.get("/{conversation_id}/trackers", responses=ERRORS, deprecated=True)
def get_trackers(conversation_id: str, session: SessionDep, app_id: AppIdDep) -> list[dict[str, Any]]:
    """The older name of trackers-detected, kept for clients that still call it."""
    return get_trackers_detected(conversation_id, session, app_id)


@router.get("/{conversation_id}/summary", responses=ERRORS)
def get_summary(conversation_id: str, session: SessionDep, app_id: AppIdDep) -> dict[str, Any]:
    conversation = owned_conversation(session, app_id, conversation_id)
    summary = _analysis(session, conversation).summary
    if summary is None:
        raise NotFound(
            f"conversation {conversation_id} has no summary: submit its job with enableSummary=true, "
            "and ask again once the job is completed"
        )
    return {"summary": [item.model_dump(mode="json", exclude_none=True) for item in summary]}
