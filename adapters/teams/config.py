"""Teams settings: the SDK's CONNECTIONS__SERVICE_CONNECTION__SETTINGS__* variables plus ours
(COACH_TEAMS_*), both read through pydantic-settings like every other setting (the process
environment and .env, by the same rules)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.settings import load


class TeamsSettings(BaseSettings):
    """Our COACH_TEAMS_* variables (docs/configuration.md). The app registration itself comes from
    the SDK's own CONNECTIONS__SERVICE_CONNECTION__SETTINGS__* variables, read by the SDK."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    anonymous_dev: bool = Field(default=False, alias="COACH_TEAMS_ANONYMOUS_DEV")
    allowed_tenants: str = Field(default="", alias="COACH_TEAMS_ALLOWED_TENANTS")  # comma-separated
    allow_loopback_service_url: bool = Field(default=False, alias="COACH_TEAMS_ALLOW_LOOPBACK_SERVICE_URL")
    extra_service_hosts: str = Field(default="", alias="COACH_TEAMS_EXTRA_SERVICE_HOSTS")  # comma-separated
    typing_after: float = Field(default=1.0, alias="COACH_TEAMS_TYPING_AFTER", ge=0, le=60)
    first_reply_after: float = Field(default=4.0, alias="COACH_TEAMS_FIRST_REPLY_AFTER", ge=0, le=60)
    call_timeout: float = Field(default=20.0, alias="COACH_TEAMS_CALL_TIMEOUT", gt=0, le=120)


class SdkSettings(BaseSettings):
    """The Agents SDK's own variables, `CONNECTIONS__<name>__SETTINGS__<KEY>` and
    `CONNECTIONSMAP__<n>__<KEY>`, read as they are written (names case-sensitive, values as
    strings) and handed to the SDK's `load_configuration_from_env` flat again."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,
        env_nested_delimiter="__",
        case_sensitive=True,
    )

    connections: dict[str, dict[str, dict[str, str]]] = Field(default_factory=dict, alias="CONNECTIONS")
    connections_map: dict[str, dict[str, str]] = Field(default_factory=dict, alias="CONNECTIONSMAP")

    def flat(self) -> dict[str, str]:
        out = {
            f"CONNECTIONS__{name}__{group}__{key}": value
            for name, groups in self.connections.items()
            for group, keys in groups.items()
            for key, value in keys.items()
        }
        out |= {
            f"CONNECTIONSMAP__{n}__{key}": value
            for n, keys in self.connections_map.items()
            for key, value in keys.items()
        }
        return out


def sdk_environment() -> dict[str, str]:
    """The SDK's variables from the environment and .env, as the SDK's loader takes them."""
    return load(SdkSettings).flat()


def _csv(value: str) -> frozenset[str]:
    return frozenset(p.strip().lower() for p in value.split(",") if p.strip())


@dataclass
class TeamsConfig:
    sdk: dict[str, Any]  # load_configuration_from_env(...) output
    anonymous: bool = False  # COACH_TEAMS_ANONYMOUS_DEV: no JWT check, local development only
    allowed_tenants: frozenset[str] = frozenset()  # empty: any tenant (logged at start)
    allow_loopback: bool = False  # COACH_TEAMS_ALLOW_LOOPBACK_SERVICE_URL: tests only
    extra_hosts: frozenset[str] = frozenset()  # COACH_TEAMS_EXTRA_SERVICE_HOSTS
    typing_after: float = 1.0  # seconds before a typing indicator is sent
    first_reply_after: float = 4.0  # seconds before a "working on it" reply is sent
    drain_seconds: float = 30.0  # at shutdown, how long to wait for turns finishing in the background
    retry_base: float = 0.5  # first backoff step for 429/5xx from the connector
    retry_attempts: int = 4
    # Seconds a connector call may take; a new post that times out is not retried (it may be there).
    call_timeout: float = 20.0
    # None: the SDK's MSAL provider. Tests put a loopback token endpoint here (tests/teams/loopback.py).
    token_provider_factory: Callable[[Any], Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def settings(self) -> dict[str, Any]:
        return self.sdk.get("CONNECTIONS", {}).get("SERVICE_CONNECTION", {}).get("SETTINGS", {}) or {}

    @property
    def app_id(self) -> str:
        return str(self.settings.get("CLIENTID") or "")

    @property
    def tenant_id(self) -> str:
        return str(self.settings.get("TENANTID") or "")

    @property
    def configured(self) -> bool:
        return bool(self.app_id)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TeamsConfig:
        """From the process environment and .env, or from `env` alone when given (tests)."""
        from microsoft_agents.activity import load_configuration_from_env

        if env is None:
            env, ours = sdk_environment(), load(TeamsSettings)
        else:
            env = dict(env)
            names = {f.alias for f in TeamsSettings.model_fields.values()}
            ours = load(
                TeamsSettings, _env_file=None, **{k: v for k, v in env.items() if k in names and v != ""}
            )
        sdk_env = {k: v for k, v in env.items() if k.startswith(("CONNECTIONS__", "CONNECTIONSMAP__"))}
        return cls(
            sdk=load_configuration_from_env(sdk_env),
            anonymous=ours.anonymous_dev,
            allowed_tenants=_csv(ours.allowed_tenants),
            allow_loopback=ours.allow_loopback_service_url,
            extra_hosts=_csv(ours.extra_service_hosts),
            typing_after=ours.typing_after,
            first_reply_after=ours.first_reply_after,
            call_timeout=ours.call_timeout,
        )
