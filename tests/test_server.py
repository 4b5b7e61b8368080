"""`coach serve` health probes: /livez is the process, /readyz (and its alias /healthz) is the
database answering, the schema at the migrations' head and the knowledge loaded."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from adapters.runtime import Runtime
from adapters.server import build_app
from bot.db.migrate import downgrade, upgrade
from bot.knowledge import Knowledge
from bot.settings import Settings
from tests.serving import free_port

READY = {"status": "ok", "database": "ok", "migrations": "ok", "knowledge": "ok"}

Probe = Callable[[str], Awaitable[tuple[int, dict]]]


@pytest.fixture
async def served() -> AsyncIterator[Callable[[Runtime], Awaitable[Probe]]]:
    clients: list[TestClient] = []
    runtimes: list[Runtime] = []

    async def serve(rt: Runtime) -> Probe:
        runtimes.append(rt)
        client = TestClient(TestServer(await build_app(rt)))
        await client.start_server()
        clients.append(client)

        async def probe(path: str) -> tuple[int, dict]:
            resp = await client.get(path)
            return resp.status, await resp.json()

        return probe

    yield serve
    for c in clients:
        await c.close()
    for rt in runtimes:
        await rt.close()


async def test_a_migrated_database_is_ready(db_url, served):
    probe = await served(await Runtime.start(Settings(COACH_DATABASE_URL=db_url)))
    assert await probe("/livez") == (200, {"status": "ok"})
    assert await probe("/readyz") == (200, READY)
    assert await probe("/healthz") == (200, READY)  # the old name, kept as an alias


async def test_a_schema_behind_head_is_not_ready_until_upgraded(db_url, served):
    probe = await served(await Runtime.start(Settings(COACH_DATABASE_URL=db_url)))
    await asyncio.to_thread(downgrade, db_url, "-1")
    status, body = await probe("/readyz")
    assert (status, body["migrations"], body["database"]) == (503, "behind head", "ok")
    assert await probe("/livez") == (200, {"status": "ok"})  # alive all the same: no restart
    await asyncio.to_thread(upgrade, db_url)
    assert await probe("/readyz") == (200, READY)


async def test_a_schema_from_newer_code_is_named(db_url, served):
    rt = await Runtime.start(Settings(COACH_DATABASE_URL=db_url))
    probe = await served(rt)
    async with rt.engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    status, body = await probe("/readyz")
    assert (status, body["migrations"]) == (503, "ahead of this code")


async def test_an_unmigrated_database_is_not_ready(tmp_path, served):
    probe = await served(
        await Runtime.start(Settings(COACH_DATABASE_URL=f"sqlite:///{tmp_path}/empty.db"), migrate=False)
    )
    status, body = await probe("/readyz")
    assert (status, body["migrations"]) == (503, "not migrated")


async def test_an_unreachable_database_is_named_without_its_password(served, caplog):
    caplog.set_level(logging.DEBUG)
    url = f"postgresql://coach:pw-PLANTED-7781@127.0.0.1:{free_port()}/coach"
    probe = await served(await Runtime.start(Settings(COACH_DATABASE_URL=url), migrate=False))
    assert await probe("/livez") == (200, {"status": "ok"})
    status, body = await probe("/readyz")
    assert status == 503
    assert body == {
        "status": "not ready",
        "database": "unavailable",
        "migrations": "unknown",
        "knowledge": "ok",
    }
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "readiness: database unavailable" in logged
    assert "pw-PLANTED-7781" not in str(body) + logged


async def test_knowledge_that_is_not_loaded_is_not_ready(sqlite_url, served):
    rt = await Runtime.start(Settings(COACH_DATABASE_URL=sqlite_url))
    probe = await served(replace(rt, kb=Knowledge(rules={}, intents=[], facts={}, roles={})))
    status, body = await probe("/readyz")
    assert (status, body["knowledge"], body["database"]) == (503, "not loaded", "ok")
