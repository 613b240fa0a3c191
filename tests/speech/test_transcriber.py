from __future__ import annotations

from pathlib import Path

import huggingface_hub.constants
import jiwer
import numpy as np
import pytest

from parley.speech import transcriber as transcriber_module
from parley.speech.audio import SAMPLE_RATE, iter_audio
from parley.speech.transcriber import (
    ModelUnavailableError,
    UnsupportedLanguageError,
    WhisperTranscriber,
    load_whisper_model,
)
from parley.transcript import Word


def wer(reference: str, words: list[Word]) -> float:
    clean = jiwer.Compose([jiwer.ToLowerCase(), jiwer.RemovePunctuation(), jiwer.ReduceToListOfListOfWords()])
    return jiwer.wer(
        reference, " ".join(w.text for w in words), reference_transform=clean, hypothesis_transform=clean
    )


def test_jfk_is_transcribed_with_ordered_timings(transcriber: WhisperTranscriber, jfk_wav: Path) -> None:
    progress: list[float] = []

    words = list(transcriber.transcribe(iter_audio(jfk_wav), on_progress=progress.append))

    assert wer((jfk_wav.parent / "jfk.txt").read_text(), words) < 0.1
    assert all(w.text == w.text.strip() and w.text for w in words)
    assert all(0.0 <= w.start <= w.end <= 11.0 for w in words)
    assert [w.start for w in words] == sorted(w.start for w in words)
    assert all(0.0 <= w.score <= 1.0 for w in words)
    assert progress == sorted(progress)
    assert progress[-1] == pytest.approx(11.0)


def test_long_audio_is_cut_into_windows_without_losing_words(jfk_audio: np.ndarray, jfk_wav: Path) -> None:
    # Three copies with short pauses; 15 s windows force two cuts, each of which must fall in a pause.
    pause = np.zeros(SAMPLE_RATE, np.float32)
    audio = np.concatenate([jfk_audio, pause, jfk_audio, pause, jfk_audio])
    blocks = np.array_split(audio, 7)  # uneven blocks, as a decoder might give
    reference = (jfk_wav.parent / "jfk.txt").read_text()

    words = list(WhisperTranscriber(window_seconds=15.0).transcribe(blocks))

    assert wer(" ".join([reference] * 3), words) < 0.1
    assert [w.start for w in words] == sorted(w.start for w in words)
    assert words[-1].end <= len(audio) / SAMPLE_RATE
    second_americans = [w for w in words if w.text.startswith("Americans")][1]
    assert second_americans.start == pytest.approx(12.0 + 1.76, abs=0.5)


def test_windows_end_in_the_quietest_moment() -> None:
    rng = np.random.default_rng(3)
    audio = rng.normal(0, 0.1, 40 * SAMPLE_RATE).astype(np.float32)
    audio[int(17.5 * SAMPLE_RATE) : int(17.9 * SAMPLE_RATE)] = 0.0  # a pause near the end of window 1

    windows = list(transcriber_module._windows(np.array_split(audio, 9), 18 * SAMPLE_RATE))

    assert 17.5 * SAMPLE_RATE < len(windows[0]) < 17.9 * SAMPLE_RATE
    np.testing.assert_array_equal(np.concatenate(windows), audio)
    assert all(len(w) <= 18 * SAMPLE_RATE for w in windows)


def test_vocabulary_reaches_the_words(transcriber: WhisperTranscriber, jfk_wav: Path) -> None:
    words = list(transcriber.transcribe(iter_audio(jfk_wav), vocabulary=["Kountry"]))

    assert [w.text.rstrip(".") for w in words].count("Kountry") == 2


@pytest.mark.parametrize("language", ["de", "de-DE", "fr_FR"])
def test_english_only_model_refuses_other_languages(transcriber: WhisperTranscriber, language: str) -> None:
    assert not transcriber.is_multilingual

    with pytest.raises(UnsupportedLanguageError, match=r"tiny\.en.*multilingual") as raised:
        transcriber.transcribe([np.zeros(SAMPLE_RATE, np.float32)], language=language)
    assert isinstance(raised.value, ValueError)


def test_english_language_codes_are_accepted(transcriber: WhisperTranscriber, jfk_audio: np.ndarray) -> None:
    words = list(transcriber.transcribe([jfk_audio], language="en-US"))

    assert "Americans" in [w.text.strip(",.") for w in words]


def test_the_model_is_loaded_once() -> None:
    assert load_whisper_model() is load_whisper_model()


def test_a_missing_model_name_is_not_downloaded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # An empty cache, so the name cannot be there; huggingface_hub reads this at call time.
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))

    with pytest.raises(ModelUnavailableError, match="never downloads models"):
        load_whisper_model("large-v3")


def test_a_model_directory_must_be_complete(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"")

    with pytest.raises(ModelUnavailableError, match=r"config\.json, tokenizer\.json missing"):
        load_whisper_model(str(tmp_path))
    with pytest.raises(ModelUnavailableError, match="no Whisper model directory"):
        load_whisper_model(str(tmp_path / "absent"))
