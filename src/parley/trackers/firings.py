"""Where trackers fired: the conversations whose analysis has hits for each tracker, by tracker name.

Hits live inside each conversation's analysis document (JSON), so this reads the app's most recent
analyses, `RECENT` at most: enough for a page, bounded however large the library grows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from parley.intel.model import Analysis
from parley.models import Conversation, ConversationAnalysis

RECENT = 500


@dataclass(frozen=True)
class Firing:
    conversation_id: str
    conversation_name: str
    matched_messages: int


def get_all(session: Session, *, app_id: str) -> dict[str, list[Firing]]:
    """Firings by tracker name, newest conversation first."""
    query = (
        select(Conversation.id, Conversation.name, ConversationAnalysis.document)
        .join(ConversationAnalysis, ConversationAnalysis.conversation_id == Conversation.id)
        .where(Conversation.app_id == app_id)
        .order_by(Conversation.created_at.desc())
        .limit(RECENT)
    )
    firings: dict[str, list[Firing]] = defaultdict(list)
    for conversation_id, name, document in session.execute(query):
        for hit in Analysis.model_validate(document).trackers:
            messages = {ref.id for match in hit.matches for ref in match.messageRefs}
            if messages:
                firings[hit.name].append(Firing(conversation_id, name, len(messages)))
    return dict(firings)
