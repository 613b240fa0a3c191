"""One decoding thread per process for every live stream: the model is shared, decodes never overlap.

Whisper decodes are CPU-bound and CTranslate2 already spreads one decode over the cores, so running two at
once only makes both late. Streams take turns (round robin over those with new audio); a stream whose
audio waits longer than `max_lag` seconds is told it is falling behind through its `on_lagging` callback —
its audio is kept and still transcribed, only later.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from parley.speech.streaming import RecognitionUpdate, StreamRecognizer

log = logging.getLogger(__name__)


@dataclass
class _Stream:
    recognizer: StreamRecognizer
    on_update: Callable[[RecognitionUpdate], None]
    on_lagging: Callable[[float], None]
    on_finished: Callable[[], None] | None = None
    finishing: bool = False
    lagging: bool = False  # already told; told again only after it has caught up


class LiveDecoder:
    def __init__(self, *, max_lag: float = 5.0, idle_wait: float = 0.05) -> None:
        self.max_lag = max_lag
        self._idle_wait = idle_wait
        self._streams: dict[str, _Stream] = {}
        self._order: list[str] = []
        self._wake = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="live-decoder", daemon=True)
        self._thread.start()

    def add(
        self,
        key: str,
        recognizer: StreamRecognizer,
        *,
        on_update: Callable[[RecognitionUpdate], None],
        on_lagging: Callable[[float], None],
    ) -> None:
        with self._wake:
            self._streams[key] = _Stream(recognizer, on_update, on_lagging)
            self._order.append(key)
            self._share()

    def _share(self) -> None:
        """Tell every stream how many share the decoder (they space their interim decodes by it)."""
        for stream in self._streams.values():
            stream.recognizer.sharing = max(len(self._streams), 1)

    def nudge(self) -> None:
        """New audio arrived somewhere: wake the thread instead of letting it poll."""
        with self._wake:
            self._wake.notify()

    def finish(self, key: str, on_finished: Callable[[], None]) -> None:
        """Flush the stream's open utterance as final, then call `on_finished` (on the decoder thread)."""
        with self._wake:
            stream = self._streams.get(key)
            if stream is None:
                on_finished()
                return
            stream.finishing, stream.on_finished = True, on_finished
            self._wake.notify()

    def active_streams(self) -> int:
        with self._wake:
            return len(self._streams)

    def close(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            key = self._next_ready()
            if key is None:
                return
            stream = self._streams.get(key)
            if stream is not None:
                self._serve(key, stream)

    def _next_ready(self) -> str | None:
        """The next stream (round robin) with audio or a finish pending; None once closed."""
        with self._wake:
            while not self._stopped:
                for _ in range(len(self._order)):
                    key = self._order.pop(0)
                    self._order.append(key)
                    stream = self._streams[key]
                    if stream.finishing or stream.recognizer.has_new_audio():
                        return key
                self._wake.wait(self._idle_wait)
            return None

    def _serve(self, key: str, stream: _Stream) -> None:
        self._check_lag(stream)
        with self._wake:  # read once: a finish() arriving mid-step is served on the next turn
            finishing = stream.finishing
        try:
            updates = stream.recognizer.finish() if finishing else stream.recognizer.step()
        except Exception:  # one broken stream must not stop every other one's recognition
            log.exception("live recognition failed for stream %s", key)
            updates = []
            finishing = True
        for update in updates:
            self._tell(stream.on_update, update)
        if finishing:
            with self._wake:
                self._streams.pop(key, None)
                self._order.remove(key)
                self._share()
            if stream.on_finished:
                self._tell(stream.on_finished)

    def _check_lag(self, stream: _Stream) -> None:
        lag = stream.recognizer.backlog_age()
        if lag > self.max_lag and not stream.lagging:
            stream.lagging = True
            self._tell(stream.on_lagging, lag)
        elif lag < self.max_lag / 2:
            stream.lagging = False

    @staticmethod
    def _tell(callback: Callable[..., None], *args: object) -> None:
        try:
            callback(*args)
        except Exception:  # the listener's bug is logged, the decoder goes on
            log.exception("live recognition listener failed")
