"""A real SIP far end for the telephony tests: sipp (Debian `sip-tester`) as a UAS on 127.0.0.1.

It answers with PCMU + telephone-event and plays a u-law file as RTP after the ACK. The SDP it answers with
points the caller's RTP at `capture_port`, a UDP socket the test owns (`RtpCapture`), so the RFC 2833 DTMF
events the caller sends can be read there. sipp's own RTP (the speech) goes out from its media port.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from tests.live_support import mulaw
from tests.support import read_mono, shared

# The dialog headers a response copies from the request it answers; `_TAGGED` adds our tag to the To
# header, as every response to an INVITE must (the dialog starts there).
_HEADERS = """[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]"""
_TAGGED = _HEADERS.replace("[last_To:]", "[last_To:];tag=[pid]SIPpTag01[call_number]")


def _send(text: str, *, retrans: bool = False) -> str:
    """One message sipp sends, exactly as `text` has it (a SIP message ends with an empty line)."""
    attribute = ' retrans="500"' if retrans else ""
    return f"\n  <send{attribute}>\n    <![CDATA[\n{text}]]>\n  </send>"


def _reply(status: str, *extra: str, headers: str = _TAGGED) -> str:
    """A response without a body to the last request received."""
    return _send("\n".join([f"SIP/2.0 {status}", headers, *extra, "Content-Length: 0", "", ""]))


_ANSWER = (
    _reply("100 Trying")
    + _send(
        f"""SIP/2.0 200 OK
{_TAGGED}
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Type: application/sdp
Content-Length: [len]

