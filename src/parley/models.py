"""Database tables (SQLAlchemy 2). Every row that a client can read belongs to an app."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite hands back naive ones otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        # SQLite keeps text without a zone: store naive UTC so string order is time order.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, list[str]: JSON, datetime: UTCDateTime}


class JobStatus(enum.StrEnum):
    """Symbl's job states, in the order a job passes through them."""

    scheduled = "scheduled"  # accepted, waiting for a worker
    in_progress = "in_progress"  # a worker holds its lease
    completed = "completed"  # results are readable
    failed = "failed"  # `error` says why


class App(Base):
    __tablename__ = "apps"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(300))
    webhook_secret: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    app_id: Mapped[str] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(500))
    type: Mapped[str] = mapped_column(String(20))
    start_time: Mapped[datetime] = mapped_column(default=utcnow)
    end_time: Mapped[datetime | None]
    duration: Mapped[float] = mapped_column(Float, default=0.0)
    language: Mapped[str | None] = mapped_column(String(20))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[Member]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", order_by="Member.position"
    )
    messages: Mapped[list[MessageRow]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", order_by="MessageRow.position"
    )


class Member(Base):
    __tablename__ = "members"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    job_id: Mapped[str | None] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(300))
    user_id: Mapped[str | None] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)

    conversation: Mapped[Conversation] = relationship(back_populates="members")


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation_position", "conversation_id", "position"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    job_id: Mapped[str | None] = mapped_column(String(64), index=True)
    member_id: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    channel: Mapped[int | None]
    # [[text, start, end, score], ...]: one JSON value keeps a long meeting to one row per sentence.
    words: Mapped[list[Any]] = mapped_column(default=list)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class LiveSpeakerEvent(Base):
    """A speaker event pushed to a live session (`POST /v1/event`), kept as it arrives: a session ended by
    another process, after its own died, attributes its messages by them as the live one would have."""

    __tablename__ = "live_speaker_events"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # started_speaking | stopped_speaking
    offset_seconds: Mapped[float] = mapped_column(Float)
    user_key: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(300))
    user_id: Mapped[str | None] = mapped_column(String(300))


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_lease", "status", "lease_expires_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    app_id: Mapped[str] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # audio | video | text
    append: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.scheduled)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source_url: Mapped[str | None] = mapped_column(Text)
    # Text jobs: the submitted messages, exactly as given.
    text_messages: Mapped[list[Any] | None]
    # Text jobs: the instant message times count from (None: the earliest message's startTime).
    time_origin: Mapped[datetime | None]
    media_path: Mapped[str | None] = mapped_column(Text)
    # Container families the media must be in ("mp4", "webm", ...); None accepts anything FFmpeg reads.
    media_formats: Mapped[list[str] | None]
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker_id: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None]
    # A custom instruction for the abstractive summary (a VideoSDK recording's summary.prompt).
    summary_prompt: Mapped[str | None] = mapped_column(Text)


