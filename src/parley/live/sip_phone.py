"""One outgoing phone call through baresip: one process per call, driven over its ctrl_tcp socket.

baresip (Debian's `baresip`, BSD) does SIP (401/407 challenges, outbound proxy), RTP, G.711 and RFC 2833
DTMF. It is told what to do with netstring-framed JSON commands (`dial`, `sndcode`, `mute`, `hangup`,
`quit`) and reports call events (`CALL_ESTABLISHED`, `CALL_CLOSED` with the reason). Its `sndfile` module
writes what the far end says to a growing 16-bit WAV file, which `_pump_audio` tails (about 200 ms behind
the wire) and hands to `on_audio`. Each call gets its own config folder and ports, because baresip names
recordings by time only (in a short temporary folder, removed when the call ends).

baresip's audio source is `ausine` (the only source that needs no sound card; 48 kHz stereo), muted once
the call is up, so the far end hears silence rather than a tone.

A call must not outlive the server that placed it. Beside each baresip runs a guard (`_GUARD`, one `sh`
reading a pipe only this process holds): when the call is hung up normally the guard is released with a
newline, and when this process dies, however (SIGKILL included), the pipe closes without one and the guard
sends baresip a single SIGTERM, on which baresip sends BYE and exits. (Not PR_SET_PDEATHSIG: that signal
comes again each time a dying thread hands the child on to a sibling, and a second SIGTERM makes baresip
exit at once, sometimes before its BYE.) Whoever ends the session of a server that died also ends a call
that is still up, with `end_left_call` (a server that stalled rather than died, a guard that was killed).
"""

from __future__ import annotations

import json
import logging
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from parley.speech.pcm import PcmDecoder

log = logging.getLogger(__name__)

DTMF_PAUSE_SECONDS = 1.0  # what one ',' in a DTMF sequence waits
DTMF_DIGIT_SECONDS = 0.25  # between digits, so each is a distinct RFC 2833 event
_WAV_HEADER = 44  # libsndfile's plain 16-bit PCM WAV header
_FOLDER_PREFIX = "parley-call-"
_START_ATTEMPTS = 3  # baresip starts, each with fresh ports, before a port race is reported
_ADDRESS_IN_USE = "Address already in use"  # what baresip logs when a port it was given is taken
# The guard: a newline on stdin lets it go quietly; end of file without one (this server died) ends the call.
_GUARD = 'read -r _ || kill -TERM "$0"'
_CONFIG = """poll_method		epoll
sip_listen		{ip}:{sip_port}
sip_trans_def		udp
audio_player		aufile,{folder}/unused.wav
audio_source		ausine,440
ausrc_srate		48000
auplay_srate		48000
ausrc_channels		2
rtp_ports		{rtp_low}-{rtp_high}
module_path		/usr/lib/baresip/modules
module			account.so
module			g711.so
module			ausine.so
module			aufile.so
module			sndfile.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		{ip}:{ctrl_port}
snd_path		{folder}/recordings
"""


class PhoneError(RuntimeError):
    """The call could not be placed (baresip missing or not answering its control socket)."""


class _PortTakenError(PhoneError):
    """baresip exited at start because a port it was given had been taken since it was probed."""


@dataclass(frozen=True)
class Route:
    """Where to dial and as whom: the request URI plus the account's identity and credentials."""

    uri: str  # sip:14155550100@trunk.example.com or the endpoint's sip: URI
    account: str  # sip:user@host: our identity (From)
    username: str | None = None
    password: str | None = None
    outbound_proxy: str | None = None


