"""What a live session tells its listeners, and the thread-safe queue each listener reads from.

Events are plain data; the faces render them in their wire format (`api/symbl/live_wire.py`). They are
produced on the decoding and analysis threads and consumed by WebSocket handlers on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

from parley.transcript import Speaker, Word


class Kind:
    """The kinds of `LiveEvent`, each with what its `data` holds."""

    STARTED = "started"  # conversation id
    RECOGNITION = "recognition"  # Recognition
    MESSAGES = "messages"  # list[LiveMessage]
    INSIGHTS = "insights"  # list[dict]: intel Insight documents + "text" and "from"
    TOPICS = "topics"  # list[dict]: intel Topic documents
    TRACKERS = "trackers"  # list[dict]: intel TrackerHit documents
    ENTITIES = "entities"  # list[dict]: intel Entity documents
    WARNING = "warning"  # str: something the client should know (recognition falling behind)
    STOPPED = "stopped"  # str: why recognition stopped
    COMPLETED = "completed"  # conversation id: stored and analysed
    FAILED = "failed"  # str: the session could not be stored


@dataclass(frozen=True)
class Recognition:
    is_final: bool
    words: list[Word]
    speaker: Speaker | None


@dataclass(frozen=True)
class LiveMessage:
    id: str
    text: str
    start: float
    end: float
    words: list[Word]
    speaker: Speaker | None


@dataclass(frozen=True)
class LiveEvent:
    kind: str
    data: Any = None
    sequence: int = 0


@dataclass
class Subscriber:
    """A listener on one event loop; `put` may be called from any thread. `None` marks the end."""

    loop: asyncio.AbstractEventLoop
    kinds: frozenset[str] | None = None  # None: every kind
    queue: asyncio.Queue[LiveEvent | None] = field(default_factory=asyncio.Queue)

    def put(self, event: LiveEvent | None) -> None:
        if event is not None and self.kinds is not None and event.kind not in self.kinds:
            return
        # A closed loop (the client left and the server is shutting down) has nobody left to tell.
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self.queue.put_nowait, event)

    async def get(self) -> LiveEvent | None:
        return await self.queue.get()
