"""Teams settings: the SDK's CONNECTIONS__SERVICE_CONNECTION__SETTINGS__* variables plus ours."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("coach.teams")

TRUE = {"1", "true", "yes", "on"}


def _flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in TRUE


def _csv(env: Mapping[str, str], name: str) -> frozenset[str]:
    return frozenset(p.strip().lower() for p in env.get(name, "").split(",") if p.strip())


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
    # Tests swap the MSAL token provider for one that calls a loopback token endpoint.
    token_provider_factory: Callable[[Any], Any] | None = None
    # COACH_TEAMS_OPENID_METADATA_URL: tests only, loopback only (adapters/teams/loopback.py)
    openid_metadata_url: str = ""
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
        from microsoft_agents.activity import load_configuration_from_env

        from adapters.teams.security import is_loopback_url

        env = dict(os.environ if env is None else env)
        sdk_env = {k: v for k, v in env.items() if k.startswith(("CONNECTIONS__", "CONNECTIONSMAP__"))}
        metadata, token_url, factory = env.get("COACH_TEAMS_OPENID_METADATA_URL", ""), "", None
        if metadata and not is_loopback_url(metadata):
            log.error("COACH_TEAMS_OPENID_METADATA_URL ignored: loopback URLs only (tests)")
            metadata = ""
        token_url = env.get("COACH_TEAMS_TOKEN_URL", "")
        if token_url and not is_loopback_url(token_url):
            log.error("COACH_TEAMS_TOKEN_URL ignored: loopback URLs only (tests)")
        elif token_url:
            from adapters.teams.loopback import token_provider_for

            factory = token_provider_for(token_url)
        return cls(
            sdk=load_configuration_from_env(sdk_env),
            anonymous=_flag(env, "COACH_TEAMS_ANONYMOUS_DEV"),
            allowed_tenants=_csv(env, "COACH_TEAMS_ALLOWED_TENANTS"),
            allow_loopback=_flag(env, "COACH_TEAMS_ALLOW_LOOPBACK_SERVICE_URL"),
            extra_hosts=_csv(env, "COACH_TEAMS_EXTRA_SERVICE_HOSTS"),
            typing_after=float(env.get("COACH_TEAMS_TYPING_AFTER", "1.0")),
            first_reply_after=float(env.get("COACH_TEAMS_FIRST_REPLY_AFTER", "4.0")),
            call_timeout=float(env.get("COACH_TEAMS_CALL_TIMEOUT", "20")),
            token_provider_factory=factory,
            openid_metadata_url=metadata,
        )
