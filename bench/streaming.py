"""Live streaming and telephony benchmark: latency, accuracy against the batch path, concurrent streams.

    .venv/bin/python bench/streaming.py                # everything (~4 minutes)
    .venv/bin/python bench/streaming.py --streams 1,2,3

Audio: the pyannote sample (30 s, two people talking) followed by jfk.wav (11 s), fed in 100 ms chunks at
real-time pace into Parley's live recogniser (`StreamRecognizer` + the shared `LiveDecoder`, default
settings, the bundled tiny.en, int8).

- interim latency: for each word, from the moment the audio up to the word's end was fed to the first
  interim result that contains it;
- final latency: from the moment the audio up to an utterance's last word was fed to its final result
  (this includes the `end_silence` wait that detects the end of the utterance);
- WER of the concatenated finals and of Parley's batch transcriber on the same audio, against the reference
  text (the sample's STM + jfk.txt);
- concurrency: N streams of the same audio at once, each starting at a different point of it; a count is
  sustained when no stream was told it is falling behind and the median final latency stays under target;
- telephony: a sipp far end on 127.0.0.1 playing jfk.wav as PCMU; time from `dial` to the call being
  answered and to the first interim transcript.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.live.sipp_far_end import start_far_end  # noqa: E402
from tests.live_support import mulaw  # noqa: E402
from tests.support import read_mono, wer  # noqa: E402

from _proc import load_average, machine  # noqa: E402
from parley.live.sip_phone import BaresipCall, Route  # noqa: E402
from parley.speech.audio import SAMPLE_RATE, iter_audio  # noqa: E402
from parley.speech.live_decoder import LiveDecoder  # noqa: E402
from parley.speech.streaming import RecognitionUpdate, StreamRecognizer  # noqa: E402
from parley.speech.transcriber import WhisperTranscriber, load_whisper_model  # noqa: E402

DATA = REPO.parent / "shared" / "data"
SAMPLE = DATA / "diarization" / "pyannote_sample"
JFK = DATA / "asr_short" / "jfk"
CHUNK_SECONDS = 0.1
TARGET_INTERIM = 1.0
TARGET_FINAL = 2.0
TARGET_WER_POINTS = 2.0
TARGET_CALL_SETUP = 3.0


def test_audio() -> tuple[np.ndarray, str]:
    sample = np.concatenate(list(iter_audio(SAMPLE.with_suffix(".wav"))))
    jfk = np.concatenate(list(iter_audio(JFK.with_suffix(".wav"))))
    gap = np.zeros(SAMPLE_RATE, dtype=np.float32)
    reference = " ".join(
        line.split(maxsplit=5)[5] for line in SAMPLE.with_suffix(".stm").read_text().splitlines()
    )
    return np.concatenate(
        [sample, gap, jfk, gap]
    ), f"{reference} {JFK.with_suffix('.txt').read_text().strip()}"


@dataclass
class StreamRun:
    """One stream's results: when each chunk was fed, and every update with its emission time."""

    fed_at: list[float] = field(default_factory=list)  # wall time after chunk i was fed
    updates: list[RecognitionUpdate] = field(default_factory=list)
    lagging: list[float] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    def fed_time(self, seconds: float) -> float:
        """When the audio up to `seconds` had been fed."""
        index = min(int(seconds / CHUNK_SECONDS), len(self.fed_at) - 1)
        return self.fed_at[index]

    def interim_latencies(self) -> list[float]:
        seen = 0.0  # stream time up to which words have already been shown
        latencies = []
        for update in self.updates:
            for word in update.words:
                if word.end > seen + 0.05:
                    latencies.append(update.emitted_at - self.fed_time(word.end))
                    seen = word.end
        return latencies

    def final_latencies(self) -> list[float]:
        return [u.emitted_at - self.fed_time(u.words[-1].end) for u in self.updates if u.is_final]

    def final_text(self) -> str:
        return " ".join(update.text for update in self.updates if update.is_final)


