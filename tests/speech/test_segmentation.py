"""Local speaker segmentation (pyannote's segmentation-3.0) and the reconstruction of overlapping turns.

The windowing and the reconstruction are checked on constructed input where the right answer is known; the
network itself on the pyannote sample, whose reference marks where two people talk at once.
"""

from __future__ import annotations

import numpy as np
import pytest
from tests.support import shared

from parley.speech.audio import iter_audio
from parley.speech.reconstruction import activity_turns, speaker_floor, voice_activity
from parley.speech.segmentation import (
    FRAME_STEP,
    FRAMES_PER_WINDOW,
    LOCAL_SPEAKERS,
    WINDOW_SAMPLES,
    Segmentation,
    WindowSegmenter,
    frame_centre,
    load_segmentation_network,
    torch_network,
)

STEP = 40_000  # 2.5 s


def test_windows_cover_the_audio_whatever_the_blocks() -> None:
    audio = np.random.default_rng(0).normal(0, 0.05, 23 * 16_000).astype(np.float32)
    results = []
    for block in (16_000, 7_777, len(audio)):
        segmenter = WindowSegmenter(STEP)
        for first in range(0, len(audio), block):
            segmenter.add(audio[first : first + block])
        results.append(segmenter.finish())
    # Full windows start every 2.5 s up to 13 s of audio left; one more, padded, covers the last 3 s.
    assert results[0].starts.tolist() == [0, 40_000, 80_000, 120_000, 160_000, 200_000, 240_000]
    assert results[0].activity.shape == (7, FRAMES_PER_WINDOW, LOCAL_SPEAKERS)
    assert results[0].overlap.shape == (7, FRAMES_PER_WINDOW)
    for other in results[1:]:
        assert other.starts.tolist() == results[0].starts.tolist()
        assert np.array_equal(other.activity, results[0].activity)
        # windows batched differently give the same probabilities up to float rounding
        assert np.allclose(other.overlap, results[0].overlap, atol=1e-5)


def test_short_and_empty_audio() -> None:
    empty = WindowSegmenter(STEP).finish()
    assert empty.count == 0
    short = WindowSegmenter(STEP)
    short.add(np.zeros(8_000, np.float32))
    found = short.finish()
    assert found.starts.tolist() == [0]
    assert not found.activity.any(), "silence has no speaker"
    assert found.overlap.max() < 0.1
    with pytest.raises(ValueError):
        WindowSegmenter(WINDOW_SAMPLES + 1)


def test_onnx_runtime_gives_the_torch_network_s_classes() -> None:
    import torch

    audio = np.concatenate(list(iter_audio(shared("diarization/pyannote_sample.wav"))))
    windows = np.stack([audio[start : start + WINDOW_SAMPLES] for start in (0, 80_000, 160_000)])
    with torch.inference_mode():
        scores = torch_network()(torch.from_numpy(windows[:, None, :]))
    probabilities = torch.softmax(scores, dim=-1).numpy()
    activity, overlap = load_segmentation_network(1).infer(windows)
    expected = probabilities.argmax(axis=-1)
    # Frames where two classes tie to float precision may flip; the rest must agree.
    decided = np.sort(probabilities, axis=-1)[..., -1] - np.sort(probabilities, axis=-1)[..., -2] > 1e-3
    found = activity @ np.array([1, 2, 4])  # the powerset rows are distinct, so this names the class
    wanted = np.array([0, 1, 2, 4, 3, 5, 6])[expected]
    assert np.array_equal(found[decided], wanted[decided])
    assert np.abs(overlap - probabilities[..., 4:].sum(axis=-1)).max() < 1e-3


