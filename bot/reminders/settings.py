"""Settings of the reminder worker (docs/configuration.md): read from the environment by
pydantic-settings, the same rules for `coach serve` and `coach shell`."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ReminderSettings(BaseSettings):
    """The reminder worker: `coach serve`'s, and the terminal's in `coach shell`."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    enabled: bool = Field(default=True, alias="COACH_REMINDERS")  # off: this replica runs no worker
    poll_seconds: float = Field(default=5.0, alias="COACH_REMINDER_POLL_SECONDS", gt=0, le=3600)
    lease_seconds: float = Field(default=120.0, alias="COACH_REMINDER_LEASE_SECONDS", ge=5, le=86400)
