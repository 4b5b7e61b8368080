"""Two real `coach serve` processes on one PostgreSQL database, with the Teams configuration from
the environment (JWT on: keys from the loopback issuer, outgoing tokens from a loopback endpoint;
`python -m tests.teams.loopback serve` installs both, see tests/teams/loopback.py). The same
activity posted to both, and resent, is answered once at the loopback Bot Connector."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.serving import Served, serving
from tests.teams.conftest import APP_ID, TENANT_A, Connector, Issuer, message, token_url
from tests.teams.loopback import METADATA_URL_ENV, TOKEN_URL_ENV


def serve_env(db_url: str, issuer: Issuer, connector: Connector) -> dict[str, str]:
    ours = ("COACH_", "CONNECTIONS__", "OPENAI", "AZURE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update(
        {
            "COACH_DATABASE_URL": db_url,
            "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": APP_ID,
            "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET": "test-secret",
            "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID": TENANT_A,
            "COACH_TEAMS_ALLOWED_TENANTS": TENANT_A,
            "COACH_TEAMS_ALLOW_LOOPBACK_SERVICE_URL": "1",
            METADATA_URL_ENV: f"{issuer.base}/.well-known/openid-configuration",
            TOKEN_URL_ENV: token_url(connector),
            "COACH_REMINDERS": "off",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@pytest.fixture
async def two_servers(
    pg_url: str, issuer: Issuer, connector: Connector, tmp_path: Path
) -> AsyncIterator[list[Served]]:
    async with serving(serve_env(pg_url, issuer, connector), tmp_path) as servers:
        yield servers


async def post(session: aiohttp.ClientSession, served: Served, act: dict, token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    timeout = aiohttp.ClientTimeout(total=60)
    async with session.post(f"{served.url}/api/messages", json=act, headers=headers, timeout=timeout) as r:
        await r.read()
        return r.status


async def test_same_activity_to_two_processes_is_answered_once(
    two_servers: list[Served], issuer: Issuer, connector: Connector
) -> None:
    a, b = two_servers
    token = issuer.token(service_url=connector.url)
    act = message(connector, "deal new Woodgrove EA renewal", activity_id="both-replicas-1")
    async with aiohttp.ClientSession() as session:
        statuses = await asyncio.gather(post(session, a, act, token), post(session, b, act, token))
        statuses.append(await post(session, b, act, token))  # and a resend later
        assert statuses == [202, 202, 202], (a.tail(), b.tail())
        assert len(connector.messages) == 1
        assert connector.auth_headers[-1] == "Bearer outgoing-token"  # from the stand-in token endpoint

        # the next message lands on the other process and sees the same deal
        follow = message(connector, "deal show", activity_id="both-replicas-2")
        assert await post(session, a, follow, token) == 202
        assert len(connector.messages) == 2

        # JWT is enforced in these processes: the SDK's check, with the loopback keys
        for bad in (None, "garbage", issuer.token(aud="someone-else"), issuer.token(exp_in=-600)):
            assert await post(session, b, message(connector, "help"), bad) == 401
    assert len(connector.messages) == 2
