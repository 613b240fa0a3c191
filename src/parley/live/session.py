"""One live conversation in progress: audio in, recognition and messages out to every subscriber.

The session owns its recogniser's results and the speaker attribution; the `LiveHub` owns the threads
(decoding, live analysis) and storing the finished conversation.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from parley.conversations.speaker_events import SpeakerEvent, speaker_of, speaking_intervals
from parley.ids import numeric_id
from parley.live.events import Kind, LiveEvent, LiveMessage, Recognition, Subscriber
from parley.live.options import LiveOptions
from parley.pipeline.sentences import group_words
from parley.speech.pcm import PcmDecoder
from parley.speech.streaming import RecognitionUpdate, StreamRecognizer
from parley.transcript import Message, Speaker, Transcript


@dataclass
class LiveSession:
    connection_id: str
    app_id: str
    conversation_id: str
    job_id: str
    started_at: datetime
    options: LiveOptions
    recognizer: StreamRecognizer
    kind: str = "streaming"  # streaming | telephony
    messages: list[LiveMessage] = field(default_factory=list)
    speaker_events: list[SpeakerEvent] = field(default_factory=list)
    speakers: dict[str, Speaker] = field(default_factory=dict)
    stop_reason: str | None = None
    done: threading.Event = field(default_factory=threading.Event)
    # When audio last arrived (monotonic), for `noConnectionTimeout`.
    last_audio_at: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        recognition = self.options.config.speechRecognition
        self._pcm = PcmDecoder(recognition.encoding, recognition.sampleRateHertz)
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()
        self._sequence = 0
        default = self.options.default_speaker
        if default is not None:
            self.speakers[default.key] = default

    # -- input -----------------------------------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        self.recognizer.accept(self._pcm.decode(data))
        self.last_audio_at = time.monotonic()

    def feed_samples(self, samples: np.ndarray) -> None:
        """16 kHz float32 samples, already decoded (telephony)."""
        self.recognizer.accept(samples)
        self.last_audio_at = time.monotonic()

    def reconfigure(self, encoding: str, sample_rate: int) -> None:
        self._pcm.configure(encoding, sample_rate)

    def add_speaker_event(self, event: SpeakerEvent, speaker: Speaker) -> None:
        """`event` names `speaker` by its key."""
        with self._lock:
            self.speakers.setdefault(speaker.key, speaker)
            self.speaker_events.append(event)

    @property
    def received_seconds(self) -> float:
        return self.recognizer.received_seconds

    # -- output ----------------------------------------------------------------------------------------
    def subscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.append(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

    def publish(self, kind: str, data: object = None) -> None:
        with self._lock:
            self._sequence += 1
            event = LiveEvent(kind=kind, data=data, sequence=self._sequence)
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            subscriber.put(event)

    def close_subscribers(self) -> None:
        with self._lock:
            subscribers, self._subscribers = self._subscribers, []
        for subscriber in subscribers:
            subscriber.put(None)

    def final_messages(self, update: RecognitionUpdate) -> list[LiveMessage]:
        """The messages a final result adds to the session (none for an interim one)."""
        if not update.is_final:
            return []
        fresh = [
            LiveMessage(
                id=numeric_id(),
                text=message.text,
                start=message.start,
                end=message.end,
                words=message.words,
                speaker=self._speaker_for(message.start, message.end),
            )
            for message in group_words(update.words)
        ]
        with self._lock:
            self.messages.extend(fresh)
        return fresh

    def publish_recognition(self, update: RecognitionUpdate, fresh: list[LiveMessage]) -> None:
        """Tell listeners of a result, then of the messages it added (`final_messages`, once kept)."""
        speaker = self._speaker_for(update.words[0].start, update.words[-1].end) if update.words else None
        self.publish(Kind.RECOGNITION, Recognition(update.is_final, update.words, speaker))
        if fresh:
            self.publish(Kind.MESSAGES, fresh)

    def _speaker_for(self, start: float, end: float) -> Speaker | None:
        """Who speaker events say was talking then; the stream's own speaker otherwise."""
        with self._lock:
            events = list(self.speaker_events)
        if events:
            end_of_conversation = max(end, self.received_seconds)
            intervals = speaking_intervals(events, end_of_conversation=end_of_conversation, strict=False)
            key = speaker_of((start, end), intervals)
            if key is not None:
                return self.speakers[key]
        return self.options.default_speaker

    def transcript(self) -> Transcript:
        """Everything said, attributed with every speaker event received (late ones included)."""
        with self._lock:
            messages = list(self.messages)
        rows = []
        for message in messages:
            speaker = self._speaker_for(message.start, message.end)
            rows.append(
                Message(
                    id=message.id,  # what clients were sent in message_response, and what was kept
                    text=message.text,
                    start=message.start,
                    end=message.end,
                    words=message.words,
                    speaker=speaker.key if speaker else None,
                )
            )
        used = {row.speaker for row in rows if row.speaker}
        return Transcript(
            messages=rows,
            speakers=[speaker for key, speaker in self.speakers.items() if key in used],
            duration=self.received_seconds,
            language=(self.options.config.languageCode or "en-US"),
        )