v=0
o=farend 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [capture_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=ptime:20
""",
        retrans=True,
    )
    + """
  <recv request="ACK" crlf="true">ACK_ACTION</recv>
  <nop><action><exec rtp_stream="SPEECH,1,0"/></action></nop>
"""
)

_AWAIT_BYE = '\n  <recv request="BYE"/>' + _reply("200 OK", headers=_HEADERS)

# The far end hangs up by itself once it has played its speech.
_SEND_BYE = (
    '\n  <pause milliseconds="HANGUP_MS"/>'
    + _send(
        """BYE [$caller_contact] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: [$our_side]
To: [$caller]
[last_Call-ID:]
CSeq: 1 BYE
Max-Forwards: 70
Content-Length: 0

""",
        retrans=True,
    )
    + '\n  <recv response="200"/>'
)

_INVITE_PLAIN = '\n  <recv request="INVITE" crlf="true"/>'
# An INVITE whose Contact and From are kept, for a BYE of our own later.
_INVITE = """
  <recv request="INVITE" crlf="true">
    <action>
      <ereg regexp="sip:[^>;]*" search_in="hdr" header="Contact:" check_it="true" assign_to="caller_contact"/>
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="caller"/>
    </action>
  </recv>
"""

_BUSY = _reply("486 Busy Here") + '\n  <recv request="ACK"/>'

# A trunk that demands credentials (401: sipp's verifyauth reads only an Authorization header), then
# answers 486 if they were right and 403 if not, so the test can tell "credentials refused" from others.
_CHALLENGE = (
    _INVITE_PLAIN
    + _reply(
        "401 Unauthorized",
        'WWW-Authenticate: Digest realm="parley-trunk", nonce="5fe4e0d1a0c2b3", algorithm=MD5',
    )
    + """
  <recv request="ACK"/>
  <recv request="INVITE" crlf="true">
    <action><verifyauth assign_to="authvalid" username="TRUNK_USER" password="TRUNK_PASSWORD"/></action>
  </recv>
  <nop hide="true" test="authvalid" next="accepted"/>"""
    + _reply("403 Forbidden")
    + """
  <recv request="ACK" next="done"/>
  <label id="accepted"/>"""
    + _BUSY
    + '\n  <label id="done"/>'
)

# A phone that rings and is never picked up; our CANCEL ends it (200 to the CANCEL, 487 to the INVITE).
_RING = (
    _INVITE_PLAIN
    + _reply("180 Ringing")
    + '\n  <recv request="CANCEL"/>'
    + _reply("200 OK", headers=_HEADERS)
    + _reply("487 Request Terminated", headers=_TAGGED.replace("[last_CSeq:]", "CSeq: [cseq] INVITE"))
    + '\n  <recv request="ACK"/>'
)


def scenario(kind: str, speech: Path, hangup_ms: int = 0, credentials: tuple[str, str] = ("", "")) -> str:
    """`answer` (waits for our BYE), `hangup` (hangs up after `hangup_ms`), `busy` (486) or `challenge`
    (401, then 486 for the right `credentials` and 403 for wrong ones) or `ring` (never answers)."""
    body = {
        "answer": _INVITE_PLAIN + _ANSWER + _AWAIT_BYE,
        "hangup": _INVITE + _ANSWER + _SEND_BYE,
        "busy": _INVITE_PLAIN + _BUSY,
        "challenge": _CHALLENGE,
        "ring": _RING,
    }[kind]
    # sipp refuses variables that are set and never used, so only `hangup` keeps our side of the dialog.
    keep_our_side = '<action><ereg regexp=".*" search_in="hdr" header="To:" assign_to="our_side"/></action>'
    body = body.replace("ACK_ACTION", keep_our_side if kind == "hangup" else "")
    body = body.replace("SPEECH", str(speech)).replace("HANGUP_MS", str(hangup_ms))
    body = body.replace("TRUNK_USER", credentials[0]).replace("TRUNK_PASSWORD", credentials[1])
    return (
        f'<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="far end {kind}">{body}\n</scenario>\n'
    )


def jfk_speech(folder: Path) -> Path:
    """jfk.wav as raw u-law at 8 kHz (what sipp streams), with a little silence around it."""
    samples = read_mono(shared("asr_short/jfk.wav"), 8000)
    padded = np.concatenate([np.zeros(4000, np.int16), samples, np.zeros(8000, np.int16)])
    path = folder / "jfk.ulaw"
    path.write_bytes(mulaw(padded))
    return path


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RtpCapture:
    """Receives the caller's RTP; keeps the RFC 2833 digits (payload type 101, on each event's end)."""

    port: int = field(default_factory=free_udp_port)
    digits: list[str] = field(default_factory=list)
    packets: int = 0

    def __post_init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", self.port))
        self._socket.settimeout(0.2)
        self._stop = threading.Event()
        self._seen: set[int] = set()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                packet, _ = self._socket.recvfrom(2048)
            except TimeoutError:
                continue
            self.packets += 1
            if len(packet) >= 16 and packet[1] & 0x7F == 101 and packet[13] & 0x80:
                timestamp = int.from_bytes(packet[4:8], "big")
                if timestamp not in self._seen:  # the end packet is sent three times
                    self._seen.add(timestamp)
                    self.digits.append("0123456789*#ABCD"[packet[12]])

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.close()


@dataclass
class FarEnd:
    process: subprocess.Popen[bytes]
    port: int
    capture: RtpCapture
    log: Path

    @property
    def uri(self) -> str:
        return f"sip:room@127.0.0.1:{self.port}"

    def wait(self, timeout: float = 30) -> int:
        """sipp's exit status: 0 when the scenario ran to its end (for `answer`: our BYE arrived)."""
        return self.process.wait(timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(5)
        self.capture.close()


def start_far_end(
    folder: Path, kind: str, speech: Path, hangup_ms: int = 0, credentials: tuple[str, str] = ("", "")
) -> FarEnd:
    if shutil.which("sipp") is None:
        pytest.skip("sipp is not installed (Debian sip-tester; `make test` installs it)")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "far_end.xml").write_text(scenario(kind, speech, hangup_ms, credentials))
    capture = RtpCapture()
    port = free_udp_port()
    log = folder / "sipp.log"
    command = [
        "sipp", "-sf", str(folder / "far_end.xml"), "-i", "127.0.0.1", "-p", str(port),
        "-mi", "127.0.0.1", "-mp", str(free_udp_port() // 2 * 2), "-key", "capture_port", str(capture.port),
        "-m", "1", "-nostdin", "-timeout", "60s", "-trace_msg", "-message_file", str(folder / "messages.log"),
    ]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, cwd=folder)
    return FarEnd(process, port, capture, log)
