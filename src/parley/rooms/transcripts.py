"""What a recording's transcription produced, read from its core job: state, messages, summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from parley.conversations import service as conversations
from parley.models import ConversationAnalysis, Job, JobStatus, RoomRecording


@dataclass
class TranscriptionView:
    state: str  # disabled | pending | in_progress | completed | failed
    conversation_id: str | None = None
    error: str | None = None
    messages: list[dict[str, object]] = field(default_factory=list)  # {speaker, text, start, end}
    summary: str | None = None


def view(session: Session, recording: RoomRecording, *, with_messages: bool = False) -> TranscriptionView:
    if not (recording.request or {}).get("transcription"):
        return TranscriptionView(state="disabled")
    job = session.get(Job, recording.job_id) if recording.job_id else None
    if job is None:
        return TranscriptionView(state="failed" if recording.state == "failed" else "pending")
    shown = TranscriptionView(state=_state(job.status), conversation_id=job.conversation_id, error=job.error)
    if job.status != JobStatus.completed:
        return shown
    if with_messages:
        senders = conversations.senders(session, conversation_id=job.conversation_id)
        for row in conversations.get_messages(session, conversation_id=job.conversation_id):
            member = senders.get(row.id)
            shown.messages.append(
                {
                    "speaker": member.name if member else None,
                    "text": row.text,
                    "start": row.start,
                    "end": row.end,
                }
            )
    analysis = session.get(ConversationAnalysis, job.conversation_id)
    sentences = (analysis.document if analysis else {}).get("summary")
    if sentences is not None:
        shown.summary = " ".join(sentence["text"] for sentence in sentences)
    return shown


def _state(status: str) -> str:
    return {JobStatus.scheduled: "pending"}.get(status, status)
