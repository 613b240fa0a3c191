"""baresip is given ports probed free a moment earlier; when another process takes one in between, the call
starts again with fresh ports rather than failing (a race seen once in a full test run)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from parley.live import sip_phone
from parley.live.sip_phone import BaresipCall, PhoneError, Route
from tests.live.sipp_far_end import FarEnd


@pytest.fixture
def taken_udp_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as holder:
        holder.bind(("127.0.0.1", 0))
        yield holder.getsockname()[1]


def _sip_port_taken(monkeypatch: pytest.MonkeyPatch, port: int, times: int) -> list[int]:
    """Make the SIP port probe (the second UDP probe of each start) answer `port` for the first `times`
    starts, as if another process had bound it right after the probe; the SIP ports handed out."""
    probe = sip_phone.free_port
    udp_probes: list[int] = []
    handed: list[int] = []

    def racing(ip: str, kind: int = socket.SOCK_DGRAM) -> int:
        if kind != socket.SOCK_DGRAM:
            return probe(ip, kind)
        udp_probes.append(1)
        is_sip = len(udp_probes) % 2 == 0
        chosen = port if is_sip and len(handed) < times else probe(ip, kind)
        if is_sip:
            handed.append(chosen)
        return chosen

    monkeypatch.setattr(sip_phone, "free_port", racing)
    return handed


def _call() -> BaresipCall:
    return BaresipCall(
        local_ip="127.0.0.1", on_audio=lambda _: None, on_established=lambda: None, on_closed=lambda _: None
    )


def test_a_port_taken_after_probing_starts_baresip_again(
    monkeypatch: pytest.MonkeyPatch, taken_udp_port: int, far_end: FarEnd
) -> None:
    handed = _sip_port_taken(monkeypatch, taken_udp_port, times=1)
    call = _call()
    call.start(Route(uri=far_end.uri, account="sip:parley@127.0.0.1"))
    try:
        assert handed[0] == taken_udp_port and handed[1] != taken_udp_port
        call.dial(far_end.uri)
        assert call.established.wait(10), "the far end did not answer the call placed on the second start"
    finally:
        call.hang_up()
    assert far_end.wait() == 0, "the far end never got our BYE"


def test_ports_taken_every_time_give_up_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, taken_udp_port: int
) -> None:
    handed = _sip_port_taken(monkeypatch, taken_udp_port, times=10)
    call = _call()
    try:
        with pytest.raises(PhoneError, match="could not bind its ports"):
            call.start(Route(uri="sip:100@127.0.0.1:9", account="sip:parley@127.0.0.1"))
        assert len(handed) == sip_phone._START_ATTEMPTS
        assert "Address already in use" in (call.folder / "baresip.log").read_text()
    finally:
        call.hang_up()
    assert not call.folder.exists()
