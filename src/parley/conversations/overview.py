"""One conversation as a person looks at it: its analysis, analytics, playable media, and removal."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from parley.conversations import service as conversations
from parley.errors import BadRequest, NotFound
from parley.intel.analytics import Analytics, Utterance, compute
from parley.intel.model import Analysis
from parley.jobs import service as jobs
from parley.models import Conversation, ConversationAnalysis, Job, Recording
from parley.pipeline.media import conversation_prefix
from parley.runtime import Runtime


def analysis_of(session: Session, *, conversation_id: str) -> Analysis:
    stored = session.get(ConversationAnalysis, conversation_id)
    return Analysis.model_validate(stored.document) if stored else Analysis()


def analytics_of(session: Session, *, conversation: Conversation) -> Analytics:
    """Talk time, pace, silence and overlap per member id ("" for messages nobody is known to have said)."""
    rows = conversations.get_messages(session, conversation_id=conversation.id)
    utterances = [
        Utterance(
            speaker=row.member_id or "",
            intervals=[(start, end) for _, start, end, _ in row.words] or [(row.start, row.end)],
            words=len(row.words) or len(row.text.split()),
        )
        for row in rows
    ]
    return compute(utterances, duration=conversation.duration)


def media_key(session: Session, *, conversation_id: str) -> str | None:
    """The blob of the conversation's first media: what its page plays. Media appended by later jobs is
    kept too, but one player plays one file, and the first one starts where the transcript does."""
    recording_media = session.scalar(
        select(Recording.media_path).where(Recording.conversation_id == conversation_id)
    )
    if recording_media:
        return recording_media
    query = (
        select(Job.media_path)
        .where(Job.conversation_id == conversation_id, Job.media_path.is_not(None))
        .order_by(Job.created_at)
        .limit(1)
    )
    return session.scalar(query)


def delete(runtime: Runtime, *, app_id: str, conversation_id: str) -> None:
    """Remove the conversation (its recording, messages and analysis follow) and all its media."""
    with runtime.session() as session:
        conversation = conversations.get(session, app_id=app_id, conversation_id=conversation_id)
        if conversation is None:
            raise NotFound(f"conversation {conversation_id} was not found")
        if jobs.has_active_job(session, conversation_id=conversation_id):
            raise BadRequest(
                f"conversation {conversation_id} has a job running; delete it after the job ends"
            )
        conversations.delete_conversation(session, conversation=conversation)
    runtime.blobs.delete_prefix(conversation_prefix(app_id, conversation_id))
