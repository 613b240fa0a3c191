"""Rooms while people are in them: participants, their incoming tracks, who speaks, and the recorder.

Everything here runs on the server's event loop (aiortc lives there); the recorder's own thread only
reads `Participant.latest_video` / `last_voice_at` and receives audio through `Recorder.push_audio`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import secrets
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from parley.rooms.capture import Capture, finish
from parley.rooms.recorder import SPEAKING_SECONDS, Recorder
from parley.rooms.tracks import MIX_RATE
from parley.runner.base import JobRunner
from parley.runtime import Runtime

log = logging.getLogger(__name__)

# RMS of a 20 ms frame (full scale = 1.0) above which a participant counts as speaking: about -36 dBFS,
# well above a quiet room picked up by a laptop microphone with the browser's noise suppression.
SPEAKING_RMS = 0.016


class Participant:
    def __init__(self, name: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.id = secrets.token_hex(6)
        self.name = name
        self.clock = clock
        self.latest_video: av.VideoFrame | None = None
        self.last_voice_at = -math.inf
        self.on_audio: Callable[[str, np.ndarray], None] | None = None
        self.connection: Any = None  # the RTCPeerConnection, when joined over WebRTC
        self._tasks: list[asyncio.Task[None]] = []
        self._resampler = av.AudioResampler(format="flt", layout="mono", rate=MIX_RATE)

    @property
    def has_video(self) -> bool:
        return self.latest_video is not None

    def speaking(self) -> bool:
        return self.clock() - self.last_voice_at <= SPEAKING_SECONDS

    def attach(self, track: MediaStreamTrack) -> None:
        """Start consuming an incoming track (always, recorded or not, so the receiver never backs up)."""
        consume = self._consume_audio if track.kind == "audio" else self._consume_video
        self._tasks.append(asyncio.ensure_future(consume(track)))

    async def _consume_audio(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            for resampled in self._resampler.resample(frame):
                samples = resampled.to_ndarray().reshape(-1).astype(np.float32, copy=False)
                if len(samples) and float(np.sqrt(np.mean(samples**2))) > SPEAKING_RMS:
                    self.last_voice_at = self.clock()
                if self.on_audio is not None:
                    self.on_audio(self.id, samples)

    async def _consume_video(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                self.latest_video = await track.recv()
            except MediaStreamError:
                return

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self.connection is not None:
            await self.connection.close()


@dataclass
class LiveRoom:
    room_id: str
    participants: dict[str, Participant] = field(default_factory=dict)
    capture: Capture | None = None

    @property
    def recorder(self) -> Recorder | None:
        return self.capture.recorder if self.capture is not None else None

    def join(self, participant: Participant) -> Participant:
        participant.on_audio = self._hear
        self.participants[participant.id] = participant
        if self.recorder is not None:
            self.recorder.add(participant)
        return participant

    async def leave(self, participant_id: str) -> None:
        participant = self.participants.pop(participant_id, None)
        if participant is None:
            return
        if self.recorder is not None:
            self.recorder.remove(participant_id)
        await participant.close()

    def _hear(self, participant_id: str, samples: np.ndarray) -> None:
        if self.recorder is not None:
            self.recorder.push_audio(participant_id, samples)

    def start_recording(self, capture: Capture) -> None:
        capture.recorder.start()
        self.capture = capture
        for participant in self.participants.values():
            capture.recorder.add(participant)

    def take_capture(self) -> Capture | None:
        """Detach the running capture (the caller stops it); None when the room is not being recorded."""
        taken, self.capture = self.capture, None
        return taken

    def state(self) -> dict[str, Any]:
        return {
            "roomId": self.room_id,
            "recording": self.capture is not None,
            "participants": [
                {"id": p.id, "name": p.name, "speaking": p.speaking(), "video": p.has_video}
                for p in self.participants.values()
            ],
        }


class RoomHub:
    """Every live room of this server process. `worker_id` names this process on the room jobs of the
    recordings it captures."""

    def __init__(self, runtime: Runtime, runner: JobRunner) -> None:
        self.runtime, self.runner = runtime, runner
        self.worker_id = f"room:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.rooms: dict[str, LiveRoom] = {}

    def room(self, room_id: str) -> LiveRoom:
        return self.rooms.setdefault(room_id, LiveRoom(room_id))

    def find(self, room_id: str) -> LiveRoom | None:
        return self.rooms.get(room_id)

    async def close(self) -> None:
        """Server shutdown: recordings still running end as if asked to, and are delivered later."""
        for room in list(self.rooms.values()):
            taken = room.take_capture()
            if taken is not None:
                try:
                    await finish(self.runtime, self.runner, taken)
                except Exception:  # its lease runs out and the recording ends failed on recovery
                    log.exception("recording %s could not be handed over at shutdown", taken.recording_id)
            for participant_id in list(room.participants):
                await room.leave(participant_id)
        self.rooms.clear()
