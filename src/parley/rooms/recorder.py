"""Recording a room: the participants' audio mixed (48 kHz, AAC) and, in `video-and-audio` mode, their
cameras composed into the layout (H.264 via libx264), written as MP4 (`audio` mode: AAC in an .m4a).

A thread of its own ticks at the video frame rate: it draws the frame for that instant from each shown
participant's latest camera frame, and mixes the audio up to `MIX_LAG` before now (frames that arrive
late over the network still land in the mix). Participants may join and leave at any time: their tile
appears and disappears, and their track holds silence while they are not there.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import av
import numpy as np

from parley.rooms.compose import TileSource, compose
from parley.rooms.layout import PALETTES, RecordingConfig, video_format
from parley.rooms.tracks import MIX_RATE, ParticipantTrack, TrackFile, mix

log = logging.getLogger(__name__)

MIX_LAG = 0.5  # seconds the mix stays behind now, for frames still on their way
SPEAKING_SECONDS = 0.3  # a voice heard this recently makes its participant the active speaker
VIDEO_CODEC = "libx264" if "libx264" in av.codecs_available else "mpeg4"


class LiveParticipant(Protocol):
    """What the recorder reads from a room's participant (see `parley.rooms.live.Participant`)."""

    id: str
    name: str
    latest_video: av.VideoFrame | None
    last_voice_at: float  # clock time their voice was last above the speaking threshold


@dataclass(frozen=True)
class RecordedFiles:
    path: Path
    format: str  # "mp4" or "m4a"
    duration: float
    width: int | None
    height: int | None
    tracks: list[TrackFile]


