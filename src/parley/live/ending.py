"""Ending a live session: it becomes an ordinary conversation, analysed, its summary mailed.

The same steps end a session that stops normally (with its full transcript in memory) and one whose process
died (from the messages `record` kept as they arrived). Each step checks the job is still held, so two
processes never both end one session; and the analysis runs outside any transaction (it can take seconds),
as batch jobs' does.

A telephony session's call is hung up first, if its process is still up: a server killed mid-call leaves
baresip running only if the call's guard (`sip_phone`) could not act, and a server that merely stalled still
runs it. That works only on the host the call was placed from: a process ending the session on another host
logs that it cannot, and leaves the call to the guard there and to the far end.

A crash part-way leaves the job `in_progress`, so the session is ended again by whoever takes it over: the
messages are replaced per job, the analysis is replaced whole, and the summary e-mail is sent only if the
conversation does not record it as sent already (a crash between the SMTP server's acceptance and that
record is the one window where a second mail can go out).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from parley.conversations import service as conversations
from parley.conversations.sharing import LIFETIMES_DAYS, new_link, share_url
from parley.intel.model import Analysis
from parley.jobs import service as jobs
from parley.live import record, sip_phone, summary_mail
from parley.models import Conversation, Job, JobStatus
from parley.pipeline.analyze import PendingAnalysis, prepare_analysis, run_analysis, store_analysis
from parley.runtime import Runtime
from parley.transcript import Transcript

CUT_SHORT = "the stream was cut short: the server stopped before it ended (what was recognised is kept)"
NOTHING_KEPT = "the server stopped before anything in the stream was recognised, so there was nothing to keep"
_MAIL_OUTCOME = "summaryEmail"  # the conversation metadata entry saying how the summary e-mail went

log = logging.getLogger(__name__)


class SessionTaken(RuntimeError):
    """Another process holds the session's job now (this one stalled past its lease): leave it to that one."""


@dataclass(frozen=True)
class Ending:
    job_id: str
    owner: str
    reason: str  # why the session ended, kept as the conversation's `endReason`
    # The session's whole transcript (a normal stop); None: keep the messages stored as they arrived.
    transcript: Transcript | None = None


@dataclass(frozen=True)
class Outcome:
    status: str  # JobStatus.completed or JobStatus.failed
    problem: str | None = None  # why it failed, or why the summary e-mail could not be sent


def end_session(runtime: Runtime, ending: Ending) -> Outcome:
    _end_call(runtime, ending)
    pending = _store_messages(runtime, ending)
    if ending.transcript is None and not pending.utterances:
        return fail(runtime, replace(ending, reason=NOTHING_KEPT), NOTHING_KEPT)
    document = run_analysis(pending)
    with runtime.session() as session:
        _hold(session, ending)
        store_analysis(session, pending=pending, document=document)
    problem = _mail_summary(runtime, ending, Analysis.model_validate(document))
    with runtime.session() as session:
        _hold(session, ending)
        _note(session, pending.conversation_id, endReason=ending.reason)
        jobs.finish(session, job_id=ending.job_id, worker_id=ending.owner)
        runtime.announce(ending.job_id, JobStatus.completed, session=session)
    return Outcome(JobStatus.completed, problem)


def fail(runtime: Runtime, ending: Ending, error: str) -> Outcome:
    with runtime.session() as session:
        job = _hold(session, ending)
        _note(session, job.conversation_id, endReason=ending.reason)
        jobs.finish(session, job_id=ending.job_id, worker_id=ending.owner, error=error)
        runtime.announce(ending.job_id, JobStatus.failed, session=session)
    return Outcome(JobStatus.failed, error)


def _end_call(runtime: Runtime, ending: Ending) -> None:
    """Hang up the session's call if its process is still up, then forget the process."""
    with runtime.session() as session:
        job = _hold(session, ending)
        phone = record.phone_of(jobs.conversation_of(session, job))
    if phone is None:
        return
    if phone.host == record.this_host():
        sip_phone.end_left_call(phone.pid, phone.folder)
    else:
        log.warning(
            "live job %s: its call's baresip (pid %s) runs on host %s, not here; it hangs up when its own "
            "server dies, or when the far end does",
            ending.job_id,
            phone.pid,
            phone.host,
        )
    with runtime.session() as session:
        job = _hold(session, ending)
        record.note_phone(session, conversation_id=job.conversation_id, phone=None)


def _store_messages(runtime: Runtime, ending: Ending) -> PendingAnalysis:
    """Write the final transcript (when there is one) and read what the analysis needs."""
    with runtime.session() as session:
        job = _hold(session, ending)
        conversation = jobs.conversation_of(session, job)
        if ending.transcript is not None:
            conversations.save_job_results(
                session, conversation=conversation, job_id=job.id, transcript=ending.transcript, offset=0.0
            )
        else:
            _attribute_by_kept_events(session, conversation)
        session.flush()
        return prepare_analysis(session, conversation=conversation, job=job, settings=runtime.settings)


def _attribute_by_kept_events(session: Session, conversation: Conversation) -> None:
    """Attribute the kept messages by every speaker event the session received, late ones included, as the
    live session does when it stops normally (a repeated stop is skipped there too)."""
    events, users = record.speaker_events(session, conversation_id=conversation.id)
    if not events:
        return
    conversations.attribute_by_events(
        session, conversation=conversation, events=events, users=users, strict=False
    )


def _mail_summary(runtime: Runtime, ending: Ending, analysis: Analysis) -> str | None:
    """Send the `sendSummaryEmail` mail unless it went out before; returns why it could not be sent."""
    with runtime.session() as session:
        job = _hold(session, ending)
        conversation = jobs.conversation_of(session, job)
        plan = record.StopPlan.of(conversation)
        if not plan.summary_emails or _MAIL_OUTCOME in (conversation.metadata_ or {}):
            return None
    settings = runtime.settings
    token = new_link(
        runtime.token_key,
        app_id=conversation.app_id,
        conversation_id=conversation.id,
        days=max(LIFETIMES_DAYS),
    )
    mail = summary_mail.compose(
        name=conversation.name,
        started_at=conversation.start_time,
        timezone=plan.timezone,
        analysis=analysis,
        link=share_url(plan.site_url or settings.public_url or "", token),
    )
    problem = summary_mail.send(
        settings.smtp_url, sender=settings.smtp_from, to=plan.summary_emails, mail=mail
    )
    with runtime.session() as session:
        outcome = problem or f"sent to {', '.join(plan.summary_emails)}"
        _note(session, conversation.id, **{_MAIL_OUTCOME: outcome})
    return problem


def _hold(session: Session, ending: Ending) -> Job:
    job = record.held_job(session, job_id=ending.job_id, owner=ending.owner)
    if job is None:
        raise SessionTaken(ending.job_id)
    return job


def _note(session: Session, conversation_id: str, **entries: str) -> None:
    conversation = session.get(Conversation, conversation_id)
    if conversation is not None:
        conversations.merge_metadata(session, conversation, entries)
