"""Settings, read once from the environment (`PARLEY_` prefix).

The defaults are the embedded set-up: everything lives in one data folder (SQLite database, media, keys)
and jobs run inside the server process.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

GIB = 1024**3


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_", extra="ignore")

    data_dir: Path = Field(default=Path("./parley-data"), description="Database, media and keys live here")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default: SQLite in data_dir")
    secret_key: str | None = Field(default=None, description="Signs access tokens; default: kept in data_dir")

    token_ttl_seconds: int = 86_400
    workers: int = Field(default=1, description="Jobs run at once inside `parley serve`")
    max_concurrent_jobs_per_app: int = 50
    job_lease_seconds: float = Field(
        default=30.0, description="A running job not heartbeating for this long is retried"
    )
    job_max_attempts: int = 3

    max_upload_bytes: int = 2 * GIB
    max_download_bytes: int = 2 * GIB
    download_timeout_seconds: float = 600.0
    allow_private_urls: bool = False

    whisper_model: str | None = Field(default=None, description="Path or name; default: bundled tiny.en")
    whisper_device: str = "auto"
    whisper_compute_type: str = "default"
    whisper_cpu_threads: int = 0
    whisper_beam_size: int = 5
    diarizer_cpu_threads: int = 0  # 0: ONNX Runtime's default (one per core)

    # Abstractive summaries and action items: any OpenAI-compatible chat endpoint; without one, summaries
    # are extractive and action items come from the rules alone.
    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_api_key: str | None = None
    llm_timeout_seconds: float = 60.0
    llm_action_items: bool = True  # false: the endpoint writes summaries only

    webhook_max_attempts: int = 6

    # The Claap-compatible Recordings API (/v1/recordings).
    public_url: str | None = Field(
        default=None, description="Base URL clients reach Parley at (upload URLs); default: the request's"
    )
    claap_max_recordings_per_author: int = 50
    claap_quota_window_days: float = 30.0
    claap_max_upload_bytes: int = 2 * GIB
    claap_upload_url_ttl_seconds: int = 86_400
    tune_allocator: bool = Field(default=True, description="Trade ~0.35 GB of memory for less ASR page churn")

    # Scale-out (docs/DEPLOY.md): where jobs run, where media lives, how many database connections.
    runner: Literal["local", "celery"] = Field(
        default="local", description="local: threads inside `parley serve`; celery: `parley worker` processes"
    )
    broker_url: str | None = Field(default=None, description="Celery broker: redis://... or amqp://...")
    requeue_seconds: float = Field(
        default=30.0, description="Workers re-publish jobs whose message was lost after this long"
    )
    storage_url: str | None = Field(default=None, description="s3://bucket/prefix; default: data_dir/media")
    s3_endpoint_url: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    s3_region: str | None = None
    db_pool_size: int = Field(default=10, description="Connections each process keeps open (PostgreSQL)")
    db_max_overflow: int = Field(default=20, description="Extra connections a process may open at peaks")
    db_pool_recycle_seconds: int = 1800

    # Live streams (/v1/streaming) and telephony (/v1/endpoint:connect).
    live_max_lag_seconds: float = Field(
        default=5.0, description="A live stream whose recognition falls this far behind is told so"
    )
    sip_trunk: str | None = Field(default=None, description="SIP URI pstn calls go through: sip:host[:port]")
    sip_username: str | None = None
    sip_password: str | None = None
    sip_outbound_proxy: str | None = Field(default=None, description="sip:host[:port] every call is sent via")
    sip_local_ip: str = Field(default="127.0.0.1", description="Address the SIP/RTP ports listen on")
    sip_answer_timeout_seconds: float = 60.0
    smtp_url: str | None = Field(
        default=None,
        description="smtp://[user:pass@]host[:port][?starttls=true] or smtps://...: summary mail",
    )
    smtp_from: str = "parley@localhost"

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'parley.db').resolve()}"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def tmp_dir(self) -> Path:
        return self.data_dir / "tmp"

    def token_secret(self) -> str:
        """The token-signing key: the configured one, or one created once and kept in the data folder."""
        if self.secret_key:
            return self.secret_key
        key_file = self.data_dir / "secret.key"
        if not key_file.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
