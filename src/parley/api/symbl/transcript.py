"""Symbl's formatted transcript: `POST /v1/conversations/{conversationId}/transcript` renders the messages as
Markdown (paragraphs, speaker names, highlighted key phrases) or SRT, and answers
`{"transcript": {"payload": ..., "contentType": ...}}`. Paragraphs and highlights apply to Markdown only."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session

from parley.api.deps import SessionDep
from parley.api.symbl import mapping
from parley.api.symbl.auth import AppIdDep
from parley.api.symbl.conversations import ERRORS, owned_conversation
from parley.api.symbl.params import parse_json_object
from parley.conversations import export
from parley.conversations import service as conversations
from parley.intel.model import Analysis
from parley.jobs.options import WireModel
from parley.models import Conversation, ConversationAnalysis
from parley.validation import validate

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])


class Highlights(WireModel):
    highlightOnlyInsightKeyPhrases: bool = False  # action phrases and questions
    highlightAllKeyPhrases: bool = False  # those and the topics


class FormattedTranscriptRequest(WireModel):
    contentType: Literal["text/markdown", "text/srt"]
    createParagraphs: bool = False
    showSpeakerSeparation: bool = False
    phrases: Highlights = Highlights()


@router.post("/{conversation_id}/transcript", responses={400: {"description": "Bad options"}, **ERRORS})
async def formatted_transcript(
    conversation_id: str, request: Request, session: SessionDep, app_id: AppIdDep
) -> dict[str, Any]:
    options = validate(FormattedTranscriptRequest, parse_json_object(await request.body()))
    conversation = owned_conversation(session, app_id, conversation_id)
    rows = conversations.get_messages(session, conversation_id=conversation.id)
    messages = mapping.messages(conversation, rows, verbose=False)["messages"]
    if options.contentType == "text/srt":
        payload = export.subtitles(messages, speakers=options.showSpeakerSeparation)
    else:
        payload = export.formatted_markdown(
            messages,
            paragraphs=options.createParagraphs,
            speakers=options.showSpeakerSeparation,
            highlights=_highlights(session, conversation, options.phrases),
        )
    return {"transcript": {"payload": payload, "contentType": options.contentType}}


def _highlights(session: Session, conversation: Conversation, asked: Highlights) -> dict[str, list[str]]:
    stored = session.get(ConversationAnalysis, conversation.id)
    if stored is None or not (asked.highlightOnlyInsightKeyPhrases or asked.highlightAllKeyPhrases):
        return {}
    return export.key_phrases(
        Analysis.model_validate(stored.document),
        minimum_score=conversations.confidence_threshold(session, conversation=conversation),
        insights_only=not asked.highlightAllKeyPhrases,
    )
