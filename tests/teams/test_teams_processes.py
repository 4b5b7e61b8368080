"""Two real `python -m adapters.console serve` processes on one PostgreSQL database, with the
Teams configuration from the environment (JWT on: keys from the loopback issuer via
COACH_TEAMS_OPENID_METADATA_URL, outgoing tokens from COACH_TEAMS_TOKEN_URL). The same activity
posted to both, and resent, is answered once at the loopback Bot Connector."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from tests.teams.conftest import APP_ID, TENANT_A, Connector, Issuer, message, token_url

ROOT = Path(__file__).resolve().parents[2]
START_DEADLINE = 120.0  # a loaded 2-core machine imports the SDK slowly


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    proc: asyncio.subprocess.Process
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


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
            "COACH_TEAMS_OPENID_METADATA_URL": f"{issuer.base}/.well-known/openid-configuration",
            "COACH_TEAMS_TOKEN_URL": token_url(connector),
            "COACH_REMINDERS": "off",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


async def start(env: dict[str, str], log: Path) -> Served:
    port = free_port()
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "adapters.console", "serve", "--host", "127.0.0.1", "--port", str(port),
            cwd=ROOT, env=env, stdout=out, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
    return Served(proc, port, log)


async def wait_healthy(served: Served, session: aiohttp.ClientSession) -> None:
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        if served.proc.returncode is not None:
            pytest.fail(f"serve exited with {served.proc.returncode}:\n{served.output()}")
        try:
            async with session.get(f"{served.url}/healthz", timeout=aiohttp.ClientTimeout(total=5)) as r:
                if r.status == 200:
                    return
        except (aiohttp.ClientError, TimeoutError):
            pass
        await asyncio.sleep(0.2)
    pytest.fail(f"serve on port {served.port} not healthy after {START_DEADLINE}s:\n{served.output()}")


async def stop(served: Served) -> None:
    if served.proc.returncode is None:
        served.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(served.proc.wait(), timeout=30)
        except TimeoutError:
            served.proc.kill()
            await served.proc.wait()


@pytest.fixture
async def two_servers(
    pg_url: str, issuer: Issuer, connector: Connector, tmp_path: Path
) -> AsyncIterator[list[Served]]:
    env = serve_env(pg_url, issuer, connector)
    servers = [await start(env, tmp_path / f"serve-{n}.log") for n in (1, 2)]
    try:
        async with aiohttp.ClientSession() as session:
            await asyncio.gather(*(wait_healthy(s, session) for s in servers))
        yield servers
    finally:
        await asyncio.gather(*(stop(s) for s in servers))


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
        assert statuses == [202, 202, 202], (a.output(), b.output())
        assert len(connector.messages) == 1
        assert connector.auth_headers[-1] == "Bearer outgoing-token"  # from COACH_TEAMS_TOKEN_URL

        # the next message lands on the other process and sees the same deal
        follow = message(connector, "deal show", activity_id="both-replicas-2")
        assert await post(session, a, follow, token) == 202
        assert len(connector.messages) == 2

        # JWT is enforced in these processes: the SDK's check, with the loopback keys
        for bad in (None, "garbage", issuer.token(aud="someone-else"), issuer.token(exp_in=-600)):
            assert await post(session, b, message(connector, "help"), bad) == 401
    assert len(connector.messages) == 2