class Recorder:
    def __init__(
        self, workdir: Path, config: RecordingConfig, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config, self.clock = config, clock
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.video = config.mode == "video-and-audio"
        self.format = video_format(config)
        self.path = workdir / ("recording.mp4" if self.video else "recording.m4a")
        self._participants: dict[str, LiveParticipant] = {}
        self._tracks: dict[str, ParticipantTrack] = {}
        self._closed_tracks: list[TrackFile] = []
        self._draining: list[ParticipantTrack] = []  # left, but their last audio is not mixed yet
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="room-recorder", daemon=True)
        self._last_speaker: str | None = None
        self._mixed = 0  # samples of the mix written
        self._frames = -1  # index of the last video frame written
        self.error: BaseException | None = None
        self.t0 = 0.0

    # -- lifetime -------------------------------------------------------------------------------------

    def start(self) -> None:
        self._container = av.open(str(self.path), "w", format="mp4")
        self._audio = self._container.add_stream("aac", rate=MIX_RATE, layout="mono")
        self._audio.bit_rate = 128_000
        if self.video:
            self._video_stream = self._container.add_stream(VIDEO_CODEC, rate=self.format.fps)
            self._video_stream.width, self._video_stream.height = self.format.width, self.format.height
            self._video_stream.pix_fmt = "yuv420p"
            self._video_stream.bit_rate = self.format.bitrate
            self._video_stream.codec_context.time_base = Fraction(1, self.format.fps)
            if VIDEO_CODEC == "libx264":  # real time on a small machine matters more than size
                self._video_stream.options = {"preset": "veryfast", "tune": "zerolatency"}
        self.t0 = self.clock()
        self._thread.start()

    def stop(self) -> RecordedFiles:
        """Finish the file and the tracks; raises what the recording thread failed with, if it did."""
        self._stop.set()
        self._thread.join()
        now = self.clock() - self.t0
        with self._lock:
            for participant_id in list(self._tracks):
                self._close_track(participant_id, now)
        if self.error is None:
            end = max([self._mixed, round(now * MIX_RATE)])
            self._encode_audio_until(max([end, *(track.end for track in self._draining)]))
        self._finish_container()
        if self.error is not None:
            raise self.error
        duration = self._mixed / MIX_RATE
        width, height = (self.format.width, self.format.height) if self.video else (None, None)
        tracks = sorted(self._closed_tracks, key=lambda track: track.joined_at)
        return RecordedFiles(self.path, "mp4" if self.video else "m4a", duration, width, height, tracks)

    # -- participants (called from the room's event loop) ---------------------------------------------

    def add(self, participant: LiveParticipant) -> None:
        with self._lock:
            if participant.id in self._tracks:
                return
            number = len(self._tracks) + len(self._closed_tracks) + 1
            path = self.workdir / f"participant-{number}.wav"
            self._participants[participant.id] = participant
            self._tracks[participant.id] = ParticipantTrack(
                participant.id, participant.name, path, joined_at=self.clock() - self.t0
            )

    def remove(self, participant_id: str) -> None:
        with self._lock:
            self._participants.pop(participant_id, None)
            if participant_id in self._tracks:
                self._close_track(participant_id, self.clock() - self.t0)

    def push_audio(self, participant_id: str, samples: np.ndarray) -> None:
        """float32 mono 48 kHz samples that just arrived from a participant."""
        with self._lock:
            track = self._tracks.get(participant_id)
            if track is not None:
                track.push(self.clock() - self.t0, samples)

    # -- the recording thread -------------------------------------------------------------------------

    def _run(self) -> None:
        period = 1 / self.format.fps
        try:
            while not self._stop.is_set():
                elapsed = self.clock() - self.t0
                if self.video:
                    self._write_video_frame(elapsed)
                self._encode_audio_until(round(max(0.0, elapsed - MIX_LAG) * MIX_RATE))
                self._stop.wait(max(0.0, period - (self.clock() - self.t0 - elapsed)))
        except BaseException as error:  # the API reports it; the room goes on
            log.exception("room recording failed")
            self.error = error

    def _write_video_frame(self, elapsed: float) -> None:
        index = math.floor(elapsed * self.format.fps)
        if index <= self._frames:
            return
        with self._lock:
            participants = list(self._participants.values())
        sources = [TileSource(p.id, p.name, p.latest_video) for p in participants]
        picture = compose(
            sources,
            self._speaker(participants),
            self.config,
            PALETTES[self.config.theme],
            (self.format.width, self.format.height),
        )
        frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
        frame.pts, frame.time_base = index, Fraction(1, self.format.fps)
        self._container.mux(self._video_stream.encode(frame))
        self._frames = index

    def _speaker(self, participants: list[LiveParticipant]) -> str | None:
        """Who speaks now; the last one who spoke while nobody does."""
        now = self.clock()
        loudest = max(participants, key=lambda p: p.last_voice_at, default=None)
        if loudest is not None and now - loudest.last_voice_at <= SPEAKING_SECONDS:
            self._last_speaker = loudest.id
        present = {p.id for p in participants}
        return self._last_speaker if self._last_speaker in present else None

    def _encode_audio_until(self, end: int) -> None:
        if end <= self._mixed:
            return
        with self._lock:
            tracks = list(self._tracks.values()) + self._draining
            self._draining = [track for track in self._draining if track.end > end]
        chunk = mix([track.take(self._mixed, end) for track in tracks])
        if len(chunk) == 0:  # nobody in the room: silence
            chunk = np.zeros(end - self._mixed, dtype=np.float32)
        frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = MIX_RATE
        frame.pts, frame.time_base = self._mixed, Fraction(1, MIX_RATE)
        self._container.mux(self._audio.encode(frame))
        self._mixed = end

    # -- helpers --------------------------------------------------------------------------------------

    def _close_track(self, participant_id: str, now: float) -> None:
        """Called with the lock held: the track stops taking audio; what it holds still reaches the mix."""
        track = self._tracks.pop(participant_id)
        self._closed_tracks.append(track.close(now))
        self._draining.append(track)

    def _finish_container(self) -> None:
        try:
            if self.video and self._frames < 0 and self.error is None:
                self._write_video_frame(0.0)  # an MP4 with a video stream needs at least one frame
            self._container.mux(self._audio.encode(None))
            if self.video:
                self._container.mux(self._video_stream.encode(None))
        finally:
            self._container.close()
