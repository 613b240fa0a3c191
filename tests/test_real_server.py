"""A real `parley serve` process: the official symbl-rest client, and recovery after SIGKILL mid-job."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import httpx
import symbl_rest

from tests.conftest import SymblServer, create_app_cli, parley_env, start_server, stop_server
from tests.support import espeak, file_server, make_mp4, shared, wait_for_job, wer

PARAGRAPH = (
    "The committee met on Tuesday to review the quarterly budget. "
    "Maria presented the sales figures for the northern region. "
    "Everyone agreed that the marketing plan needs more detail before the launch. "
    "John will send the revised schedule to the whole team by Friday. "
)
# Long enough to kill the server mid-job; no sentence repeats, because repeated text trips Whisper's
# compression-ratio check and its sampled fallback makes the transcript vary from run to run.
LONG_MEETING = PARAGRAPH + (
    "After lunch the engineers described the new database migration and its risks. "
    "Paul asked whether the customers in Canada would notice any downtime during the weekend. "
    "The support lead said that most tickets this month were about billing and password resets. "
    "Sarah offered to write a short guide for the help center before the next release. "
    "The finance director reminded everybody that travel costs must be approved in advance. "
    "Two new interns will join the design group in March and need laptops and accounts. "
    "The office in Berlin is moving to a larger building near the river next summer. "
    "Finally the chair thanked the volunteers who organised the charity run in October. "
    "The next meeting will take place on the first Monday of the month at ten o'clock. "
    "Before closing, Linda asked for volunteers to test the mobile application on older phones. "
    "The legal team is still reviewing the contract with the logistics partner in Rotterdam. "
    "Marketing wants a video for the product launch, filmed in the warehouse with real staff. "
    "Someone suggested moving the weekly call to Thursday afternoon to suit the Asian offices. "
    "The security audit found three minor problems, and all of them were fixed in a day. "
    "Kevin will share the survey results about remote work with the managers next week. "
    "The kitchen on the second floor will be closed for repairs until the end of January. "
    "Everyone was asked to update their contact details in the staff directory. "
    "The meeting ended with a short discussion about the holiday party and the budget for gifts. "
)


def test_official_symbl_rest_client_works_unchanged(symbl_server: SymblServer, tmp_path: Path) -> None:
    client = symbl_server.client
    (tmp_path / "media").mkdir()
    make_mp4(shared("asr_short/jfk.wav"), tmp_path / "media" / "talk.mp4")
    with file_server(tmp_path / "media") as media_base:
        body = symbl_rest.AsyncVideoUrlParameters(
            url=f"{media_base}/talk.mp4", name="Client test", confidence_threshold=0.6
        )
        accepted = symbl_rest.AsyncApi(client).add_video_url(body=body)
        jobs = symbl_rest.JobsApi(client)
        final = wait_for_job(lambda: {"status": jobs.get_job_status(accepted.job_id).status})
    assert final["status"] == "completed"

    conversations = symbl_rest.ConversationsApi(client)
    messages = conversations.get_messages_by_conversation_id(accepted.conversation_id, verbose=True).messages
    assert wer(shared("asr_short/jfk.txt").read_text(), " ".join(m.text for m in messages)) < 0.15
    assert (
        messages[0].start_time.tzinfo is not None and messages[0].conversation_id == accepted.conversation_id
    )
    assert messages[0].words and messages[0].words[0].start_time <= messages[0].words[-1].end_time
    members = conversations.get_members_by_conversation_id(accepted.conversation_id).members
    assert members == []
    same = symbl_rest.MessagesApi(client).get_messages_by_conversation_id(accepted.conversation_id).messages
    assert [m.id for m in same] == [m.id for m in messages]


def test_text_job_and_members_through_the_client(symbl_server: SymblServer) -> None:
    client = symbl_server.client
    body = symbl_rest.AsyncTextParameters(
        name="Text",
        messages=[
            {
                "payload": {"content": "Can you send the report?"},
                "from": {"name": "Ann", "userId": "ann@example.com"},
            },
            {"payload": {"content": "Sure, I will."}, "from": {"name": "Ben", "userId": "ben@example.com"}},
        ],
    )
    accepted = symbl_rest.AsyncApi(client).add_text(body=body)
    jobs = symbl_rest.JobsApi(client)
    assert (
        wait_for_job(lambda: {"status": jobs.get_job_status(accepted.job_id).status})["status"] == "completed"
    )
    members = (
        symbl_rest.ConversationsApi(client).get_members_by_conversation_id(accepted.conversation_id).members
    )
    assert sorted(m.name for m in members) == ["Ann", "Ben"]


def test_job_survives_sigkill_of_the_server(tmp_path: Path) -> None:
    database = tmp_path / "parley.db"
    env = parley_env(tmp_path / "data", f"sqlite:///{database}", PARLEY_JOB_LEASE_SECONDS="3")
    speech = espeak(LONG_MEETING, tmp_path / "meeting.wav")
    first = start_server(env, tmp_path / "server.log")
    app = create_app_cli(env)
    with httpx.Client(base_url=first.base_url, timeout=30) as http:
        token = http.post("/oauth2/token:generate", json={"type": "application", **app}).json()["accessToken"]
        headers = {"x-api-key": token}
        accepted = http.post(
            "/v1/process/audio", content=speech.read_bytes(), headers=headers | {"Content-Type": "audio/wav"}
        ).json()
        wait_for_job(lambda: _status_when_running(http, accepted["jobId"], headers), timeout=60)
        time.sleep(0.5)
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait()
    assert _row(database, "SELECT status FROM jobs") == "in_progress"

    second = start_server(env, tmp_path / "server.log")
    try:
        with httpx.Client(base_url=second.base_url, timeout=30) as http:
            job = wait_for_job(
                lambda: http.get(f"/v1/job/{accepted['jobId']}", headers=headers).json(), timeout=180
            )
            assert job["status"] == "completed", job
            messages = http.get(
                f"/v1/conversations/{accepted['conversationId']}/messages", headers=headers
            ).json()["messages"]
    finally:
        stop_server(second)
    assert _row(database, "SELECT count(*) FROM conversations") == 1
    assert _row(database, "SELECT attempts FROM jobs") == 2
    offsets = [m["timeOffset"] for m in messages]
    assert offsets == sorted(offsets) and len(set(offsets)) == len(offsets)
    assert wer(LONG_MEETING, " ".join(m["text"] for m in messages)) < 0.3


def _status_when_running(http: httpx.Client, job_id: str, headers: dict[str, str]) -> dict[str, str]:
    """Reads as 'finished' for wait_for_job once the job is in progress (so the test can kill the server)."""
    status = http.get(f"/v1/job/{job_id}", headers=headers).json()["status"]
    assert status != "completed", "the job finished before the server could be killed; use longer speech"
    return {"status": "completed" if status == "in_progress" else status}


def _row(database: Path, query: str):  # type: ignore[no-untyped-def]
    with sqlite3.connect(database) as connection:
        return connection.execute(query).fetchone()[0]
