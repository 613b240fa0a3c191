from __future__ import annotations

from collections.abc import Iterator

import hook_receiver
import pytest


@pytest.fixture
def receiver() -> Iterator[hook_receiver.Receiver]:
    with hook_receiver.running() as receiver:
        yield receiver
