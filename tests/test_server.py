"""`coach serve`: the one aiohttp server answers /healthz."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from adapters.runtime import Runtime
from adapters.server import build_app
from bot.settings import Settings


async def test_healthz_reports_the_database(db_url):
    rt = await Runtime.start(Settings(COACH_DATABASE_URL=db_url))
    try:
        async with TestClient(TestServer(await build_app(rt))) as client:
            resp = await client.get("/healthz")
            assert resp.status == 200
            assert await resp.json() == {"status": "ok", "database": "ok"}
    finally:
        await rt.close()
