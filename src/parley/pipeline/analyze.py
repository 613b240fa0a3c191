"""The analyze stage: after a job's messages are stored, the whole conversation is analysed again
(an appended job changes what earlier sentences mean) and its one analysis document is replaced.

Three steps so the analysis itself never holds the database's write lock: read what it needs
(`prepare_analysis`), analyse with no transaction open (`run_analysis`), store it (`store_analysis`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parley.config import Settings
from parley.conversations import service as conversations
from parley.intel.analyze import analyze
from parley.intel.model import AnalysisContext, CustomEntityDefinition, LLMEndpoint, Utterance
from parley.intel.tracker_specs import resolve_trackers
from parley.jobs.options import JobOptions
from parley.models import Conversation, ConversationAnalysis, Job, Member


@dataclass
class PendingAnalysis:
    """What the analysis of one conversation needs, read in one short transaction."""

    conversation_id: str
    job_id: str
    utterances: list[Utterance]
    context: AnalysisContext
    detect_phrases: bool


def prepare_analysis(
    session: Session, *, conversation: Conversation, job: Job, settings: Settings
) -> PendingAnalysis:
    options = JobOptions.model_validate(job.options or {})
    context = AnalysisContext(
        conversation_start=conversation.start_time,
        timezone_offset_minutes=options.timezoneOffset,
        detect_entities=options.detectEntities,
        custom_entities=[
            CustomEntityDefinition(custom_type=entity.customType, value=entity.value, text=entity.text)
            for entity in options.entities
        ],
        trackers=resolve_trackers(session, app_id=job.app_id, options=options),
        summary=options.enableSummary,
        summary_prompt=job.summary_prompt,
        llm=llm_endpoint(settings),
        llm_action_items=settings.llm_action_items,
    )
    return PendingAnalysis(
        conversation_id=conversation.id,
        job_id=job.id,
        utterances=conversation_utterances(session, conversation),
        context=context,
        detect_phrases=options.detectPhrases,
    )


def run_analysis(pending: PendingAnalysis) -> dict[str, Any]:
    """The slow part (seconds for an hour of talk, longer with an LLM): run it outside any transaction."""
    analysis = analyze(pending.utterances, pending.context)
    if not pending.detect_phrases:
        analysis.phrases = {}
    return analysis.model_dump(mode="json", exclude_none=True)


def store_analysis(session: Session, *, pending: PendingAnalysis, document: dict[str, Any]) -> None:
    stored = session.get(ConversationAnalysis, pending.conversation_id)
    if stored is None:
        session.add(
            ConversationAnalysis(
                conversation_id=pending.conversation_id, job_id=pending.job_id, document=document
            )
        )
    else:
        stored.job_id, stored.document = pending.job_id, document


def llm_endpoint(settings: Settings) -> LLMEndpoint | None:
    if not settings.llm_base_url:
        return None
    return LLMEndpoint(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key,
        timeout_seconds=settings.llm_timeout_seconds,
    )


def conversation_utterances(session: Session, conversation: Conversation) -> list[Utterance]:
    # Queried, not `conversation.members`: that collection may predate the members this job just added.
    members = {
        member.id: member
        for member in session.scalars(select(Member).where(Member.conversation_id == conversation.id))
    }
    utterances = []
    for row in conversations.get_messages(session, conversation_id=conversation.id):
        member = members.get(row.member_id) if row.member_id else None
        utterances.append(
            Utterance(
                id=row.id,
                text=row.text,
                start=row.start,
                end=row.end,
                member_id=row.member_id,
                speaker=member.name if member else None,
                email=member.email if member else None,
            )
        )
    return utterances
