"""Speaking time from speaker events: a request's events must make sense together; events pushed one by one
during a live session may repeat a stop (a client's retry), which is skipped rather than voiding them all."""

from __future__ import annotations

import pytest

from parley.conversations.speaker_events import SpeakerEvent, speaker_of, speaking_intervals
from parley.errors import BadRequest

PUSHED = [
    SpeakerEvent("started_speaking", "ann", 1.0),
    SpeakerEvent("stopped_speaking", "ann", 4.0),
    SpeakerEvent("stopped_speaking", "ann", 4.0),  # the same push sent twice
    SpeakerEvent("started_speaking", "bob", 4.5),
]


def test_a_repeated_stop_is_refused_in_a_request_and_skipped_live() -> None:
    with pytest.raises(BadRequest, match="had not started speaking"):
        speaking_intervals(PUSHED, end_of_conversation=9.0)
    intervals = speaking_intervals(PUSHED, end_of_conversation=9.0, strict=False)
    assert intervals == {"ann": [(1.0, 4.0)], "bob": [(4.5, 9.0)]}
    assert speaker_of((1.5, 3.5), intervals) == "ann" and speaker_of((5.0, 8.0), intervals) == "bob"
