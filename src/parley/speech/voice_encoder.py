"""The GE2E speaker encoder whose weights ship in the `resemblyzer` package, rebuilt in plain torch and run by
ONNX Runtime (`onnx_runtime`).

`import resemblyzer` is avoided on purpose: the package imports `webrtcvad`, which fails with current
setuptools (it needs `pkg_resources`). Only its `pretrained.pt` is used, found through the import system
without executing the package. The network is three LSTM layers (40 -> 256) and a 256 -> 256 projection
with ReLU and L2 normalisation; its input is the power mel spectrogram resemblyzer computes (16 kHz,
25 ms window, 10 ms hop, 40 bands), time first.

Resemblyzer scales every utterance to -30 dBFS (louder only) before the spectrogram; `VoiceEncoder.embed`
scales each window's spectrogram to that level instead (from the waveform's mean square in the window),
so a window's embedding does not depend on how loud the rest of its block was.
"""

from __future__ import annotations

import functools
import importlib.util
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from parley.speech.audio import SAMPLE_RATE
from parley.speech.onnx_runtime import onnx_session

if TYPE_CHECKING:
    import onnxruntime

HOP_SAMPLES = 160  # 10 ms
FRAME_SECONDS = HOP_SAMPLES / SAMPLE_RATE
_N_FFT = 400  # 25 ms
_N_MELS = 40
EMBEDDING_SIZE = 256
_HIDDEN = 256
_LAYERS = 3
_TARGET_POWER = 10 ** (-30.0 / 10)  # -30 dBFS as a mean square
_BATCH = 128
# GE2E's training-only similarity scale and bias are in the checkpoint; the encoder does not use them.
_TRAINING_ONLY_KEYS = frozenset({"similarity_weight", "similarity_bias"})


class EncoderUnavailableError(RuntimeError):
    """The resemblyzer package (which holds the encoder weights) is not installed."""


def weights_path() -> Path:
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise EncoderUnavailableError(
            "speaker diarization needs the `resemblyzer` package for its GE2E encoder weights; "
            "install it (pip install resemblyzer)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt"
    if not path.is_file():
        raise EncoderUnavailableError(f"the GE2E encoder weights are missing at {path}")
    return path


@functools.cache
def _mel_basis() -> np.ndarray:
    import librosa

    # The same filterbank librosa.feature.melspectrogram builds for resemblyzer (Slaney, norm="slaney").
    return librosa.filters.mel(sr=SAMPLE_RATE, n_fft=_N_FFT, n_mels=_N_MELS).astype(np.float32)


def mel_frames(audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(frames, 40) power mel spectrogram of 16 kHz mono audio (frame i centred on sample 160 * i), and
    each frame's waveform mean square (over samples 160 * i to 160 * (i + 1)), to normalise windows by."""
    import librosa

    audio = np.asarray(audio, dtype=np.float32)
    if len(audio) == 0:
        return np.zeros((0, _N_MELS), np.float32), np.zeros(0, np.float32)
    spectrum = np.abs(librosa.stft(audio, n_fft=_N_FFT, hop_length=HOP_SAMPLES)) ** 2
    mel = (_mel_basis() @ spectrum).T.astype(np.float32)
    padded = np.zeros(len(mel) * HOP_SAMPLES, np.float32)
    padded[: len(audio)] = audio[: len(padded)]
    energy = (padded.reshape(len(mel), HOP_SAMPLES) ** 2).mean(axis=1)
    return mel, energy


class VoiceEncoder:
    """Batched GE2E embeddings of equal-length mel windows. Thread-safe: inference only."""

    def __init__(self, session: onnxruntime.InferenceSession) -> None:
        self._session = session

    def embed(self, windows: np.ndarray, energy: np.ndarray) -> np.ndarray:
        """(n, frames, 40) mel windows and their waveform mean squares (n,) -> (n, 256) L2-normalised
        float32 embeddings."""
        if len(windows) == 0:
            return np.zeros((0, EMBEDDING_SIZE), np.float32)
        # Resemblyzer multiplies the waveform by g to reach -30 dBFS (never quieter), i.e. power by g**2.
        gain = np.clip(_TARGET_POWER / np.maximum(energy, 1e-12), 1.0, 1e6).astype(np.float32)
        out = []
        for start in range(0, len(windows), _BATCH):
            batch = windows[start : start + _BATCH] * gain[start : start + _BATCH, None, None]
            out.append(self._session.run(None, {"input": np.ascontiguousarray(batch, np.float32)})[0])
        return np.concatenate(out).astype(np.float32)


_load_lock = threading.Lock()


def load_voice_encoder(cpu_threads: int = 0) -> VoiceEncoder:
    """The encoder, loaded once per process and thread count; later calls return the same object."""
    with _load_lock:  # two jobs starting together must not load it twice
        return _load(weights_path(), cpu_threads)


@functools.cache
def _load(path: Path, cpu_threads: int) -> VoiceEncoder:
    import torch
    from torch import nn

    class _GE2E(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = nn.LSTM(_N_MELS, _HIDDEN, _LAYERS, batch_first=True)
            self.linear = nn.Linear(_HIDDEN, EMBEDDING_SIZE)
            self.relu = nn.ReLU()

        def forward(self, mels: torch.Tensor) -> torch.Tensor:
            _, (hidden, _) = self.lstm(mels)
            raw = self.relu(self.linear(hidden[-1]))
            return raw / torch.linalg.norm(raw, dim=1, keepdim=True).clamp_min(1e-8)

    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    state = {k: v for k, v in checkpoint["model_state"].items() if k not in _TRAINING_ONLY_KEYS}
    network = _GE2E()
    network.load_state_dict(state, strict=True)
    example = torch.zeros(2, 100, _N_MELS)
    return VoiceEncoder(
        onnx_session(
            network.eval(), example, dynamic_axes={0: "windows", 1: "frames"}, cpu_threads=cpu_threads
        )
    )
