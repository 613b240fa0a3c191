"""Scale-out benchmark: Celery workers over Redis and PostgreSQL, driven over HTTP like any client.

    .venv/bin/python bench/scale.py               # 8 real 30 s recordings on 1 vs 2 workers, then 200 jobs
    .venv/bin/python bench/scale.py --burst 50    # a smaller burst

Each worker is `parley worker --concurrency 1` with PARLEY_WHISPER_CPU_THREADS=1 (one job process, one ASR
thread). Workers are warmed first (each loads its speech and language models once), so the timings are
steady-state throughput. A private redis-server on a free port and a fresh PostgreSQL database are used and
removed afterwards. Prints the figures; docs/BENCHMARKS.md "Scale-out" records a run.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg

from _proc import busy_cpu_seconds, load_average, machine

BIN = Path(sys.executable).parent
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
# 8 distinct 30 s real meeting recordings: long enough to measure ASR throughput, not per-job latency.
MEETINGS = DATA / "diarization"
BATCH = [MEETINGS / "pyannote_sample.wav", *sorted((MEETINGS / "ami_debug").glob("*.wav"))][:8]
WARM_CLIP = DATA / "asr_short" / "sb_spk1_snt1.wav"
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
CONTENT_TYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (httpx.TransportError, OSError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not happen within {timeout:.0f} s")


class Stack:
    """redis-server + a fresh PostgreSQL database + `parley serve` (celery runner) + workers."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.database = f"parley_bench_{uuid.uuid4().hex[:8]}"
        redis_port = free_port()
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("PARLEY_")} | {
            "PARLEY_DATA_DIR": str(folder / "data"),
            "PARLEY_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.database}",
            "PARLEY_RUNNER": "celery",
            "PARLEY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
            "PARLEY_WHISPER_CPU_THREADS": "1",
            "PARLEY_DIARIZER_CPU_THREADS": "1",
            "OMP_NUM_THREADS": "1",  # torch (VAD, sentence embeddings) and BLAS: one thread too
            "PARLEY_WHISPER_DEVICE": "cpu",
            "PARLEY_MAX_CONCURRENT_JOBS_PER_APP": "100000",
        }
        self.processes: list[subprocess.Popen[bytes]] = []
        self.warmed = 0  # worker processes that have run a job (their models are loaded)
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.database}"')
        self._spawn(["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port), "--save", ""], "redis")
        app = json.loads(self._run(["apps", "create", "--name", "bench", "--json"]))
        port = free_port()
        self.api = self._spawn([str(BIN / "parley"), "serve", "--port", str(port)], "api")
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
        wait_until(lambda: self.http.get("/healthz").status_code == 200, "the API start")
        token = self.http.post("/oauth2/token:generate", json={"type": "application", **app})
        self.http.headers["x-api-key"] = token.json()["accessToken"]

    def _run(self, args: list[str]) -> str:
        done = subprocess.run([str(BIN / "parley"), *args], env=self.env, capture_output=True, check=True)
        return done.stdout.decode()

    def _spawn(self, command: list[str], name: str) -> subprocess.Popen[bytes]:
        with (self.folder / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.processes.append(process)
        return process

    def start_workers(self, count: int) -> list[subprocess.Popen[bytes]]:
        names = [f"worker-{uuid.uuid4().hex[:6]}" for _ in range(count)]
        workers = [self._spawn([str(BIN / "parley"), "worker", "-c", "1"], name) for name in names]
        for name in names:
            wait_until(lambda n=name: " ready." in (self.folder / f"{n}.log").read_text(), f"{name} ready")
        return workers

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def close(self) -> None:
        self.http.close()
        for process in reversed(self.processes):
            self.stop(process)
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def submit_audio(self, path: Path) -> str:
        headers = {"Content-Type": CONTENT_TYPES[path.suffix]}
        response = self.http.post("/v1/process/audio", content=path.read_bytes(), headers=headers)
        response.raise_for_status()
        return response.json()["jobId"]

    def submit_text(self, number: int) -> str:
        messages = [
            {"payload": {"content": f"Please send invoice {number} to the client."}, "from": {"name": "Ann"}},
            {"payload": {"content": "Sure, I will do it today."}, "from": {"name": "Ben"}},
        ]
        response = self.http.post("/v1/process/text", json={"messages": messages})
        response.raise_for_status()
        return response.json()["jobId"]

    def wait_all(self, job_ids: list[str], timeout: float) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        status = dict.fromkeys(job_ids, "scheduled")
        while time.monotonic() < deadline:
            for job_id in [j for j, s in status.items() if s in ("scheduled", "in_progress")]:
                status[job_id] = self.http.get(f"/v1/job/{job_id}").json()["status"]
            if all(s in ("completed", "failed") for s in status.values()):
                break
            time.sleep(0.2)
        return status

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{self.database}") as connection:
            return connection.execute(query, params).fetchall()


def warm(stack: Stack, workers: int) -> None:
    """Until every worker process has run a job (models loaded), feed one short clip per worker at a time."""
    for _ in range(6):
        jobs = [stack.submit_audio(WARM_CLIP) for _ in range(workers)]
        stack.wait_all(jobs, timeout=300)
        ran = stack.sql("SELECT count(DISTINCT worker_id) FROM jobs")[0][0]
        if ran >= workers + stack.warmed:
            stack.warmed = ran
            return
    raise RuntimeError("the warm-up jobs did not reach every worker")


def batch_seconds(stack: Stack) -> tuple[float, float]:
    """Wall time for the 8-job batch, and the CPU-seconds the whole machine was busy meanwhile."""
    busy, start = busy_cpu_seconds(), time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        jobs = list(pool.map(stack.submit_audio, BATCH))
    status = stack.wait_all(jobs, timeout=600)
    seconds = time.monotonic() - start
    assert set(status.values()) == {"completed"}, status
    return seconds, busy_cpu_seconds() - busy


def burst(stack: Stack, count: int) -> dict[str, int | float]:
    start = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        jobs = list(pool.map(stack.submit_text, range(count)))
    status = stack.wait_all(jobs, timeout=900)
    messages = dict(
        stack.sql(
            "SELECT j.id, (SELECT count(*) FROM messages m WHERE m.conversation_id = j.conversation_id) "
            "FROM jobs j WHERE j.kind = 'text'"
        )
    )
    return {
        "submitted": count,
        "completed": sum(s == "completed" for s in status.values()),
        "lost": sum(s in ("scheduled", "in_progress") for s in status.values()),
        "failed": sum(s == "failed" for s in status.values()),
        "duplicated": sum(messages.get(job, 0) > 2 for job in jobs),
        "rerun": stack.sql("SELECT count(*) FROM jobs WHERE kind = 'text' AND attempts > 1")[0][0],
        "seconds": round(time.monotonic() - start, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--burst", type=int, default=200, help="text jobs submitted at once")
    args = parser.parse_args()
    print("machine:", machine(), "load before:", load_average())
    with tempfile.TemporaryDirectory(prefix="parley-scale-") as folder:
        stack = Stack(Path(folder))
        try:
            one = stack.start_workers(1)
            warm(stack, 1)
            single, single_busy = batch_seconds(stack)
            two = [*one, *stack.start_workers(1)]
            warm(stack, 1)
            double, double_busy = batch_seconds(stack)
            counts = burst(stack, args.burst)
            for worker in two:
                stack.stop(worker)
        finally:
            stack.close()
    print(f"{'workers':>8} {'8 jobs (s)':>11} {'jobs/min':>9} {'machine busy CPU-s':>19}")
    for workers, seconds, busy in ((1, single, single_busy), (2, double, double_busy)):
        print(f"{workers:>8} {seconds:>11.1f} {8 * 60 / seconds:>9.1f} {busy:>19.1f}")
    print(f"throughput ratio, 2 workers / 1 worker: {single / double:.2f}x (target >= 1.7x)")
    print("burst:", counts)
    print("load after:", load_average())


if __name__ == "__main__":
    main()
