"""Where the diarization error sits, and how much of it the steps after the segmentation network could remove.

    .venv/bin/python bench/diarization_errors.py    # ~1 min

Per file of bench/diarization.py's set, with the true speaker count and no collar: missed speech, false alarm
and confusion as shares of the reference speech (pyannote.metrics), and the DER of an oracle for everything
after the network: the same segmentation windows, with each window's local speakers matched to the
*reference* speakers (their per-frame activity stands in for the voices' similarity scores) and the same
vote over windows. The gap between the two DER columns is what better voices and matching could gain; the
oracle's own error is the network's (speech it does not mark, more than two people at once, local speakers
that merge two people).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from diarization import AMI, PYANNOTE, _reference, der, der_detail

if TYPE_CHECKING:
    from parley.speech.diarization import DiarizationOptions

FRAME_SECONDS = 0.01  # the reference's activity is sampled every 10 ms


def _reference_activity(stem: Path, frames: int) -> np.ndarray:
    """(frames of FRAME_SECONDS, reference speakers) 1.0 where that speaker talks."""
    reference = _reference(stem)
    labels = sorted(reference.labels())
    activity = np.zeros((frames, len(labels)))
    for segment, _, label in reference.itertracks(yield_label=True):
        first, after = round(segment.start / FRAME_SECONDS), round(segment.end / FRAME_SECONDS)
        activity[first:after, labels.index(label)] = 1.0
    return activity


def _components(stem: Path, turns, seconds: float) -> dict[str, float]:  # type: ignore[no-untyped-def]
    detail = der_detail(stem, turns, seconds)
    total = detail["total"]
    return {
        "missed": detail["missed detection"] / total,
        "false alarm": detail["false alarm"] / total,
        "confusion": detail["confusion"] / total,
        "DER": detail["diarization error rate"],
    }


def _oracle_mapping(stem: Path, audio: np.ndarray, options: DiarizationOptions):  # type: ignore[no-untyped-def]
    from parley.speech.diarization import Turn
    from parley.speech.reconstruction import activity_turns, voice_activity
    from parley.speech.segmentation import WindowSegmenter

    segmenter = WindowSegmenter(round(options.segmentation_step * 16_000))
    segmenter.add(audio)
    seconds = len(audio) / 16_000
    scores = _reference_activity(stem, round(seconds / FRAME_SECONDS) + 1)
    active = voice_activity(
        segmenter.finish(), scores, FRAME_SECONDS, overlap_probability=options.overlap_probability
    )
    return [Turn(start, end, voice) for start, end, voice in activity_turns(active, seconds)]


def main() -> None:
    from parley.speech.audio import iter_audio
    from parley.speech.diarization import EmbeddingDiarizer

    diarizer = EmbeddingDiarizer()
    print("| file | missed | false alarm | confusion | DER | DER, local speakers mapped by the reference |")
    print("|---" * 6 + "|")
    ami_der, ami_oracle = [], []
    for stem in [PYANNOTE, *sorted(path.with_suffix("") for path in AMI.glob("*.wav"))]:
        audio = np.concatenate(list(iter_audio(stem.with_suffix(".wav"))))
        seconds = len(audio) / 16_000
        turns = diarizer.diarize(audio, num_speakers=len(_reference(stem).labels()))
        parts = _components(stem, turns, seconds)
        oracle = der(stem, _oracle_mapping(stem, audio, diarizer.options), seconds)
        if stem != PYANNOTE:
            ami_der.append(parts["DER"])
            ami_oracle.append(oracle)
        cells = " | ".join(f"{100 * value:.1f} %" for value in (*parts.values(), oracle))
        print(f"| {stem.name} | {cells} |", flush=True)
    print(f"| **AMI mean** | | | | {100 * np.mean(ami_der):.1f} % | {100 * np.mean(ami_oracle):.1f} % |")


if __name__ == "__main__":
    main()
