"""Settings from the environment and an optional .env file (pydantic-settings)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from platformdirs import user_data_dir
from pydantic import BaseModel, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

T = TypeVar("T", bound=BaseModel)


class SettingsError(ValueError):
    """A setting that does not validate. The text names the variables and what is wrong with
    them, never their values (a value may be a secret)."""


def describe(exc: ValidationError) -> str:
    problems = [
        f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}"
        for e in exc.errors(include_input=False, include_url=False, include_context=False)
    ]
    return "; ".join(problems)


def load(cls: type[T], **values: Any) -> T:
    """`cls(**values)`, with a validation error turned into a SettingsError naming the variable."""
    try:
        return cls(**values)
    except ValidationError as exc:
        raise SettingsError(describe(exc)) from None


def default_database_url() -> str:
    path = Path(user_data_dir("deal-coach", appauthor=False)) / "coach.db"
    return f"sqlite:///{path}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    database_url: str = Field(default_factory=default_database_url, alias="COACH_DATABASE_URL")
    timezone: str = Field(default="UTC", alias="COACH_TIMEZONE")
    log_level: str = Field(default="INFO", alias="COACH_LOG_LEVEL")
    # At most a Slack message's own limit: typed text reaches a skill as its payload's `rest`,
    # which holds that much (bot/actions.py `Message`).
    max_message_chars: int = Field(default=8000, alias="COACH_MAX_MESSAGE_CHARS", ge=100, le=40_000)
    host: str = Field(default="0.0.0.0", alias="COACH_HOST")
    port: int = Field(default=3978, alias="PORT")
    # Where `coach serve` runs is the operator's call (cpuset, orchestrator): "off" by default;
    # a CPU number pins it there, "auto" picks one by pid (not in containers: all are PID 1).
    cpu_affinity: str = Field(default="off", alias="COACH_CPU_AFFINITY")
    # Operations (docs/operations.md): /metrics, who may read it, and the access log.
    metrics: bool = Field(default=True, alias="COACH_METRICS")
    metrics_token: SecretStr | None = Field(default=None, alias="COACH_METRICS_TOKEN")
    metrics_port: int | None = Field(default=None, alias="COACH_METRICS_PORT", ge=1, le=65535)
    metrics_host: str | None = Field(default=None, alias="COACH_METRICS_HOST")
    access_log: bool = Field(default=True, alias="COACH_ACCESS_LOG")
    # Where the free-text classifiers' trained weights are cached (default: user cache dir).
    model_cache: str = Field(default="", alias="COACH_MODEL_CACHE")
    # The inbox of acknowledged turns (adapters/inbox.py, docs/reliability.md).
    inbox_lease_seconds: float = Field(default=30.0, gt=0, alias="COACH_INBOX_LEASE_SECONDS")
    inbox_poll_seconds: float = Field(default=1.0, gt=0, alias="COACH_INBOX_POLL_SECONDS")
    inbox_concurrency: int = Field(default=16, ge=1, alias="COACH_INBOX_CONCURRENCY")
    drain_seconds: float = Field(default=10.0, ge=0, alias="COACH_DRAIN_SECONDS")
    # Database connections one process keeps open (unset: the inbox's concurrency plus 4, for
    # the inserts of requests in flight and the workers). A pool smaller than the turns in
    # flight opens and closes a connection for the overflow, several ms of CPU each on PostgreSQL.
    database_pool_size: int | None = Field(default=None, ge=1, alias="COACH_DATABASE_POOL_SIZE")

    @property
    def pool_size(self) -> int:
        return self.database_pool_size or self.inbox_concurrency + 4


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load(Settings)
