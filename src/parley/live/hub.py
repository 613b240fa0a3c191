"""Every live session of this process: opening one (conversation + job rows), the shared decoder, live
analysis while it runs, and storing it as an ordinary conversation when it stops.

A live session's job row is created `in_progress` with no lease, so job runners never claim it; it counts
towards the app's concurrent-job limit like any other job and ends `completed` (or `failed`) with the
session. (A process that dies mid-session leaves that row in progress: the audio was never kept.)
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from parley.conversations import service as conversations
from parley.errors import BadRequest
from parley.ids import uuid_id
from parley.intel.analyze import analyze
from parley.intel.model import Analysis, AnalysisContext, Utterance
from parley.intel.tracker_specs import resolve_trackers
from parley.jobs import service as jobs
from parley.jobs.options import JobOptions
from parley.live import summary_mail
from parley.live.events import Kind, LiveMessage
from parley.live.options import LiveOptions
from parley.live.session import LiveSession
from parley.models import Conversation, ConversationAnalysis, JobStatus
from parley.pipeline.analyze import analyze_conversation
from parley.runtime import Runtime
from parley.speech.live_decoder import LiveDecoder
from parley.speech.streaming import RecognitionUpdate, StreamRecognizer, StreamSettings
from parley.speech.transcriber import load_whisper_model

log = logging.getLogger(__name__)

LIVE_WORKER = "live"  # the job rows' worker id: no runner ever uses it


class LiveHub:
    def __init__(self, runtime: Runtime, *, stream_settings: StreamSettings | None = None) -> None:
        self.runtime = runtime
        self.stream_settings = stream_settings or StreamSettings()
        self.decoder = LiveDecoder(max_lag=runtime.settings.live_max_lag_seconds)
        self._sessions: dict[str, LiveSession] = {}
        self._contexts: dict[str, AnalysisContext] = {}
        self._sent: dict[str, set[str]] = {}  # per connection: keys of insights/topics/... already sent
        self._analysing: set[str] = set()
        self._lock = threading.Lock()
        self._work = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-analysis")
        # Stop hooks by connection (telephony hangs up its call); run before the session is stored.
        self.on_stop: dict[str, Callable[[LiveSession], None]] = {}
        self._closed = threading.Event()
        threading.Thread(target=self._watch_timeouts, name="live-timeouts", daemon=True).start()

    # -- opening ---------------------------------------------------------------------------------------
    def open(
        self, *, app_id: str, options: LiveOptions, kind: str, connection_id: str | None = None
    ) -> LiveSession:
        settings = self.runtime.settings
        model = load_whisper_model(
            settings.whisper_model,
            settings.whisper_device,
            settings.whisper_compute_type,
            settings.whisper_cpu_threads,
        )
        language = _whisper_language(
            options.config.languageCode, multilingual=bool(model.model.is_multilingual)
        )
        job_options = JobOptions.model_validate(options.job_options())
        with self.runtime.session() as session:
            job = jobs.submit(
                session,
                app_id=app_id,
                kind="live",
                options=job_options.model_dump(mode="json", exclude_defaults=True),
                max_active=settings.max_concurrent_jobs_per_app,
            )
            job.status, job.worker_id = JobStatus.in_progress, LIVE_WORKER
            conversation = jobs.conversation_of(session, job)
            conversation.metadata_ = {"source": kind}
            context = AnalysisContext(
                conversation_start=conversation.start_time,
                timezone_offset_minutes=job_options.timezoneOffset,
                detect_entities=job_options.detectEntities,
                trackers=resolve_trackers(session, app_id=app_id, options=job_options),
            )
            live = LiveSession(
                connection_id=connection_id or uuid_id(),
                app_id=app_id,
                conversation_id=conversation.id,
                job_id=job.id,
                started_at=conversation.start_time,
                options=options,
                kind=kind,
                recognizer=StreamRecognizer(
                    model,
                    language=language,
                    vocabulary=options.customVocabulary,
                    settings=self.stream_settings,
                ),
            )
        with self._lock:
            self._sessions[live.connection_id] = live
            self._contexts[live.connection_id] = context
            self._sent[live.connection_id] = set()
        self.decoder.add(
            live.connection_id,
            live.recognizer,
            on_update=lambda update: self._recognised(live, update),
            on_lagging=lambda lag: live.publish(
                Kind.WARNING,
                f"recognition is {lag:.1f} s behind the audio: this server has more live streams than it can "
                "transcribe in real time; results will arrive late",
            ),
        )
        return live

    def get(self, connection_id: str, *, app_id: str) -> LiveSession | None:
        with self._lock:
            live = self._sessions.get(connection_id)
        return live if live is not None and live.app_id == app_id else None

    def feed(self, live: LiveSession, data: bytes) -> None:
        live.feed(data)
        self.decoder.nudge()

    # -- stopping --------------------------------------------------------------------------------------
    def stop(self, live: LiveSession, reason: str) -> None:
        """End the session (idempotent): flush recognition, then store and analyse in the background."""
        with self._lock:
            if live.stop_reason is not None:
                return
            live.stop_reason = reason
        hook = self.on_stop.pop(live.connection_id, None)
        if hook is not None:
            try:
                hook(live)
            except Exception:
                log.exception("stop hook of live session %s failed", live.connection_id)
        self.decoder.finish(live.connection_id, lambda: self._work.submit(self._finalise, live))

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            sessions = list(self._sessions.values())
        for live in sessions:
            self.stop(live, "the server is shutting down")
        for live in sessions:
            live.done.wait(timeout=60)
        self.decoder.close()
        self._work.shutdown(wait=True)

    def _finalise(self, live: LiveSession) -> None:
        live.publish(Kind.STOPPED, live.stop_reason)
        try:
            self._store(live)
            self._send_summary(live)
            live.publish(Kind.COMPLETED, live.conversation_id)
        except Exception as error:
            log.exception("could not store live session %s", live.connection_id)
            self._fail(live, f"the conversation could not be stored: {error}")
            live.publish(Kind.FAILED, str(error))
        finally:
            with self._lock:
                self._sessions.pop(live.connection_id, None)
                self._contexts.pop(live.connection_id, None)
                self._sent.pop(live.connection_id, None)
            live.close_subscribers()
            live.done.set()

    def _store(self, live: LiveSession) -> None:
        with self.runtime.session() as session:
            job = jobs.get(session, app_id=live.app_id, job_id=live.job_id)
            if job is None or not jobs.finish(session, job_id=job.id, worker_id=LIVE_WORKER):
                raise RuntimeError(f"job {live.job_id} of the live session is gone or no longer running")
            conversation = jobs.conversation_of(session, job)
            conversation.metadata_ = {**(conversation.metadata_ or {}), "endReason": live.stop_reason}
            conversations.save_job_results(
                session, conversation=conversation, job_id=job.id, transcript=live.transcript(), offset=0.0
            )
            analyze_conversation(session, conversation=conversation, job=job, settings=self.runtime.settings)
        self.runtime.announce(live.job_id, JobStatus.completed)

    def _send_summary(self, live: LiveSession) -> None:
        """The `sendSummaryEmail` actions; the outcome is kept in the conversation's metadata."""
        emails = live.options.summary_emails()
        if not emails:
            return
        settings = self.runtime.settings
        with self.runtime.session() as session:
            conversation = session.get(Conversation, live.conversation_id)
            name = conversation.name if conversation else live.conversation_id
        mail = summary_mail.compose(
            name=name,
            started_at=live.started_at,
            timezone=live.options.timezone,
            analysis=self.stored_analysis(live.conversation_id),
            link=f"{live.site_url}/share/{self._share_token(live)}",
        )
        problem = summary_mail.send(settings.smtp_url, sender=settings.smtp_from, to=emails, mail=mail)
        if problem:
            live.publish(Kind.WARNING, problem)
        with self.runtime.session() as session:
            conversation = session.get(Conversation, live.conversation_id)
            if conversation is not None:
                outcome = {"summaryEmail": problem or f"sent to {', '.join(emails)}"}
                conversation.metadata_ = {**(conversation.metadata_ or {}), **outcome}

    def _share_token(self, live: LiveSession) -> str:
        """A read-only link to the conversation's shared summary page, for people without an account."""
        from parley.web.share import LIFETIMES_DAYS, new_link  # the web face owns the link format

        return new_link(
            self.runtime.token_key,
            app_id=live.app_id,
            conversation_id=live.conversation_id,
            days=max(LIFETIMES_DAYS),
        )

    def _fail(self, live: LiveSession, reason: str) -> None:
        with self.runtime.session() as session:
            jobs.finish(session, job_id=live.job_id, worker_id=LIVE_WORKER, error=reason)

    def stored_analysis(self, conversation_id: str) -> Analysis | None:
        with self.runtime.session() as session:
            row = session.get(ConversationAnalysis, conversation_id)
            return Analysis.model_validate(row.document) if row else None

    # -- results while live ----------------------------------------------------------------------------
    def _recognised(self, live: LiveSession, update: RecognitionUpdate) -> None:
        if live.on_recognition(update):
            with self._lock:
                if live.connection_id in self._analysing:
                    return  # the running analysis will be followed by this one's results next time
                self._analysing.add(live.connection_id)
            self._work.submit(self._analyse_live, live)

    def _analyse_live(self, live: LiveSession) -> None:
        """Analyse everything said so far and publish what was not sent before."""
        with self._lock:
            self._analysing.discard(live.connection_id)
            context = self._contexts.get(live.connection_id)
            sent = self._sent.get(live.connection_id)
        if context is None or sent is None:
            return
        try:
            analysis = analyze(_utterances(list(live.messages)), context)
        except Exception:
            log.exception("live analysis of %s failed", live.connection_id)
            return
        wanted = set(live.options.insightTypes)
        insights = [item for item in analysis.insights if item.type in wanted]
        for kind, items, key in (
            (Kind.INSIGHTS, insights, lambda item: f"insight:{item.type}:{item.text}"),
            (Kind.TOPICS, analysis.topics, lambda item: f"topic:{item.text.lower()}"),
            (Kind.TRACKERS, analysis.trackers, lambda item: f"tracker:{item.name}:{len(item.matches)}"),
            (
                Kind.ENTITIES,
                analysis.entities,
                lambda item: f"entity:{item.type}:{item.matches[0].detectedValue}",
            ),
        ):
            fresh = [item for item in items if key(item) not in sent]
            if fresh:
                sent.update(key(item) for item in fresh)
                live.publish(kind, fresh)

    def _watch_timeouts(self) -> None:
        while not self._closed.wait(1.0):
            with self._lock:
                sessions = list(self._sessions.values())
            for live in sessions:
                limit = live.options.noConnectionTimeout
                if limit and live.stop_reason is None and time.monotonic() - live.last_audio_at > limit:
                    self.stop(live, f"no audio for {limit:g} s (noConnectionTimeout)")


def _utterances(messages: list[LiveMessage]) -> list[Utterance]:
    return [
        Utterance(
            id=message.id,
            text=message.text,
            start=message.start,
            end=message.end,
            member_id=message.speaker.key if message.speaker else None,
            speaker=message.speaker.name if message.speaker else None,
            email=message.speaker.email if message.speaker else None,
        )
        for message in messages
    ]


def _whisper_language(code: str | None, *, multilingual: bool) -> str | None:
    if code is None:
        return None if multilingual else "en"
    language = code.replace("_", "-").split("-")[0].lower()
    if not multilingual and language != "en":
        raise BadRequest(
            f"languageCode {code!r}: this server's speech model transcribes English only; "
            "configure a multilingual Whisper model for other languages"
        )
    return language
