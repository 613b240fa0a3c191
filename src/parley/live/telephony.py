"""Telephony dial-in (Symbl's `/v1/endpoint:connect`): call a phone number or SIP URI and transcribe the
far end live, as a live session whose audio comes from the call.

`pstn` numbers are dialled through the configured SIP trunk (`PARLEY_SIP_TRUNK`, with its credentials and
outbound proxy); `sip` endpoints are dialled directly. When the call ends, whoever ends it, the session ends
with the reason, which shows in the live events (`recognition_stopped`) and in the conversation's metadata.
The call's process is noted on the session (`record.note_phone`) before it dials, so that a server which
takes over the session of one that died hangs the call up (`ending`).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np

from parley.config import Settings
from parley.errors import BadRequest, ParleyError
from parley.live import record
from parley.live.hub import LiveHub
from parley.live.options import LiveOptions
from parley.live.session import LiveSession
from parley.live.sip_phone import BaresipCall, PhoneError, Route

_E164_DIGITS = re.compile(r"^[1-9]\d{6,14}$")
_DTMF = re.compile(r"^[0-9*#A-Da-d,]*$")
_SIP_URI = re.compile(r"^sips?:[^\s@]+@[^\s]+$|^sips?:[^\s@]+$")


@dataclass(frozen=True)
class Endpoint:
    type: str  # pstn | sip
    phone_number: str | None = None
    uri: str | None = None
    dtmf: str | None = None


def route_for(endpoint: Endpoint, settings: Settings) -> Route:
    """Where to send the INVITE, or a BadRequest saying what is wrong with the endpoint."""
    if endpoint.dtmf and not _DTMF.match(endpoint.dtmf):
        raise BadRequest("endpoint.dtmf may hold only digits, *, #, A-D and ',' (a pause)")
    if endpoint.type == "sip":
        if not endpoint.uri or not _SIP_URI.match(endpoint.uri):
            raise BadRequest("endpoint.uri must be a SIP URI such as sip:room@example.com")
        return Route(uri=endpoint.uri, account=f"sip:parley@{settings.sip_local_ip}")
    number = endpoint.phone_number or ""
    if not _E164_DIGITS.match(number):
        raise BadRequest("endpoint.phoneNumber must be E.164 digits without '+' or spaces (e.g. 14082924837)")
    if not settings.sip_trunk:
        raise BadRequest(
            "this server has no SIP trunk for phone numbers (set PARLEY_SIP_TRUNK); use a sip endpoint"
        )
    trunk = (
        settings.sip_trunk.split(":", 1)[1] if settings.sip_trunk.startswith("sip") else settings.sip_trunk
    )
    host = trunk.lstrip("/").split("@")[-1].split(";")[0]  # host[:port]
    return Route(
        uri=f"sip:{number}@{host}",
        account=f"sip:{settings.sip_username or 'parley'}@{host}",
        username=settings.sip_username,
        password=settings.sip_password,
        outbound_proxy=settings.sip_outbound_proxy,
    )


def start_call(
    hub: LiveHub, *, app_id: str, endpoint: Endpoint, options: LiveOptions, site_url: str
) -> LiveSession:
    settings = hub.runtime.settings
    route = route_for(endpoint, settings)
    live = hub.open(app_id=app_id, options=options, kind="telephony", site_url=site_url)

    def feed(samples: np.ndarray) -> None:
        live.feed_samples(samples)
        hub.decoder.nudge()

    def established() -> None:
        if endpoint.dtmf:
            call.send_dtmf(endpoint.dtmf)

    def closed(reason: str) -> None:
        hub.stop(live, _why_closed(reason, answered=call.established.is_set()))

    call = BaresipCall(
        local_ip=settings.sip_local_ip,
        on_audio=feed,
        on_established=established,
        on_closed=closed,
    )
    hub.on_stop[live.connection_id] = lambda _live: call.hang_up()
    try:
        pid = call.start(route)
        # Kept before dialling, so whoever ends the session after this server died can hang up.
        with hub.runtime.session() as session:
            phone = record.Phone(pid=pid, folder=str(call.folder), host=record.this_host())
            record.note_phone(session, conversation_id=live.conversation_id, phone=phone)
        call.dial(route.uri)
    except PhoneError as error:
        hub.stop(live, f"the call could not be placed: {error}")
        raise ParleyError(f"the call could not be placed: {error}") from error
    except Exception:  # the database failed: end the session and its process, not just the request
        hub.stop(live, "the call could not be placed: this server failed while placing it")
        raise
    _answer_deadline(hub, live, call, settings.sip_answer_timeout_seconds)
    return live


def _answer_deadline(hub: LiveHub, live: LiveSession, call: BaresipCall, seconds: float) -> None:
    def check() -> None:
        if not call.established.is_set() and not call.closed.is_set():
            hub.stop(live, f"the call failed: nobody answered within {seconds:g} s")

    timer = threading.Timer(seconds, check)
    timer.daemon = True
    timer.start()


def _why_closed(reason: str, *, answered: bool) -> str:
    """baresip's close reason ("486 Busy Here", "Connection reset by peer") as a sentence for people."""
    status = re.match(r"^(\d{3})\b", reason)
    if not answered:
        if status and status.group(1) in ("401", "407", "403"):
            return f"the call failed: the SIP trunk refused our credentials ({reason})"
        if status and status.group(1) in ("486", "600"):
            return f"the call failed: the far end is busy ({reason})"
        if status and status.group(1) in ("404", "604"):
            return f"the call failed: the number or address does not exist ({reason})"
        return f"the call failed: {reason}"
    return f"the far end hung up ({reason})"


def stop_call(hub: LiveHub, *, app_id: str, connection_id: str) -> LiveSession | None:
    live = hub.get(connection_id, app_id=app_id)
    if live is not None:
        hub.stop(live, "stopped by request (operation stop)")
    return live
