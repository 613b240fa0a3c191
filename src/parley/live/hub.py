"""Every live session of this process: opening one, the shared decoder, live analysis while it runs, and
ending it as an ordinary conversation when it stops.

A live session's job is created `in_progress`, owned by this process (`record`): each final message is kept
as it arrives and the job's heartbeat is stamped while the session runs. A session whose process died is
ended by whichever process notices first (at start-up, then every lease) from what was kept, with a reason
saying the stream was cut short (`ending`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from parley.conversations.speaker_events import SpeakerEvent
from parley.errors import BadRequest
from parley.ids import uuid_id
from parley.intel.analyze import analyze
from parley.intel.model import AnalysisContext, Insight, Utterance
from parley.intel.tracker_specs import resolve_trackers
from parley.jobs.options import JobOptions
from parley.live import record
from parley.live.ending import CUT_SHORT, Ending, SessionTaken, end_session, fail
from parley.live.events import Kind, LiveMessage
from parley.live.options import LiveOptions
from parley.live.session import LiveSession
from parley.runtime import Runtime
from parley.speech.live_decoder import LiveDecoder
from parley.speech.streaming import RecognitionUpdate, StreamRecognizer, StreamSettings
from parley.speech.transcriber import load_whisper_model
from parley.transcript import Speaker

log = logging.getLogger(__name__)


class LiveHub:
    def __init__(self, runtime: Runtime, *, stream_settings: StreamSettings | None = None) -> None:
        self.runtime = runtime
        self.stream_settings = stream_settings or StreamSettings()
        self.decoder = LiveDecoder(max_lag=runtime.settings.live_max_lag_seconds)
        self.owner = record.owner_id()  # this process, on the job rows of the sessions it runs
        self._sessions: dict[str, LiveSession] = {}
        self._contexts: dict[str, AnalysisContext] = {}
        self._sent: dict[str, set[str]] = {}  # per connection: keys of insights/topics/... already sent
        self._analysing: set[str] = set()
        self._orphans: set[str] = set()  # jobs of dead processes' sessions this one is ending
        self._lock = threading.Lock()
        self._work = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-analysis")
        # Stop hooks by connection (telephony hangs up its call); run before the session is stored.
        self.on_stop: dict[str, Callable[[LiveSession], None]] = {}
        self._closing = threading.Event()
        self._closed = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="live-watch", daemon=True)

    def start(self) -> None:
        """Start heartbeats, idle timeouts and ending dead processes' sessions (the first round at once)."""
        self._watcher.start()

    # -- opening ---------------------------------------------------------------------------------------
    def open(
        self,
        *,
        app_id: str,
        options: LiveOptions,
        kind: str,
        site_url: str,
        connection_id: str | None = None,
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
        connection_id = connection_id or uuid_id()
        plan = record.StopPlan(
            connection_id=connection_id,
            site_url=site_url,
            timezone=options.timezone,
            summary_emails=options.summary_emails(),
        )
        with self.runtime.session() as session:
            job, conversation = record.open_job(
                session,
                app_id=app_id,
                source=kind,
                options=job_options,
                plan=plan,
                owner=self.owner,
                language=options.config.languageCode or "en-US",
                max_active=settings.max_concurrent_jobs_per_app,
            )
            context = AnalysisContext(
                conversation_start=conversation.start_time,
                timezone_offset_minutes=job_options.timezoneOffset,
                detect_entities=job_options.detectEntities,
                trackers=resolve_trackers(session, app_id=app_id, options=job_options),
            )
            live = LiveSession(
                connection_id=connection_id,
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

    def add_speaker_events(self, live: LiveSession, events: list[tuple[SpeakerEvent, Speaker]]) -> None:
        """Keep pushed speaker events (all or none), then attribute the live transcript by them: kept, they
        still attribute it if another process has to end the session."""
        with self.runtime.session() as session:
            for event, speaker in events:
                record.append_speaker_event(
                    session, conversation_id=live.conversation_id, event=event, speaker=speaker
                )
        for event, speaker in events:
            live.add_speaker_event(event, speaker)

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
        """Stop every session and wait until each is stored; heartbeats go on until then."""
        self._closing.set()
        with self._lock:
            sessions = list(self._sessions.values())
        for live in sessions:
            self.stop(live, "the server is shutting down")
        for live in sessions:
            live.done.wait(timeout=60)
        self.decoder.close()
        self._work.shutdown(wait=True)
        self._closed.set()
        if self._watcher.is_alive():
            self._watcher.join(timeout=10)

    def _finalise(self, live: LiveSession) -> None:
        live.publish(Kind.STOPPED, live.stop_reason)
        ending = Ending(live.job_id, self.owner, live.stop_reason or "", transcript=live.transcript())
        try:
            outcome = end_session(self.runtime, ending)
            if outcome.problem:
                live.publish(Kind.WARNING, outcome.problem)
            live.publish(Kind.COMPLETED, live.conversation_id)
        except SessionTaken:
            log.error("live session %s was taken over by another process", live.connection_id)
            live.publish(Kind.FAILED, "another server took this session over; it ends the conversation")
        except Exception as error:
            log.exception("could not store live session %s", live.connection_id)
            self._fail_quietly(ending, f"the conversation could not be stored: {error}")
            live.publish(Kind.FAILED, str(error))
        finally:
            with self._lock:
                self._sessions.pop(live.connection_id, None)
                self._contexts.pop(live.connection_id, None)
                self._sent.pop(live.connection_id, None)
            live.close_subscribers()
            live.done.set()

    def _fail_quietly(self, ending: Ending, error: str) -> None:
        try:
            fail(self.runtime, ending, error)
        except Exception:  # the job stays in progress: the next owner's recovery tries again
            log.exception("could not mark live job %s failed", ending.job_id)

    # -- results while live ----------------------------------------------------------------------------
    def _recognised(self, live: LiveSession, update: RecognitionUpdate) -> None:
        """Keep a final result's messages before anyone hears of them, then publish and analyse."""
        fresh = live.final_messages(update)
        if fresh:
            self._keep(live, fresh)
        live.publish_recognition(update, fresh)
        if not fresh:
            return
        with self._lock:
            if live.connection_id in self._analysing:
                return  # the running analysis will be followed by this one's results next time
            self._analysing.add(live.connection_id)
        self._work.submit(self._analyse_live, live)

    def _keep(self, live: LiveSession, messages: list[LiveMessage]) -> None:
        """Store final messages at once, on the decoder thread: so before the session's end is stored."""
        try:
            with self.runtime.session() as session:
                record.append_messages(
                    session, conversation_id=live.conversation_id, job_id=live.job_id, messages=messages
                )
        except Exception:  # still in memory: stored with the rest when the session ends
            log.exception("could not keep the messages of live session %s yet", live.connection_id)

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
            (Kind.INSIGHTS, insights, insight_key),
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

    # -- ownership -------------------------------------------------------------------------------------
    def _watch(self) -> None:
        """Heartbeats every third of the lease, dead processes' sessions every lease, idle timeouts."""
        lease = self.runtime.settings.job_lease_seconds
        next_beat = next_sweep = time.monotonic()
        while True:
            now = time.monotonic()
            if now >= next_beat:
                next_beat = now + lease / 3
                self._beat()
            if now >= next_sweep and not self._closing.is_set():
                next_sweep = now + lease
                self._adopt_orphans(lease)
            self._stop_idle()
            if self._closed.wait(min(1.0, lease / 3)):
                return

    def _beat(self) -> None:
        with self._lock:
            sessions = {live.job_id: live for live in self._sessions.values()}
            job_ids = set(sessions) | self._orphans
        try:
            with self.runtime.session() as session:
                held = record.renew(session, job_ids=job_ids, owner=self.owner)
        except Exception:  # a database hiccup: the next beat comes well before the lease runs out
            log.warning("could not renew the live sessions' heartbeat", exc_info=True)
            return
        for job_id in set(sessions) - held:
            self.stop(sessions[job_id], "this server stalled and another one took the session over")

    def _adopt_orphans(self, lease: float) -> None:
        try:
            with self.runtime.session() as session:
                taken = record.take_orphans(session, owner=self.owner, lease_seconds=lease)
            for job_id in taken:
                log.info("ending live job %s, left in progress by a server that stopped", job_id)
                with self._lock:
                    self._orphans.add(job_id)
                self._work.submit(self._end_orphan, job_id)
        except Exception:  # taken but not ended (closing, or the database failed): retaken after a lease
            log.warning("could not end the live sessions a stopped server left", exc_info=True)

    def _end_orphan(self, job_id: str) -> None:
        ending = Ending(job_id, self.owner, CUT_SHORT)
        try:
            end_session(self.runtime, ending)
        except SessionTaken:
            log.warning("live job %s was taken over by another process while ending it", job_id)
        except Exception as error:
            log.exception("could not end live job %s", job_id)
            self._fail_quietly(ending, f"the conversation could not be stored: {error}")
        finally:
            with self._lock:
                self._orphans.discard(job_id)

    def _stop_idle(self) -> None:
        with self._lock:
            sessions = list(self._sessions.values())
        for live in sessions:
            limit = live.options.noConnectionTimeout
            if limit and live.stop_reason is None and time.monotonic() - live.last_audio_at > limit:
                self.stop(live, f"no audio for {limit:g} s (noConnectionTimeout)")


def insight_key(item: Insight) -> str:
    """What identifies an insight as sent: a reply that takes a request on later ("I'll do that") changes
    the item's assignee and messages, and the client is sent the item again, under the same id."""
    assignee = item.assignee.name if item.assignee else ""
    return f"insight:{item.type}:{item.text}:{assignee}:{','.join(item.messageIds)}"


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
