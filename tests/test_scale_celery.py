"""Scale-out on real servers: `parley serve` (PARLEY_RUNNER=celery) + two `parley worker` processes, the local
PostgreSQL, a private Redis broker and a moto S3 server. Each process has its own data folder, so media
can only travel through S3 and job state only through the database.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ServerProcess, create_app_cli, make_settings, start_server, stop_server
from tests.scale_support import (
    BUCKET,
    PrivateRedis,
    Worker,
    private_redis,
    query,
    s3_client,
    scaled_backends,
    settings_env,
)
from tests.support import espeak, shared, wait_for_job, wer
from tests.test_real_server import LONG_MEETING

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@dataclass
class Cluster:
    api: ServerProcess
    workers: list[Worker]
    broker: PrivateRedis
    database_url: str
    s3_endpoint: str
    env: dict[str, str]
    folder: Path
    _names: Iterator[int]

    def new_worker(self) -> Worker:
        index = next(self._names)
        env = self.env | {"PARLEY_DATA_DIR": str(self.folder / f"worker{index}")}
        return Worker.launch(env, self.folder / f"worker{index}.log", "--concurrency", "1")

    def client(self) -> httpx.Client:
        """A client of a new app, so each test counts only its own jobs and conversations."""
        app = create_app_cli(self.api.env)
        grant = {"type": "application", **app}
        token = httpx.post(f"{self.api.base_url}/oauth2/token:generate", json=grant).json()["accessToken"]
        # x-app-id is ignored by the server; it lets a test find its own rows.
        headers = {"x-api-key": token, "x-app-id": app["appId"]}
        return httpx.Client(base_url=self.api.base_url, timeout=60, headers=headers)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("scale")
    with private_redis(folder) as broker, scaled_backends(folder, broker.url) as backends:
        settings = make_settings(
            folder / "api",
            backends.database_url,
            **backends.overrides(),
            job_lease_seconds=5.0,
            requeue_seconds=2.0,
            whisper_cpu_threads=1,
        )
        env = settings_env(settings)
        api = start_server(env, folder / "api.log")
        built = Cluster(
            api, [], broker, backends.database_url, backends.s3_endpoint, env, folder, itertools.count()
        )
        built.workers = [built.new_worker() for _ in range(2)]
        try:
            for worker in built.workers:
                worker.wait_ready()
            yield built
        finally:
            for worker in built.workers:
                worker.stop()
            stop_server(api)


def _wait_job(http: httpx.Client, job_id: str, timeout: float = 180.0) -> dict[str, Any]:
    return wait_for_job(lambda: http.get(f"/v1/job/{job_id}").json(), timeout=timeout)


def _text_job(http: httpx.Client, number: int) -> dict[str, str]:
    messages = [
        {"payload": {"content": f"Can you send report number {number} by Friday?"}, "from": {"name": "Ann"}},
        {"payload": {"content": "Yes, I will send it tomorrow."}, "from": {"name": "Ben"}},
    ]
    response = http.post("/v1/process/text", json={"messages": messages})
    assert response.status_code == 201, response.text
    return response.json()


def test_api_and_two_workers_transcribe_real_speech_through_s3(cluster: Cluster) -> None:
    with cluster.client() as http:
        speech = shared("asr_short/jfk.wav")
        audio = http.post(
            "/v1/process/audio", content=speech.read_bytes(), headers={"Content-Type": "audio/wav"}
        ).json()
        text = _text_job(http, 1)
        assert _wait_job(http, audio["jobId"])["status"] == "completed"
        assert _wait_job(http, text["jobId"])["status"] == "completed"
        messages = http.get(f"/v1/conversations/{audio['conversationId']}/messages").json()["messages"]
        app_id = http.headers["x-app-id"]
    assert wer(shared("asr_short/jfk.txt").read_text(), " ".join(m["text"] for m in messages)) < 0.15
    stored = s3_client(cluster.s3_endpoint).list_objects_v2(Bucket=BUCKET, Prefix=f"parley/{app_id}/")
    keys = [item["Key"] for item in stored["Contents"]]
    media_key = f"parley/{app_id}/{audio['conversationId']}/{audio['jobId']}."
    assert len(keys) == 1 and keys[0].startswith(media_key)
    ran_on = query(cluster.database_url, "SELECT worker_id FROM jobs WHERE app_id = %s", app_id)
    assert all(row[0].startswith("celery:") for row in ran_on)


def test_worker_killed_mid_job_completes_once_on_the_other(cluster: Cluster) -> None:
    speech = espeak(LONG_MEETING, cluster.folder / "meeting.wav")
    with cluster.client() as http:
        accepted = http.post(
            "/v1/process/audio", content=speech.read_bytes(), headers={"Content-Type": "audio/wav"}
        ).json()
        holder = _wait_for_holder(cluster, accepted["jobId"])
        time.sleep(1.0)  # well into the transcription
        victim = next(worker for worker in cluster.workers if worker.holds(holder))
        victim.kill()
        job = _wait_job(http, accepted["jobId"])
        messages = http.get(f"/v1/conversations/{accepted['conversationId']}/messages").json()["messages"]
        app_id = http.headers["x-app-id"]
    cluster.workers.remove(victim)
    cluster.workers.append(cluster.new_worker().wait_ready())

    assert job["status"] == "completed", job
    attempts, worker_id = query(
        cluster.database_url, "SELECT attempts, worker_id FROM jobs WHERE id = %s", accepted["jobId"]
    )[0]
    assert attempts == 2
    assert int(worker_id.rsplit(":", 1)[1]) != holder
    conversations = query(
        cluster.database_url, "SELECT count(*) FROM conversations WHERE app_id = %s", app_id
    )
    assert conversations == [(1,)]
    offsets = [m["timeOffset"] for m in messages]
    assert offsets == sorted(offsets) and len(set(offsets)) == len(offsets)
    assert wer(LONG_MEETING, " ".join(m["text"] for m in messages)) < 0.3


def _wait_for_holder(cluster: Cluster, job_id: str) -> int:
    """The pid of the job process that claimed the job, once it is transcribing."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        rows = query(cluster.database_url, "SELECT status, worker_id FROM jobs WHERE id = %s", job_id)
        status, worker_id = rows[0]
        assert status != "completed", "the job ended before a worker could be killed; use longer speech"
        if status == "in_progress" and worker_id:
            return int(worker_id.rsplit(":", 1)[1])
        time.sleep(0.1)
    raise AssertionError("no worker claimed the job")


def test_burst_survives_a_broker_restart(cluster: Cluster) -> None:
    """30 jobs; the broker restarts (losing every queued message) half-way: none lost, none doubled."""
    with cluster.client() as http, ThreadPoolExecutor(8) as pool:
        first = list(pool.map(lambda n: _text_job(http, n), range(15)))
        cluster.broker.restart()
        second = list(pool.map(lambda n: _text_job(http, n), range(15, 30)))
        finals = [_wait_job(http, job["jobId"], timeout=240) for job in first + second]
        app_id = http.headers["x-app-id"]
    assert [job["status"] for job in finals] == ["completed"] * 30
    per_conversation = query(
        cluster.database_url,
        "SELECT c.id, count(m.id) FROM conversations c LEFT JOIN messages m ON m.conversation_id = c.id "
        "WHERE c.app_id = %s GROUP BY c.id",
        app_id,
    )
    assert len(per_conversation) == 30
    assert {count for _, count in per_conversation} == {2}
