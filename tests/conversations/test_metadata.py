"""Metadata writers racing on one conversation keep each other's entries: each merge re-reads the metadata
under a row lock (PostgreSQL here; SQLite lets one writer at a time in)."""

from __future__ import annotations

import threading

from parley.accounts import service as accounts
from parley.conversations import service as conversations
from parley.db import migrate, session_scope
from parley.models import Conversation

WRITERS, ROUNDS = 4, 10


def test_concurrent_merges_lose_no_entry(postgres_url: str) -> None:
    migrate(postgres_url)
    with session_scope(postgres_url) as session:
        app_id = accounts.create(session, name="metadata race").app_id
        conversation_id = conversations.create(session, app_id=app_id, kind="audio", name="race").id
    start = threading.Barrier(WRITERS)

    def write(writer: int) -> None:
        start.wait()
        for round_ in range(ROUNDS):
            with session_scope(postgres_url) as session:
                conversation = session.get_one(Conversation, conversation_id)
                conversations.merge_metadata(session, conversation, {f"w{writer}r{round_}": round_})

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with session_scope(postgres_url) as session:
        metadata = session.get_one(Conversation, conversation_id).metadata_
    assert len(metadata) == WRITERS * ROUNDS, sorted(metadata)
    with session_scope(postgres_url) as session:
        conversation = session.get_one(Conversation, conversation_id)
        conversations.merge_metadata(session, conversation, None, drop="w0r0")
    with session_scope(postgres_url) as session:
        assert "w0r0" not in session.get_one(Conversation, conversation_id).metadata_
