"""Core recordings -> this face's JSON: the recording, its transcript segments, its insights.

Insights are the stored analysis document (`parley.intel.model.Analysis`) in a Claap-style shape:
`{"summary": [sentence, ...] (only when one was made), "topics": [{text, score}], "questions" |
"actionItems" | "followUps": [{text, score, start, end, speaker{id,name,email}?, assignee?, dueBy?}]}`;
times are seconds into the recording, taken from the messages each item cites.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from parley.api.claap import schemas
from parley.intel.model import Analysis, Insight
from parley.models import Member, MessageRow
from parley.recordings.queries import RecordingView

INSIGHT_GROUPS = {"question": "questions", "action_item": "actionItems", "follow_up": "followUps"}


def iso(instant: datetime) -> str:
    return instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def recording(
    view: RecordingView, *, base_url: str, upload: dict[str, str], detailed: bool
) -> schemas.Recording:
    row, author = view.recording, view.author
    shaped = schemas.Recording(
        createdAt=iso(row.created_at),
        id=row.id,
        recorder=schemas.Recorder(attended=view.attended, email=author.email, id=author.id, name=author.name),
        state=view.state.value,
        url=f"{base_url}/conversations/{row.conversation_id}",
        workspace=schemas.Named(id=view.workspace.id, name=view.workspace.name),
        channel=schemas.Named(id=view.channel.id, name=view.channel.name) if view.channel else None,
        title=row.title,
        upload=schemas.Upload(**upload) if upload else None,
    )
    if detailed:
        shaped.failureReason = view.failure_reason
        shaped.media = (
            schemas.Media(url=f"{base_url}/v1/recordings/{row.id}/media") if view.media_path else None
        )
        shaped.deal = schemas.Deal.model_validate(row.deal) if row.deal else None
        shaped.meeting = schemas.Meeting.model_validate(row.meeting) if row.meeting else None
        shaped.updatedAt = iso(row.updated_at)
    return shaped


def speaker(member: Member | None) -> dict[str, Any] | None:
    if member is None:
        return None
    return {"id": member.user_id or member.id, "name": member.name, "email": member.email}


def segments(rows: list[tuple[MessageRow, Member | None]]) -> list[dict[str, Any]]:
    return [
        {"start": row.start, "end": row.end, "text": row.text, "speaker": speaker(member)}
        for row, member in rows
    ]


def export_messages(rows: list[tuple[MessageRow, Member | None]]) -> list[dict[str, Any]]:
    """The message fields `parley.conversations.export` reads (its srt/vtt/txt renderers)."""
    return [
        {
            "text": row.text,
            "from": {"name": member.name} if member else {},
            "timeOffset": row.start,
            "duration": round(row.end - row.start, 3),
        }
        for row, member in rows
    ]


def insights(analysis: Analysis, rows: list[tuple[MessageRow, Member | None]]) -> dict[str, Any]:
    by_id = {row.id: (row, member) for row, member in rows}
    members = {member.id: member for _row, member in rows if member is not None}
    shaped: dict[str, Any] = {group: [] for group in INSIGHT_GROUPS.values()}
    for item in analysis.insights:
        shaped[INSIGHT_GROUPS[item.type]].append(_insight(item, by_id, members))
    shaped["topics"] = [{"text": topic.text, "score": topic.score} for topic in analysis.topics]
    if analysis.summary:
        shaped["summary"] = [sentence.text for sentence in analysis.summary]
    return shaped


def _insight(
    item: Insight, by_id: dict[str, tuple[MessageRow, Member | None]], members: dict[str, Member]
) -> dict[str, Any]:
    cited = [by_id[message_id] for message_id in item.messageIds if message_id in by_id]
    shaped: dict[str, Any] = {"text": item.text, "score": item.score}
    if cited:
        shaped["start"] = min(row.start for row, _ in cited)
        shaped["end"] = max(row.end for row, _ in cited)
        shaped["speaker"] = speaker(next((member for _, member in cited if member), None))
    if item.assignee is not None:
        known = members.get(item.assignee.memberId) if item.assignee.memberId else None
        shaped["assignee"] = (
            speaker(known) if known else {"name": item.assignee.name, "email": item.assignee.email}
        )
    if item.dueBy:
        shaped["dueBy"] = item.dueBy
    return shaped