def test_network_marks_the_reference_overlaps() -> None:
    audio = np.concatenate(list(iter_audio(shared("diarization/pyannote_sample.wav"))))
    segmenter = WindowSegmenter(STEP)
    segmenter.add(audio)
    found = segmenter.finish()
    # Per reference overlap, the frames inside it of every window that covers it: most have two speakers.
    shares = []
    for low, high in ((10.57, 11.03), (18.15, 18.59), (27.85, 28.50)):
        counts = []
        for start, local in zip(found.starts, found.activity, strict=True):
            centres = start / 16_000 + frame_centre(np.arange(FRAMES_PER_WINDOW))
            counts.append(local[(centres > low) & (centres < high)].sum(axis=1))
        shares.append(float(np.mean(np.concatenate(counts) == 2)))
    assert min(shares) >= 0.4 and np.mean(shares) >= 0.6, shares
    # Outside the overlaps most speech frames have one speaker.
    talking = found.activity.sum(axis=2)
    assert (talking == 1).sum() > 5 * (talking == 2).sum()
    # The two-speaker probability follows the classes: high where two are marked, low where one is.
    assert found.overlap[talking == 2].mean() > 0.6 > 0.1 > found.overlap[talking == 1].mean()


def _window(runs: dict[int, list[tuple[int, int]]]) -> np.ndarray:
    local = np.zeros((FRAMES_PER_WINDOW, LOCAL_SPEAKERS), bool)
    for speaker, spans in runs.items():
        for first, last in spans:
            local[first:last, speaker] = True
    return local


def _segmentation(
    starts: list[int], windows: list[np.ndarray], overlap: np.ndarray | None = None
) -> Segmentation:
    """`overlap`: the two-speaker probability of every window's frames (0 where not given)."""
    shape = (len(windows), FRAMES_PER_WINDOW)
    two = (
        np.zeros(shape, np.float32) if overlap is None else np.broadcast_to(overlap, shape).astype(np.float32)
    )
    return Segmentation(np.array(starts), np.stack(windows), two)


def _scores(seconds: float, voice_of: list[tuple[float, float, int]], voices: int) -> np.ndarray:
    """10 ms frame scores: cosine 0.9 to the voice talking there, 0.1 to the others, NaN in silence."""
    scores = np.full((round(seconds * 100), voices), np.nan)
    for start, end, voice in voice_of:
        scores[round(start * 100) : round(end * 100)] = 0.1
        scores[round(start * 100) : round(end * 100), voice] = 0.9
    return scores


def _frame(seconds: float, window_start: float = 0.0) -> int:
    """The window's output frame whose centre is at `seconds` of the audio."""
    return round((seconds - window_start - float(frame_centre(0))) / FRAME_STEP)


def test_reconstruction_of_a_constructed_conversation() -> None:
    # One window of 10 s: voice 1 talks 1-6 s (as local speaker 2), voice 0 talks 5-9 s (as local speaker 0),
    # so both talk at 5-6 s.
    local = _window({2: [(_frame(1.0), _frame(6.0))], 0: [(_frame(5.0), _frame(9.0))]})
    segmentation = _segmentation([0], [local])
    scores = _scores(10.0, [(1.0, 5.0, 1), (6.0, 9.0, 0)], voices=2)
    turns = activity_turns(voice_activity(segmentation, scores, 0.01, overlap_probability=0.3), 10.0)
    assert [voice for _, _, voice in turns] == [1, 0]
    (a_start, a_end, _), (b_start, b_end, _) = turns
    assert abs(a_start - 1.0) < 0.03 and abs(a_end - 6.0) < 0.03
    assert abs(b_start - 5.0) < 0.03 and abs(b_end - 9.0) < 0.03


def test_more_local_speakers_than_voices_join_their_best_voice() -> None:
    local = _window({0: [(_frame(0.5), _frame(4.0))], 1: [(_frame(4.0), _frame(8.0))]})
    segmentation = _segmentation([0], [local], overlap=np.full(FRAMES_PER_WINDOW, 0.9))
    scores = _scores(10.0, [(0.5, 8.0, 0)], voices=1)
    turns = activity_turns(voice_activity(segmentation, scores, 0.01, overlap_probability=0.3), 10.0)
    assert len(turns) == 1 and turns[0][2] == 0
    assert abs(turns[0][0] - 0.5) < 0.03 and abs(turns[0][1] - 8.0) < 0.03


