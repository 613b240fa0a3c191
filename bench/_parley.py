"""A real `parley serve` in a subprocess with a fresh data folder, driven over HTTP like any client."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx

from _proc import busy_cpu_seconds, cpu_seconds, peak_rss_mb

_PARLEY = Path(sys.executable).with_name("parley")
_POLL_SECONDS = 0.05
_CONTENT_TYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg"}


@dataclass
class JobRun:
    seconds: float  # from the start of the upload to the job reading `completed`
    cpu_seconds: float  # the server process's CPU time over that span
    other_cpu_seconds: float  # CPU time everything else on the machine used meanwhile (noise)
    text: str


class ParleyServer:
    """`with ParleyServer(folder) as server: server.run_job(path)`; the server stops on exit."""

    def __init__(self, folder: Path) -> None:
        # Parley's defaults only, pinned to what bare runs: a PARLEY_ setting left in the caller's shell
        # (a database URL, another model) or a GPU (device "auto") would make it a different comparison.
        inherited = {key: value for key, value in os.environ.items() if not key.startswith("PARLEY_")}
        self._env = {
            **inherited,
            "PARLEY_DATA_DIR": str(folder / "data"),
            "PARLEY_WHISPER_DEVICE": "cpu",
            "PARLEY_WHISPER_COMPUTE_TYPE": "int8",
        }
        self._log_path = folder / "server.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._client: httpx.Client | None = None
        self._last_job: str | None = None

    def __enter__(self) -> ParleyServer:
        created = subprocess.run(
            [str(_PARLEY), "apps", "create", "--name", "bench", "--json"],
            env=self._env,
            check=True,
            capture_output=True,
            text=True,
        )
        credentials = json.loads(created.stdout)
        port = _free_port()
        with self._log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [str(_PARLEY), "serve", "--port", str(port)],
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
        self._client = client
        self._wait_until_up(client)
        token = client.post(
            "/oauth2/token:generate",
            json={
                "type": "application",
                "appId": credentials["appId"],
                "appSecret": credentials["appSecret"],
            },
        )
        token.raise_for_status()
        client.headers["x-api-key"] = token.json()["accessToken"]
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._client is not None:
            self._client.close()
        if self._process is not None:
            self._process.send_signal(signal.SIGINT)
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def peak_rss_mb(self) -> float:
        return peak_rss_mb(self.pid)

    def run_job(self, path: Path, timeout: float = 3600.0) -> JobRun:
        """Upload `path` as an audio job, poll until it ends, and return its timing and transcript."""
        assert self._client is not None
        client = self._client
        body = path.read_bytes()  # read first: the disk read is not Parley's cost
        content_type = _CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        busy = busy_cpu_seconds()
        server_cpu = cpu_seconds(self.pid)
        own_cpu = time.process_time()
        started = time.perf_counter()
        submitted = client.post("/v1/process/audio", content=body, headers={"content-type": content_type})
        submitted.raise_for_status()
        job_id = self._last_job = submitted.json()["jobId"]
        while True:
            status = client.get(f"/v1/job/{job_id}").json()["status"]
            if status in ("completed", "failed"):
                break
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"job {job_id} still {status} after {timeout:.0f} s")
            time.sleep(_POLL_SECONDS)
        seconds = time.perf_counter() - started
        server_cpu = cpu_seconds(self.pid) - server_cpu
        other = busy_cpu_seconds() - busy - server_cpu - (time.process_time() - own_cpu)
        if status == "failed":
            raise RuntimeError(f"Parley job {job_id} failed: {client.get(f'/v1/job/{job_id}').text}")
        messages = client.get(f"/v1/conversations/{submitted.json()['conversationId']}/messages")
        messages.raise_for_status()
        text = " ".join(message["text"].strip() for message in messages.json()["messages"])
        return JobRun(seconds=seconds, cpu_seconds=server_cpu, other_cpu_seconds=other, text=text)

    def status_poll_cpu_ms(self, polls: int = 200) -> float:
        """Server CPU milliseconds per `GET /v1/job/{id}` (on the last job, finished): what polling costs."""
        assert self._client is not None and self._last_job is not None
        before = cpu_seconds(self.pid)
        for _ in range(polls):
            self._client.get(f"/v1/job/{self._last_job}").raise_for_status()
        return 1000 * (cpu_seconds(self.pid) - before) / polls

    def _wait_until_up(self, client: httpx.Client, timeout: float = 120.0) -> None:
        assert self._process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"parley serve exited: {self._log_path.read_text()[-2000:]}")
            try:
                if client.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"parley serve did not answer within {timeout:.0f} s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
