"""Speech engines: media decoding, transcription and custom vocabulary.

No database and no settings here: every engine takes plain arguments, so the batch pipeline, the live
path and the benchmarks use them alike. faster-whisper is imported only when a model is first loaded.
"""

from parley.speech.audio import SAMPLE_RATE, MediaError, MediaInfo, iter_audio, probe
from parley.speech.transcriber import (
    ModelUnavailableError,
    Transcriber,
    UnsupportedLanguageError,
    WhisperTranscriber,
    load_whisper_model,
)
from parley.speech.vocabulary import VocabularyCorrector

__all__ = [
    "SAMPLE_RATE",
    "MediaError",
    "MediaInfo",
    "ModelUnavailableError",
    "Transcriber",
    "UnsupportedLanguageError",
    "VocabularyCorrector",
    "WhisperTranscriber",
    "iter_audio",
    "load_whisper_model",
    "probe",
]
