"""The live recogniser and its decoder thread, on real speech fed in small chunks."""

from __future__ import annotations

import itertools
import threading

import numpy as np
import pytest
from tests.support import wer

from parley.speech.audio import SAMPLE_RATE
from parley.speech.live_decoder import LiveDecoder
from parley.speech.pcm import PcmDecoder
from parley.speech.streaming import RecognitionUpdate, StreamRecognizer, agreed_prefix
from parley.speech.transcriber import load_whisper_model
from parley.transcript import Word

JFK = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)


def _feed(recognizer: StreamRecognizer, audio: np.ndarray, chunk: float = 0.1) -> list[RecognitionUpdate]:
    """Feed in `chunk`-second pieces, stepping after each (as fast as decoding allows)."""
    updates: list[RecognitionUpdate] = []
    size = int(chunk * SAMPLE_RATE)
    for start in range(0, len(audio), size):
        recognizer.accept(audio[start : start + size])
        updates += recognizer.step()
    return updates + recognizer.finish()


def test_agreed_prefix_ignores_case_and_punctuation() -> None:
    def words(text: str) -> list[Word]:
        return [Word(w, 0, 0) for w in text.split()]

    assert agreed_prefix(words("And so, my fellow"), words("and so my fellas")) == 3
    assert agreed_prefix(words(""), words("ask not")) == 0


def test_interims_then_finals_with_stream_times(jfk_audio: np.ndarray) -> None:
    silence = np.zeros(SAMPLE_RATE * 2, dtype=np.float32)
    audio = np.concatenate([silence, jfk_audio, silence])
    updates = _feed(StreamRecognizer(load_whisper_model(), language="en"), audio)

    finals = [update for update in updates if update.is_final]
    interims = [update for update in updates if not update.is_final]
    assert interims, "no interim hypotheses while speech was going on"
    assert wer(JFK, " ".join(update.text for update in finals)) < 0.2
    words = [word for update in finals for word in update.words]
    # Times count from the stream start: the 2 s of leading silence is in them.
    assert 1.8 < words[0].start < 3.0
    assert all(a.start <= b.start for a, b in itertools.pairwise(words))
    assert words[-1].end <= len(audio) / SAMPLE_RATE
    # The first final came before the audio ended: the pause after "Americans" closed an utterance.
    first_final = updates.index(finals[0])
    assert first_final < len(updates) - 1


def test_silence_alone_is_never_decoded() -> None:
    recognizer = StreamRecognizer(load_whisper_model(), language="en")
    noise = (np.random.default_rng(0).standard_normal(SAMPLE_RATE * 5) * 0.001).astype(np.float32)
    assert _feed(recognizer, noise) == []


def test_mulaw_8k_is_decoded_and_resampled(jfk_audio: np.ndarray) -> None:
    """Telephone audio: 8 kHz mu-law, as a SIP call delivers it."""
    import av

    frame = av.AudioFrame.from_ndarray(
        (jfk_audio * 32767).astype(np.int16).reshape(1, -1), format="s16", layout="mono"
    )
    frame.sample_rate = SAMPLE_RATE
    resampler = av.AudioResampler(format="s16", layout="mono", rate=8000)
    narrow = np.concatenate([out.to_ndarray().reshape(-1) for out in resampler.resample(frame)])
    encoder = av.CodecContext.create("pcm_mulaw", "w")
    encoder.sample_rate, encoder.layout, encoder.format = 8000, "mono", "s16"
    packet_frame = av.AudioFrame.from_ndarray(narrow.reshape(1, -1), format="s16", layout="mono")
    packet_frame.sample_rate = 8000
    ulaw = b"".join(bytes(packet) for packet in encoder.encode(packet_frame))

    decoder = PcmDecoder("MULAW", 8000)
    wide = np.concatenate([decoder.decode(ulaw[i : i + 160]) for i in range(0, len(ulaw), 160)])
    assert abs(len(wide) - len(jfk_audio)) < 400
    updates = _feed(StreamRecognizer(load_whisper_model(), language="en"), wide)
    assert wer(JFK, " ".join(u.text for u in updates if u.is_final)) < 0.25


def test_pcm_decoder_refuses_unknown_formats() -> None:
    with pytest.raises(ValueError, match="encoding"):
        PcmDecoder("OPUS", 16000)
    with pytest.raises(ValueError, match="sampleRateHertz"):
        PcmDecoder("LINEAR16", 11025)


def test_decoder_serves_streams_in_turn_and_reports_lag(jfk_audio: np.ndarray) -> None:
    decoder = LiveDecoder(max_lag=0.0)  # every wait counts as falling behind: the warning path runs
    model = load_whisper_model()
    finals: dict[str, list[str]] = {"a": [], "b": []}
    lagging: list[float] = []
    finished = threading.Event()
    done: list[str] = []
    try:
        for key in finals:
            recognizer = StreamRecognizer(model, language="en")
            decoder.add(
                key,
                recognizer,
                on_update=lambda u, key=key: finals[key].append(u.text) if u.is_final else None,
                on_lagging=lagging.append,
            )
            recognizer.accept(jfk_audio)
        decoder.nudge()
        for key in finals:
            decoder.finish(key, lambda key=key: (done.append(key), len(done) == 2 and finished.set()))
        assert finished.wait(120)
    finally:
        decoder.close()
    assert lagging, "a stream kept waiting was not told it is behind"
    for texts in finals.values():
        assert wer(JFK, " ".join(texts)) < 0.2
    assert decoder.active_streams() == 0
