"""Webhooks of a room recording, POSTed to its `webhookUrl` in VideoSDK's style:
`{"webhookType": "recording-started", "data": {"meetingId", "recordingId", ...}}`.

Events: `recording-started`, `recording-stopped` (the file is stored; `fileUrl`, `filePath`, `uploads`),
`recording-failed` (`error`), `transcription-completed` (`conversationId`, `transcript`),
`transcription-failed` (`error`), `summary-completed` (`summary`, `summaryKind`). Signed like the core's
webhooks (X-Parley-Signature with the account's webhook secret, when it has one). The transcription
events follow the recording's core job through the runtime's job listeners, attached wherever jobs run:
`parley serve` (app.py) and each `parley worker` process (runner/celery.py). Each event is sent once per
state change it reports (see `lifecycle`); delivery goes through the outbox (parley.notify), so it
survives the process that sent it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from parley.models import JobStatus, Room, RoomRecording
from parley.notify.outbox import Signer
from parley.rooms import transcripts
from parley.runtime import Runtime

RECORDING_STARTED = "recording-started"
RECORDING_STOPPED = "recording-stopped"
RECORDING_FAILED = "recording-failed"
TRANSCRIPTION_COMPLETED = "transcription-completed"
TRANSCRIPTION_FAILED = "transcription-failed"
SUMMARY_COMPLETED = "summary-completed"


def file_url(recording: RoomRecording) -> str | None:
    if recording.file_path is None:
        return None
    base = str((recording.request or {}).get("baseUrl", "")).rstrip("/")
    return f"{base}/v2/recordings/{recording.id}/file"


def send(runtime: Runtime, recording_id: str, event: str, **data: Any) -> None:
    """Queue the event for the recording's webhookUrl (none: nothing is sent)."""
    with runtime.session() as session:
        recording = session.get(RoomRecording, recording_id)
        if recording is None or not (recording.request or {}).get("webhook_url"):
            return
        room = session.get_one(Room, recording.room_id)
        body = {
            "webhookType": event,
            "data": {"meetingId": room.room_id, "recordingId": recording.id, "status": recording.state}
            | data,
        }
        signer = Signer.app(recording.app_id)
        runtime.webhooks.queue(session, recording.request["webhook_url"], body, signer=signer)
    runtime.webhooks.deliver_soon()


def follow_jobs(runtime: Runtime) -> None:
    runtime.job_listeners.append(lambda job_id, status: on_job_event(runtime, job_id, status))


def on_job_event(runtime: Runtime, job_id: str, status: str) -> None:
    if status not in (JobStatus.completed, JobStatus.failed):
        return
    with runtime.session() as session:
        recording = session.scalar(select(RoomRecording).where(RoomRecording.job_id == job_id))
        if recording is None:
            return
        shown = transcripts.view(session, recording, with_messages=True)
        recording_id, notes = recording.id, list(recording.notes or [])
        summary_asked = bool((recording.request or {}).get("summary"))
    if status == JobStatus.failed:
        send(runtime, recording_id, TRANSCRIPTION_FAILED, error=shown.error)
        return
    send(
        runtime,
        recording_id,
        TRANSCRIPTION_COMPLETED,
        conversationId=shown.conversation_id,
        transcript=shown.messages,
    )
    if summary_asked:
        kind = "extractive" if any("extractive" in note for note in notes) else "abstractive"
        send(runtime, recording_id, SUMMARY_COMPLETED, summary=shown.summary, summaryKind=kind, notes=notes)