class ConversationAnalysis(Base):
    """What the intel stages found in a conversation, replaced whole after every job on it.

    One JSON document (see `parley.intel.model.Analysis`): it is always read and written whole, and it
    refers to messages by id and to speakers through their messages, so renames and re-attribution follow.
    """

    __tablename__ = "conversation_analyses"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    job_id: Mapped[str | None] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Tracker(Base):
    """A managed tracker: a named list of phrases whose meaning is looked for in conversations."""

    __tablename__ = "trackers"
    __table_args__ = (Index("ux_trackers_app_name", "app_id", "name", unique=True),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    app_id: Mapped[str] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    vocabulary: Mapped[list[str]] = mapped_column(default=list)
    description: Mapped[str | None] = mapped_column(Text)
    categories: Mapped[list[str]] = mapped_column(default=list)
    languages: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Workspace(Base):
    """A Claap-style workspace. Its recordings' conversations and jobs belong to `app_id`, an internal app
    whose secret hash is unusable, so no Symbl token can ever be issued for it."""

    __tablename__ = "workspaces"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    app_id: Mapped[str] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"), index=True)
    crm: Mapped[str | None] = mapped_column(String(40))  # the CRM deals may refer to ("attio", ...)
    webhook_url: Mapped[str | None] = mapped_column(Text)
    webhook_secret: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkspaceRole(enum.StrEnum):
    admin = "admin"
    member = "member"
    viewer = "viewer"  # may read, may not create recordings


class WorkspaceUser(Base):
    __tablename__ = "workspace_users"
    __table_args__ = (Index("ux_workspace_users_workspace_email", "workspace_id", "email", unique=True),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(300))  # stored lower-case
    name: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default=WorkspaceRole.member)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Channel(Base):
    """A folder of recordings; the oldest one of a workspace is its default."""

    __tablename__ = "channels"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkspaceKey(Base):
    """An API key (`X-Claap-Key`), kept only as the SHA-256 of a random 256-bit key."""

    __tablename__ = "workspace_keys"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Recording(Base):
    """A conversation with a lifecycle: created empty, filled by uploads or a URL, then processed by one job.

    Its state (Empty, Uploaded, Ready, Failed) is derived from these flags and its job, never stored;
    `announced_state` only remembers the last state a webhook was sent for.
    """

    __tablename__ = "recordings"
    __table_args__ = (
        Index("ix_recordings_workspace_created", "workspace_id", "created_at"),
        Index("ix_recordings_author_created", "author_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    author_id: Mapped[str] = mapped_column(ForeignKey("workspace_users.id", ondelete="CASCADE"))
    channel_id: Mapped[str | None] = mapped_column(ForeignKey("channels.id", ondelete="SET NULL"))
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True
    )
    job_id: Mapped[str | None] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(500))
    meeting: Mapped[dict[str, Any] | None]
    deal: Mapped[dict[str, Any] | None]
    download_url: Mapped[str | None] = mapped_column(Text)
    expects_transcript: Mapped[bool] = mapped_column(default=False)
    # Set once each upload URL has been used: they are single-use.
    media_received: Mapped[bool] = mapped_column(default=False)
    transcript_received: Mapped[bool] = mapped_column(default=False)
    media_path: Mapped[str | None] = mapped_column(Text)  # blob key of the uploaded media
    transcript: Mapped[dict[str, Any] | None]  # the uploaded transcript document, as validated
    announced_state: Mapped[str] = mapped_column(String(20), default="Empty")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VideoSDKKey(Base):
    """A VideoSDK-style API key and its secret. The secret is kept as given, not hashed: HS256 tokens are
    checked by recomputing their HMAC, which needs the secret itself (like `App.webhook_secret`)."""

    __tablename__ = "videosdk_keys"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the apiKey
    app_id: Mapped[str] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"), index=True)
    secret: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Room(Base):
    """A VideoSDK-style room people join from a browser; its recordings belong to `app_id`."""

    __tablename__ = "rooms"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(20), unique=True)  # "abcd-efgh-ijkl"
    app_id: Mapped[str] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"), index=True)
    api_key: Mapped[str] = mapped_column(String(64))  # the key that created it (VideoSDK's userId)
    custom_room_id: Mapped[str | None] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RoomRecording(Base):
    """One recording of a room: started and ended through the API, then stored, uploaded and transcribed.

    `request` keeps the start request as validated (config, transcription, webhookUrl, awsDirPath, ...);
    `participants` who were recorded, in channel order; `notes` say what was skipped or fell back."""

    __tablename__ = "room_recordings"
    __table_args__ = (Index("ix_room_recordings_room_created", "room_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    room_id: Mapped[str] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    app_id: Mapped[str] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(30))
    request: Mapped[dict[str, Any]] = mapped_column(default=dict)
    participants: Mapped[list[Any]] = mapped_column(default=list)
    file_path: Mapped[str | None] = mapped_column(Text)  # blob key of the recorded file
    file_meta: Mapped[dict[str, Any] | None]
    uploads: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"s3": ..., "preSignedUrl": ...}
    job_id: Mapped[str | None] = mapped_column(String(64), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(32))
    notes: Mapped[list[str]] = mapped_column(default=list)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DeliveryState(enum.StrEnum):
    """Where a webhook in the outbox stands; a delivered one is deleted at once."""

    pending = "pending"  # due for its first attempt or a retry at `next_attempt_at`, or in flight (leased)
    failed = "failed"  # given up on (refused, a 4xx, or out of attempts); `last_error` says why


class WebhookDelivery(Base):
    """A webhook not yet delivered, or given up on: the outbox `parley.notify` delivers from.

    `seq` comes from the database, so it orders one URL's deliveries even when different machines (with
    different clocks) sent them. `id` is the X-Parley-Delivery header, the same on every attempt. The
    signing secret is not copied here: `secret_owner` ("apps" or "workspaces") and `secret_owner_id` name
    the row whose `webhook_secret` signs each attempt. `owner` is the process that sent or last tried it;
    `lease_expires_at` is set only while an attempt is in flight.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_state_seq", "state", "seq"),)

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), unique=True)
    url: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)  # the JSON exactly as signed and sent
    secret_owner: Mapped[str | None] = mapped_column(String(20))
    secret_owner_id: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20), default=DeliveryState.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