def run_streams(audio: np.ndarray, count: int) -> list[StreamRun]:
    decoder = LiveDecoder()
    model = load_whisper_model()
    runs = [StreamRun() for _ in range(count)]
    recognizers = []
    for index, run in enumerate(runs):
        recognizer = StreamRecognizer(model, language="en")
        decoder.add(str(index), recognizer, on_update=run.updates.append, on_lagging=run.lagging.append)
        recognizers.append(recognizer)
    chunk = int(CHUNK_SECONDS * SAMPLE_RATE)
    # Real streams are not in step: each one starts at a different point of the audio (rotated), so their
    # utterances do not all end at the same instant.
    rotated = [np.roll(audio, -(index * len(audio) // count) // chunk * chunk) for index in range(count)]
    started = time.monotonic()
    for number, offset in enumerate(range(0, len(audio), chunk)):
        for stream_audio, recognizer, run in zip(rotated, recognizers, runs, strict=True):
            recognizer.accept(stream_audio[offset : offset + chunk])
            run.fed_at.append(time.monotonic())
        decoder.nudge()
        time.sleep(max(0.0, started + (number + 1) * CHUNK_SECONDS - time.monotonic()))
    for index, run in enumerate(runs):
        decoder.finish(str(index), run.done.set)
    for run in runs:
        run.done.wait(300)
    decoder.close()
    return runs


def batch_text(audio: np.ndarray) -> str:
    return " ".join(word.text for word in WhisperTranscriber().transcribe([audio], language="en"))


def telephony_setup(folder: Path) -> tuple[float, float]:
    """Seconds from dial to answered, and from dial to the first interim transcript."""
    samples = read_mono(JFK.with_suffix(".wav"), 8000)
    speech = folder / "jfk.ulaw"
    speech.write_bytes(mulaw(samples))
    far_end = start_far_end(folder / "sipp", "answer", speech)
    decoder = LiveDecoder()
    recognizer = StreamRecognizer(load_whisper_model(), language="en")
    first = threading.Event()
    decoder.add("call", recognizer, on_update=lambda update: first.set(), on_lagging=lambda lag: None)
    time.sleep(0.3)  # sipp binds its port
    call = BaresipCall(
        local_ip="127.0.0.1",
        on_audio=lambda samples: (recognizer.accept(samples), decoder.nudge()),
        on_established=lambda: None,
        on_closed=lambda reason: None,
    )
    started = time.monotonic()
    call.start(Route(uri=far_end.uri, account="sip:parley@127.0.0.1"))
    call.dial(far_end.uri)
    call.established.wait(10)
    answered = time.monotonic() - started
    first.wait(20)
    transcript = time.monotonic() - started
    call.hang_up()
    far_end.stop()
    decoder.close()
    return answered, transcript


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", default="2,3,4", help="concurrent stream counts to try (0: none)")
    arguments = parser.parse_args()
    print(f"machine: {machine()}  load before: {load_average()}")
    audio, reference = test_audio()
    load_whisper_model()  # loading is not part of any latency

    single = run_streams(audio, 1)[0]
    interim, final = single.interim_latencies(), single.final_latencies()
    batch = batch_text(audio)
    live_wer, batch_wer = wer(reference, single.final_text()), wer(reference, batch)
    print(f"audio {len(audio) / SAMPLE_RATE:.1f} s, load after single stream: {load_average()}")
    print(
        f"interim latency median {statistics.median(interim):.2f} s (p90 {np.percentile(interim, 90):.2f} s, "
        f"{len(interim)} words)  target < {TARGET_INTERIM} s"
    )
    print(
        f"final latency median {statistics.median(final):.2f} s (max {max(final):.2f} s, {len(final)} finals)"
        f"  target < {TARGET_FINAL} s"
    )
    print(
        f"WER live {live_wer:.3f}  batch {batch_wer:.3f}  difference {100 * (live_wer - batch_wer):+.1f} pt"
        f"  target <= +{TARGET_WER_POINTS} pt"
    )

    for count in (int(value) for value in arguments.streams.split(",") if int(value) > 0):
        runs = run_streams(audio, count)
        finals = [latency for run in runs for latency in run.final_latencies()]
        lagging = sum(1 for run in runs if run.lagging)
        sustained = not lagging and statistics.median(finals) < TARGET_FINAL
        print(
            f"{count} streams: median final latency {statistics.median(finals):.2f} s, "
            f"max {max(finals):.2f} s, "
            f"streams told they lag: {lagging}, sustained: {sustained}  (load {load_average()})"
        )
        if not sustained:
            break

    with tempfile.TemporaryDirectory() as folder:
        answered, transcript = telephony_setup(Path(folder))
    print(
        f"telephony: answered {answered:.2f} s after dial, first transcript {transcript:.2f} s after dial"
        f"  target < {TARGET_CALL_SETUP} s"
    )
    print(f"load after: {load_average()}")


if __name__ == "__main__":
    main()
