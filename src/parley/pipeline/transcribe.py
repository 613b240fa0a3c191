"""Media -> words -> messages, streamed: audio blocks flow through the recogniser without piling up.

With `enableSeparateRecognitionPerChannel` each channel is recognised on its own, its words belong to that
channel's speaker (from `channelMetadata`, else "Channel N"), and the messages are merged by time.
With `enableSpeakerDiarization` the diarizer reads the audio in a second, cheaper pass that runs in a
thread beside the recogniser (neither engine holds the whole file, and on two cores the pair finishes
sooner than one after the other: bench/diarization.py --job); then every word gets the speaker whose turn
it falls in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from parley.jobs.options import JobOptions
from parley.pipeline.sentences import group_words
from parley.speech.audio import MediaError, iter_audio, probe
from parley.speech.transcriber import Transcriber
from parley.speech.turns import assign_speakers
from parley.transcript import Message, Speaker, Transcript, Word, participant

if TYPE_CHECKING:  # the engine itself loads torch, so it is imported only when a job asks for it
    import numpy as np

    from parley.speech.diarization import Diarizer, Turn

Progress = Callable[[float], None]


def check_channel_metadata(channels: int, options: JobOptions) -> None:
    """channelMetadata may only name channels the file has (numbered from 1)."""
    for entry in options.channelMetadata:
        if entry.channel > channels:
            raise MediaError(
                f"channelMetadata names channel {entry.channel}, but the media has {channels} channel(s)"
            )


def channel_speakers(channels: int, options: JobOptions) -> list[Speaker]:
    named = {entry.channel: entry.speaker for entry in options.channelMetadata}
    speakers = []
    for number in range(1, channels + 1):
        meta = named.get(number)
        speaker = participant(name=meta.name, email=meta.email) if meta else None
        speakers.append(speaker or Speaker(key=f"channel:{number}", name=f"Channel {number}"))
    return speakers


def transcribe_media(
    path: Path,
    *,
    transcriber: Transcriber,
    options: JobOptions,
    diarizer: Diarizer | None = None,
    on_progress: Progress | None = None,
) -> Transcript:
    """`on_progress` receives the fraction of the work done (0..1)."""
    info = probe(path)
    language = options.language or (None if transcriber.is_multilingual else "en")
    if options.enableSpeakerDiarization:
        if diarizer is None:
            raise ValueError("enableSpeakerDiarization needs a diarizer")
        messages, speakers = _diarized(path, info.duration, transcriber, diarizer, options, on_progress)
        return Transcript(
            messages=messages,
            speakers=speakers,
            duration=_duration(info.duration, messages),
            language=language,
        )
    if not options.enableSeparateRecognitionPerChannel:
        words = _recognise(path, None, transcriber, options, _scaled(on_progress, info.duration, 0.0, 1.0))
        messages = list(group_words(words))
        return Transcript(messages=messages, duration=_duration(info.duration, messages), language=language)

    check_channel_metadata(info.channels, options)
    speakers = channel_speakers(info.channels, options)
    messages: list[Message] = []
    for index, speaker in enumerate(speakers):
        report = _scaled(on_progress, info.duration, index / info.channels, 1 / info.channels)
        words = _spoken_by(speaker.key, _recognise(path, index, transcriber, options, report))
        messages.extend(group_words(words, channel=index + 1))
    messages.sort(key=lambda message: (message.start, message.channel or 0))
    return Transcript(
        messages=messages, speakers=speakers, duration=_duration(info.duration, messages), language=language
    )


def _diarized(
    path: Path,
    duration: float,
    transcriber: Transcriber,
    diarizer: Diarizer,
    options: JobOptions,
    on_progress: Progress | None,
) -> tuple[list[Message], list[Speaker]]:
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="parley-diarizer") as pool:
        pending_turns = pool.submit(
            diarizer.diarize_blocks,
            _until(stop, iter_audio(path)),
            num_speakers=options.diarizationSpeakerCount,
        )
        try:
            words = list(
                _recognise(path, None, transcriber, options, _scaled(on_progress, duration, 0.0, 1.0))
            )
        except BaseException:
            stop.set()  # the diarizer stops at its next block instead of finishing for nothing
            raise
        turns: list[Turn] = pending_turns.result()
    assign_speakers(words, turns)
    messages = list(group_words(words))
    return messages, _numbered_speakers(messages)


class _Stopped(Exception):
    """The recogniser failed, so the diarizer's pass was abandoned."""


def _until(stop: threading.Event, blocks: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
    for block in blocks:
        if stop.is_set():
            raise _Stopped
        yield block


def _numbered_speakers(messages: list[Message]) -> list[Speaker]:
    """Diarized speakers are "Speaker 1..N" in order of first appearance among the words kept."""
    keys = list(dict.fromkeys(message.speaker for message in messages if message.speaker))
    return [Speaker(key=key, name=f"Speaker {number}") for number, key in enumerate(keys, start=1)]


def _recognise(
    path: Path, channel: int | None, transcriber: Transcriber, options: JobOptions, report: Progress
) -> Iterator[Word]:
    return transcriber.transcribe(
        iter_audio(path, channel=channel),
        language=options.language,
        vocabulary=options.customVocabulary,
        on_progress=report,
    )


def _spoken_by(speaker_key: str, words: Iterator[Word]) -> Iterator[Word]:
    for word in words:
        word.speaker = speaker_key
        yield word


def _scaled(on_progress: Progress | None, duration: float, start: float, share: float) -> Progress:
    """Seconds done within one pass that covers `share` of the job from `start` -> the job's fraction done."""

    def report(seconds: float) -> None:
        if on_progress and duration > 0:
            on_progress(min(1.0, start + share * min(1.0, seconds / duration)))

    return report


def _duration(declared: float, messages: list[Message]) -> float:
    return max(declared, max((message.end for message in messages), default=0.0))
