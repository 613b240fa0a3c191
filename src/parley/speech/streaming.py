"""Incremental speech recognition for live streams, on the same faster-whisper model the batch path loads.

A `StreamRecognizer` holds one stream's open utterance. Each `step()` (run on the decoding thread, see
`live_decoder.py`) does three things:

1. Silero VAD over the new audio (32 ms frames), so silence is never decoded and the end of an utterance
   is heard as `end_silence` seconds without speech.
2. While an utterance is open, the whole utterance audio is decoded again; words on which two successive
   decodes agree (local agreement, LocalAgreement-2) are committed, the rest is the unstable tail. Both go
   out as an interim result.
3. When the utterance ends (VAD) it is decoded once more, with the full temperature fallback and custom
   vocabulary, and goes out as a final result. In utterances that run on past `long_utterance` seconds,
   agreed whole sentences become final at once, so a monologue still yields finals as it goes.

Word times are seconds from the start of the stream.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from parley.speech.audio import SAMPLE_RATE
from parley.speech.vocabulary import VocabularyCorrector
from parley.transcript import Word

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

VAD_FRAME = 512  # samples per Silero VAD frame (32 ms at 16 kHz)
_SPEECH_PROBABILITY = 0.5
_SILENCE_PROBABILITY = 0.35
_MIN_SPEECH_FRAMES = 4  # ~130 ms
_SENTENCE_END = re.compile(r"[.?!…]['\")\]]*$")
# Whisper's encoder sees at most 30 s; leave room for the padding around the cut.
_WHISPER_WINDOW_SECONDS = 28.0


@dataclass(frozen=True)
class StreamSettings:
    """How eagerly a stream commits. Defaults measured on tiny.en, 2 cores (docs/BENCHMARKS.md)."""

    interim_step: float = 0.4  # decode an open utterance again once this much new audio arrived
    end_silence: float = 0.5  # this much silence after speech ends the utterance
    long_utterance: float = 6.0  # past this, agreed whole sentences become final without waiting for a pause
    preroll: float = 0.3  # audio kept before detected speech (Whisper needs the onset)
    tail_pad: float = 0.2  # audio kept after the last speech frame in a final decode
    beam_size: int = 1  # interims: greedy; finals use `final_beam_size`
    final_beam_size: int = 5


@dataclass(frozen=True)
class RecognitionUpdate:
    """An interim (`is_final` False: the current hypothesis of the open utterance) or a final result."""

    is_final: bool
    words: list[Word]
    emitted_at: float = field(default_factory=time.monotonic)

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)


def _normalised(word: Word) -> str:
    return re.sub(r"[^\w']", "", word.text.lower())


def agreed_prefix(previous: Sequence[Word], current: Sequence[Word]) -> int:
    """How many leading words two hypotheses share (compared without case and punctuation)."""
    count = 0
    for before, now in zip(previous, current, strict=False):
        if _normalised(before) != _normalised(now):
            break
        count += 1
    return count


class IncrementalVad:
    """Silero VAD (the model faster-whisper ships) over audio that arrives a little at a time.

    faster-whisper's `SileroVADModel.__call__` starts from a fresh LSTM state on every call, which is right
    for a whole file and wrong for 100 ms chunks (measured: whole words came out as silence). This keeps
    the state and the 64-sample context between calls, giving the same probabilities as one call over all
    the audio.
    """

    _CONTEXT = 64

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model  # heavy import only when a stream starts

        self._session = get_vad_model().session
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(self._CONTEXT, dtype=np.float32)

    def __call__(self, audio: np.ndarray) -> np.ndarray:
        """Speech probability per `VAD_FRAME` of `audio` (whose length is a multiple of it)."""
        frames = audio.reshape(-1, VAD_FRAME).astype(np.float32)
        contexts = np.concatenate([self._context[None, :], frames[:-1, -self._CONTEXT :]])
        batch = np.concatenate([contexts, frames], axis=1)
        output, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        self._context = frames[-1, -self._CONTEXT :].copy()
        return np.asarray(output).reshape(-1)


class StreamRecognizer:
    """One live stream. `accept` may be called from any thread; `step`/`finish` only from the decoder's."""

    def __init__(
        self,
        model: WhisperModel,
        *,
        language: str | None = None,
        vocabulary: Sequence[str] = (),
        settings: StreamSettings | None = None,
    ) -> None:
        self._model = model
        self._vad = IncrementalVad()
        self._language = language
        self._corrector = VocabularyCorrector(vocabulary) if vocabulary else None
        self.settings = settings or StreamSettings()
        self._lock = threading.Lock()
        self._incoming: list[np.ndarray] = []
        self._oldest_incoming: float | None = None  # monotonic time the oldest undrained chunk arrived
        self.received_seconds = 0.0
        # The open region: audio from `_start` (seconds from the stream start), and per-frame VAD results.
        self._audio = np.zeros(0, dtype=np.float32)
        self._start = 0.0
        self._speech = np.zeros(0, dtype=bool)
        self._speaking = False  # the last VAD frame's verdict (hysteresis)
        self._committed: list[Word] = []
        self._hypothesis: list[Word] = []
        self._decoded_samples = 0  # length of `_audio` at the last interim decode
        self._last_interim = ""
        # How many streams share the decoder: interims come that much less often, so that the decodes that
        # matter most (finals) keep their latency on a busy server. The LiveDecoder sets it.
        self.sharing = 1

    # -- feeding (any thread) -------------------------------------------------------------------------
    def accept(self, samples: np.ndarray) -> None:
        if samples.size == 0:
            return
        with self._lock:
            if not self._incoming:
                self._oldest_incoming = time.monotonic()
            self._incoming.append(np.asarray(samples, dtype=np.float32))
            self.received_seconds += samples.size / SAMPLE_RATE

    def backlog_age(self) -> float:
        """Seconds the oldest audio not yet looked at has waited (how far the decoder is behind)."""
        with self._lock:
            return 0.0 if self._oldest_incoming is None else time.monotonic() - self._oldest_incoming

    def has_new_audio(self) -> bool:
        with self._lock:
            return bool(self._incoming)

    # -- decoding (decoder thread) --------------------------------------------------------------------
    def step(self) -> list[RecognitionUpdate]:
        self._drain()
        if not self._speech.any():
            self._drop_silence()
            return []
        updates: list[RecognitionUpdate] = []
        # A slow turn may find several utterances waiting: close each at its own pause.
        while (pause := self._first_pause()) is not None:
            updates += self._finalise_utterance(pause)
        if not self._speech.any():
            return updates
        if self._utterance_seconds() >= _WHISPER_WINDOW_SECONDS:
            updates += self._finalise_utterance(self._last_speech_end())
        elif (
            len(self._audio) - self._decoded_samples
        ) / SAMPLE_RATE >= self.settings.interim_step * self.sharing:
            updates += self._interim()
        return updates

    def finish(self) -> list[RecognitionUpdate]:
        """The stream ended: whatever speech is open becomes final."""
        self._drain()
        updates: list[RecognitionUpdate] = []
        while (pause := self._first_pause()) is not None:
            updates += self._finalise_utterance(pause)
        if self._speech.any():
            updates += self._finalise_utterance(self._last_speech_end())
        return updates

    def _drain(self) -> None:
        with self._lock:
            chunks, self._incoming, self._oldest_incoming = self._incoming, [], None
        if not chunks:
            return
        self._audio = np.concatenate([self._audio, *chunks])
        whole_frames = len(self._audio) // VAD_FRAME
        done = len(self._speech)
        if whole_frames > done:
            fresh = self._audio[done * VAD_FRAME : whole_frames * VAD_FRAME]
            self._speech = np.concatenate([self._speech, self._speech_frames(self._vad(fresh))])

    def _speech_frames(self, probabilities: np.ndarray) -> np.ndarray:
        """Silero's hysteresis: speech starts above 0.5 and goes on until it drops below 0.35
        (measured on jfk.wav: a plain 0.5 cut dropped the softly spoken "ask not")."""
        flags = np.zeros(len(probabilities), dtype=bool)
        speaking = self._speaking
        for index, probability in enumerate(probabilities):
            speaking = probability >= _SPEECH_PROBABILITY or (
                speaking and probability >= _SILENCE_PROBABILITY
            )
            flags[index] = speaking
        self._speaking = bool(speaking)
        return flags

    def _utterance_seconds(self) -> float:
        return len(self._audio) / SAMPLE_RATE

    def _first_pause(self) -> int | None:
        """The frame where the first utterance in the open region ends (its speech plus a little tail),
        if a pause of `end_silence` follows it; None while speech goes on."""
        speech = np.flatnonzero(self._speech)
        if speech.size == 0:
            return None
        needed = round(self.settings.end_silence * SAMPLE_RATE / VAD_FRAME)
        gaps = np.diff(np.append(speech, len(self._speech))) - 1
        long_gaps = np.flatnonzero(gaps >= needed)
        if long_gaps.size == 0:
            return None
        return self._padded(int(speech[long_gaps[0]]))

    def _last_speech_end(self) -> int:
        return self._padded(int(np.flatnonzero(self._speech)[-1]))

    def _padded(self, last_speech_frame: int) -> int:
        pad_frames = round(self.settings.tail_pad * SAMPLE_RATE / VAD_FRAME)
        return min(last_speech_frame + 1 + pad_frames, len(self._speech))

    def _drop_silence(self) -> None:
        """No speech yet: keep only a short pre-roll, frame-aligned so VAD results stay in step."""
        keep_frames = round(self.settings.preroll * SAMPLE_RATE / VAD_FRAME)
        drop_frames = max(len(self._speech) - keep_frames, 0)
        if drop_frames:
            self._cut(drop_frames * VAD_FRAME)

    def _cut(self, samples: int) -> None:
        """Forget the first `samples` of the open region (a multiple of the VAD frame)."""
        self._audio = self._audio[samples:]
        self._speech = self._speech[samples // VAD_FRAME :]
        self._start += samples / SAMPLE_RATE
        self._decoded_samples = 0

    def _interim(self) -> list[RecognitionUpdate]:
        self._decoded_samples = len(self._audio)
        words = self._decode(self._audio, beam_size=self.settings.beam_size, fallback=False)
        done = len(self._committed)
        agreed = agreed_prefix(self._hypothesis[done:], words[done:])
        self._committed += words[done : done + agreed]
        self._hypothesis = words
        updates: list[RecognitionUpdate] = []
        if self._utterance_seconds() >= self.settings.long_utterance:
            updates += self._finalise_committed_sentences()
        current = self._committed + self._hypothesis[len(self._committed) :]
        text = " ".join(word.text for word in current)
        if current and text != self._last_interim:
            self._last_interim = text
            updates.append(RecognitionUpdate(is_final=False, words=current))
        return updates

    def _finalise_committed_sentences(self) -> list[RecognitionUpdate]:
        """A long utterance: the audio up to the last agreed sentence end that agreed words follow is
        decoded as a final now, instead of waiting for a pause that may be far off."""
        ends = [index for index, word in enumerate(self._committed[:-1]) if _SENTENCE_END.search(word.text)]
        if not ends:
            return []
        last, following = self._committed[ends[-1]], self._committed[ends[-1] + 1]
        # Cut between the sentence's last word and the next one (Whisper's word times are approximate).
        cut_frames = int(((last.end + following.start) / 2 - self._start) * SAMPLE_RATE) // VAD_FRAME
        if cut_frames <= 0:
            return []
        return self._finalise_utterance(min(cut_frames, len(self._speech)))

    def _finalise_utterance(self, end_frame: int) -> list[RecognitionUpdate]:
        """Decode the open region up to `end_frame` as one final utterance and forget it."""
        words: list[Word] = []
        # A blip of a few frames (a click, a cough) is not worth a decode: Whisper invents words for it.
        if int(self._speech[:end_frame].sum()) >= _MIN_SPEECH_FRAMES:
            audio = self._audio[: end_frame * VAD_FRAME]
            words = self._decode(audio, beam_size=self.settings.final_beam_size, fallback=True)
        self._cut(end_frame * VAD_FRAME)
        self._skip_leading_silence()
        self._committed = []
        self._hypothesis = []
        self._last_interim = ""
        return [RecognitionUpdate(is_final=True, words=self._corrected(words))] if words else []

    def _skip_leading_silence(self) -> None:
        speech = np.flatnonzero(self._speech)
        if speech.size:
            keep_frames = round(self.settings.preroll * SAMPLE_RATE / VAD_FRAME)
            self._cut(max(int(speech[0]) - keep_frames, 0) * VAD_FRAME)

    def _corrected(self, words: list[Word]) -> list[Word]:
        return self._corrector.correct(words) if self._corrector else words

    def _decode(self, audio: np.ndarray, *, beam_size: int, fallback: bool) -> list[Word]:
        length = len(audio) / SAMPLE_RATE
        segments, _ = self._model.transcribe(
            audio,
            language=self._language,
            beam_size=beam_size,
            word_timestamps=True,
            condition_on_previous_text=False,
            vad_filter=False,
            temperature=(0.0, 0.2, 0.4, 0.6) if fallback else 0.0,
        )
        words: list[Word] = []
        for segment in segments:
            for found in segment.words or ():
                text = found.word.strip()
                if not text:
                    continue
                start = self._start + min(max(float(found.start), 0.0), length)
                if words:
                    start = max(start, words[-1].start)
                end = max(self._start + min(float(found.end), length), start)
                words.append(Word(text=text, start=start, end=end, score=float(found.probability)))
        return words