def _three_windows(
    second_voice_in: int, overlap: float = 0.0, overlap_at: tuple[float, float] = (4.0, 5.0)
) -> list[tuple[float, float, int]]:
    """Windows at 0, 1 and 2 s all hear one person at 3-6 s; the first `second_voice_in` of them also hear
    a second person at 4-5 s. Every window gives two people at once probability `overlap` at `overlap_at`."""
    windows, probabilities = [], []
    for index, start in enumerate((0.0, 1.0, 2.0)):
        runs = {0: [(_frame(3.0, start), _frame(6.0, start))]}
        if index < second_voice_in:
            runs[1] = [(_frame(4.0, start), _frame(5.0, start))]
        windows.append(_window(runs))
        two = np.zeros(FRAMES_PER_WINDOW)
        two[_frame(overlap_at[0], start) : _frame(overlap_at[1], start)] = overlap
        probabilities.append(two)
    segmentation = _segmentation([0, 16_000, 32_000], windows, np.stack(probabilities))
    scores = _scores(12.0, [(3.0, 4.0, 0), (4.0, 5.0, 1), (5.0, 6.0, 0)], voices=2)
    return activity_turns(voice_activity(segmentation, scores, 0.01, overlap_probability=0.3), 12.0)


def test_the_windows_covering_a_frame_vote_on_how_many_talk() -> None:
    # Two windows of three hear the second person: mean count 5/3 rounds to 2, so both talk at 4-5 s.
    majority = _three_windows(second_voice_in=2)
    assert [voice for _, _, voice in majority] == [0, 1]
    assert abs(majority[1][0] - 4.0) < 0.05 and abs(majority[1][1] - 5.0) < 0.05
    assert abs(majority[0][0] - 3.0) < 0.05 and abs(majority[0][1] - 6.0) < 0.05
    # One window of three: 4/3 rounds to 1, the person all windows hear.
    minority = _three_windows(second_voice_in=1)
    assert [voice for _, _, voice in minority] == [0]


def test_the_two_speaker_probability_adds_the_second_person_one_window_heard() -> None:
    # One window of three marks the second person at 4-5 s, but all three give two people at once
    # probability 0.4 there: above 0.3, so both talk at 4-5 s; at 0.2, only the first.
    turns = _three_windows(second_voice_in=1, overlap=0.4)
    assert [voice for _, _, voice in turns] == [0, 1]
    assert abs(turns[1][0] - 4.0) < 0.05 and abs(turns[1][1] - 5.0) < 0.05
    assert [voice for _, _, voice in _three_windows(second_voice_in=1, overlap=0.2)] == [0]


def test_the_second_person_is_someone_heard_nearby_or_no_one() -> None:
    # At 3.0-3.5 s no window marks the second person, but one did at 4-5 s, within NEARBY_SECONDS.
    nearby = _three_windows(second_voice_in=1, overlap=0.4, overlap_at=(3.0, 3.5))
    (second_start, second_end, second), (_, first_end, first) = nearby
    assert (second, first) == (1, 0) and abs(first_end - 6.0) < 0.05
    assert abs(second_start - 3.0) < 0.05 and abs(second_end - 3.5) < 0.05
    # No window ever hears a second voice: however likely two people seem, none is made up.
    alone = _three_windows(second_voice_in=0, overlap=0.9, overlap_at=(3.0, 6.0))
    assert [voice for _, _, voice in alone] == [0]


def test_speaker_floor_needs_enough_speech_in_enough_windows() -> None:
    two_seconds = round(2.0 / FRAME_STEP)
    three = _window({0: [(0, two_seconds)], 1: [(100, 100 + two_seconds)], 2: [(300, 300 + two_seconds)]})
    one = _window({0: [(0, two_seconds)], 1: [(100, 110)]})
    segmentation = _segmentation(list(np.arange(4) * STEP), [three, three, one, one])
    assert speaker_floor(segmentation, min_seconds=1.0, min_windows=2) == 3
    assert speaker_floor(segmentation, min_seconds=1.0, min_windows=3) == 1
    assert speaker_floor(segmentation, min_seconds=3.0, min_windows=1) == 0
    assert speaker_floor(WindowSegmenter(STEP).finish(), min_seconds=1.0, min_windows=2) == 0