def free_port(ip: str, kind: int = socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind((ip, 0))
        return probe.getsockname()[1]


def _netstring(payload: dict[str, str]) -> bytes:
    body = json.dumps(payload).encode()
    return str(len(body)).encode() + b":" + body + b","


class BaresipCall:
    """Place one call; callbacks run on this object's threads."""

    def __init__(
        self,
        *,
        local_ip: str,
        on_audio: Callable[[np.ndarray], None],
        on_established: Callable[[], None],
        on_closed: Callable[[str], None],
    ) -> None:
        # Short on purpose: baresip's sndfile truncates recording paths past ~128 characters.
        self.folder = Path(tempfile.mkdtemp(prefix=_FOLDER_PREFIX))
        self.local_ip = local_ip
        self._on_audio, self._on_established, self._on_closed = on_audio, on_established, on_closed
        self._process: subprocess.Popen[bytes] | None = None
        self._guard: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self._send_lock = threading.Lock()
        self.established = threading.Event()
        self.closed = threading.Event()
        self.close_reason: str | None = None
        self._pump: threading.Thread | None = None

    # -- placing the call ------------------------------------------------------------------------------
    def start(self, route: Route) -> int:
        """Start the process that places the call, as `route`'s account (nothing dialled yet); its pid."""
        if shutil.which("baresip") is None:
            raise PhoneError("baresip is not installed on this server (Debian package 'baresip')")
        (self.folder / "recordings").mkdir(exist_ok=True)
        (self.folder / "accounts").write_text(_account_line(route) + "\n")
        (self.folder / "contacts").write_text("")
        for attempt in range(1, _START_ATTEMPTS + 1):
            ctrl_port = self._write_config()
            self._process = self._spawn()
            try:
                self._control = self._connect(ctrl_port)
                break
            except _PortTakenError:
                # The ports were free when probed; another process took one before baresip bound it.
                self._release_guard()
                if attempt == _START_ATTEMPTS:
                    raise
                log.info("a port baresip was given was taken meanwhile; starting again with new ports")
        threading.Thread(target=self._read_events, name="baresip-events", daemon=True).start()
        return self._process.pid

    def _write_config(self) -> int:
        """A config with ports free right now; the control port."""
        ctrl_port = free_port(self.local_ip, socket.SOCK_STREAM)
        rtp_low = free_port(self.local_ip) // 2 * 2
        (self.folder / "config").write_text(
            _CONFIG.format(
                ip=self.local_ip,
                sip_port=free_port(self.local_ip),
                ctrl_port=ctrl_port,
                rtp_low=rtp_low,
                rtp_high=rtp_low + 9,
                folder=self.folder,
            )
        )
        return ctrl_port

    def dial(self, uri: str) -> None:
        self._command("dial", uri)

    def _spawn(self) -> subprocess.Popen[bytes]:
        """Start baresip, and its guard (see the module's docstring)."""
        with (self.folder / "baresip.log").open("wb") as sink:
            process = subprocess.Popen(
                ["baresip", "-f", str(self.folder)],
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self._guard = subprocess.Popen(["sh", "-c", _GUARD, str(process.pid)], stdin=subprocess.PIPE)
        return process

    def _connect(self, port: int) -> socket.socket:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                log_path = self.folder / "baresip.log"
                if _ADDRESS_IN_USE in log_path.read_text(errors="replace"):
                    raise _PortTakenError(f"baresip could not bind its ports; see {log_path}")
                raise PhoneError(f"baresip exited at start; see {log_path}")
            try:
                return socket.create_connection((self.local_ip, port), timeout=1)
            except OSError:
                time.sleep(0.05)
        raise PhoneError("baresip did not open its control socket within 10 s")

    def _command(self, command: str, params: str = "") -> None:
        if self._control is None:
            return
        with self._send_lock:
            try:
                self._control.sendall(_netstring({"command": command, "params": params, "token": command}))
            except OSError:  # baresip already gone: nothing left to tell it
                log.debug("baresip control socket closed before %s", command)

    # -- during the call -------------------------------------------------------------------------------
    def send_dtmf(self, sequence: str) -> None:
        """Each digit as an RFC 2833 event; each ',' is a pause. Runs in its own thread."""

        def play() -> None:
            for symbol in sequence:
                if self.closed.is_set():
                    return
                if symbol == ",":
                    time.sleep(DTMF_PAUSE_SECONDS)
                    continue
                self._command("sndcode", symbol)
                time.sleep(DTMF_DIGIT_SECONDS)

        threading.Thread(target=play, name="baresip-dtmf", daemon=True).start()

    def hang_up(self) -> None:
        """Send BYE (or CANCEL) if the call is up, then end the process."""
        if self._control is not None and not self.closed.is_set():  # never started: nothing to hang up
            self._command("hangup")
            self.closed.wait(5)
        if (
            self._pump is not None
        ):  # the far end's last words reach the recogniser before it is told to finish
            self._pump.join(timeout=2)
        self._command("quit")
        if self._process is not None:
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._release_guard()
        if self._control is not None:
            self._control.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _release_guard(self) -> None:
        """Let the guard go quietly; only once baresip has exited."""
        if self._guard is not None:
            self._guard.communicate(b"\n", timeout=5)
            self._guard = None

    def _read_events(self) -> None:
        assert self._control is not None
        self._control.settimeout(None)
        buffer = b""
        while True:
            try:
                chunk = self._control.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                self._closed("the phone process stopped")
                return
            buffer += chunk
            while (event := _next_netstring(buffer)) is not None:
                message, buffer = event
                self._handle(message)

    def _handle(self, message: dict[str, object]) -> None:
        kind = message.get("type")
        if kind == "CALL_ESTABLISHED" and not self.established.is_set():
            self.established.set()
            self._command("mute")  # the far end should hear silence, not ausine's tone
            self._pump = threading.Thread(target=self._pump_audio, name="baresip-audio", daemon=True)
            self._pump.start()
            self._on_established()
        elif kind == "CALL_CLOSED":
            self._closed(str(message.get("param") or "call closed"))

    def _closed(self, reason: str) -> None:
        if self.closed.is_set():
            return
        self.close_reason = reason
        self.closed.set()
        self._on_closed(reason)

    def _pump_audio(self) -> None:
        """Tail the far end's recording (`dump-*-dec.wav`) until the call closes."""
        recording = self._wait_for_recording()
        if recording is None:
            return
        decoder: PcmDecoder | None = None
        position = _WAV_HEADER
        with recording.open("rb") as source:
            while True:
                finished = self.closed.is_set()
                source.seek(position)
                data = source.read()
                usable = len(data) - len(data) % 2
                if usable:
                    position += usable
                    if decoder is None:
                        decoder = PcmDecoder("LINEAR16", _wav_rate(recording))
                    self._on_audio(decoder.decode(data[:usable]))
                if finished:
                    return
                time.sleep(0.05)

    def _wait_for_recording(self) -> Path | None:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not self.closed.is_set():
            found = sorted((self.folder / "recordings").glob("dump-*-dec.wav"))
            if found and found[-1].stat().st_size >= _WAV_HEADER:
                return found[-1]
            time.sleep(0.05)
        log.warning("baresip wrote no recording of the far end in %s", self.folder)
        return None


def end_left_call(pid: int, folder: str, *, grace: float = 5.0) -> bool:
    """Hang up a call that a server which died left up: SIGTERM makes baresip send BYE and exit (SIGKILL if
    it has not within `grace` seconds); then its folder is removed. Returns whether the call was still up.

    Only that very process is signalled: `pid` must still run `baresip -f folder`, checked through a pidfd
    so that a pid reused in between is never hit. Works on the host the call was placed from only."""
    path = Path(folder)
    if path.parent != Path(tempfile.gettempdir()) or not path.name.startswith(_FOLDER_PREFIX):
        log.warning("not ending phone process %s: %s is not a call folder of this server", pid, folder)
        return False
    running = _end_process(pid, path, grace)
    shutil.rmtree(path, ignore_errors=True)
    return running


def _end_process(pid: int, folder: Path, grace: float) -> bool:
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return False
    try:
        if not _runs_baresip(pid, folder):
            return False
        log.info("hanging up the call that baresip %s (%s) still holds", pid, folder)
        for sign in (signal.SIGTERM, signal.SIGKILL):
            try:
                signal.pidfd_send_signal(handle, sign)
            except ProcessLookupError:
                break
            if select.select([handle], [], [], grace)[0]:  # a pidfd reads ready once its process exited
                break
        return True
    finally:
        os.close(handle)


def _runs_baresip(pid: int, folder: Path) -> bool:
    try:  # a process that exited has no command line any more (a zombie's is empty)
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[:-1]
    except OSError:
        return False
    expected = [b"-f", os.fsencode(folder)]
    return arguments[1:] == expected and os.path.basename(arguments[0]) == b"baresip"


def _wav_rate(path: Path) -> int:
    with path.open("rb") as header:
        head = header.read(_WAV_HEADER)
    return int.from_bytes(head[24:28], "little")


def _next_netstring(buffer: bytes) -> tuple[dict[str, object], bytes] | None:
    length, colon, rest = buffer.partition(b":")
    if not colon or not length.isdigit() or len(rest) < int(length) + 1:
        return None
    size = int(length)
    return json.loads(rest[:size]), rest[size + 1 :]


def _account_line(route: Route) -> str:
    parameters = ["regint=0"]  # dial out only: never REGISTER
    if route.username:
        parameters.append(f"auth_user={route.username}")
    if route.password:
        parameters.append(f"auth_pass={route.password}")
    if route.outbound_proxy:
        parameters.append(f'outbound="{route.outbound_proxy}"')
    return f"<{route.account}>;" + ";".join(parameters)
