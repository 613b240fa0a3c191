"""Settings, read once from the environment (`PARLEY_` prefix).

The defaults are the embedded set-up: everything lives in one data folder (SQLite database, media, keys)
and jobs run inside the server process.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

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

    webhook_max_attempts: int = 6
    tune_allocator: bool = Field(default=True, description="Trade ~0.35 GB of memory for less ASR page churn")

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
