"""/metrics of `coach serve`: turns by surface and outcome, the reminder queue read from the
database at scrape time (never on the turn path), the optional inbox gauge, the bearer token and
the separate listener, and registries that never mix between two apps in one process."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from adapters.metrics import METRICS
from adapters.runtime import Runtime, Serving
from adapters.server import build_app, metrics_app
from bot.db.engine import write_session
from bot.db.models import Tenant
from bot.reminders import store
from bot.reminders.policy import Planned
from bot.reply import Reply
from bot.settings import Settings
from bot.turn import Turn
from tests.metrics_scrape import Samples, names, parse, value

ROOT = Path(__file__).resolve().parents[1]


class Served:
    def __init__(self, rt: Runtime, client: TestClient) -> None:
        self.rt, self.client = rt, client

    async def say(self, text: str = "", *, action: dict | None = None, event_id: str | None = None) -> Reply:
        turn = Turn(
            platform="console", tenant="t1", conversation="c1", user="u1", text=text, action=action,
            event_id=event_id,
        )  # fmt: skip
        return await self.rt.handle(turn)  # type: ignore[return-value]

    async def scrape(self, **headers: str) -> Samples:
        resp = await self.client.get("/metrics", headers=headers)
        assert resp.status == 200, await resp.text()
        return parse(await resp.text())


Start = Callable[..., Awaitable[Served]]


@pytest.fixture
async def start(clock) -> AsyncIterator[Start]:
    made: list[Served] = []

    async def start_(url: str, **settings: str) -> Served:
        rt = await Runtime.start(Settings(COACH_DATABASE_URL=url, **settings), clock=clock, serving=Serving())
        client = TestClient(TestServer(await build_app(rt)))
        await client.start_server()
        made.append(Served(rt, client))
        return made[-1]

    yield start_
    for s in made:
        await s.client.close()
        await s.rt.close()


async def _plan(served: Served, *dues: timedelta) -> None:
    now = served.rt.coach.clock()
    async with write_session(served.rt.sessions) as session:
        tenant = (await session.execute(select(Tenant.id).where(Tenant.external_id == "t1"))).scalar_one()
        planned = [
            Planned(kind="follow_up", due_at=now + due, key=f"metrics-test:{i}", payload={"until": ""})
            for i, due in enumerate(dues)
        ]
        await store.schedule(session, planned, tenant_id=tenant, deal_id=None, conversation_id=None, now=now)


async def test_turn_outcomes_and_the_reminder_queue(db_url, start, clock):
    served = await start(db_url)
    assert (await served.say("deal new Woodgrove EA renewal")).intent == "deal.new"
    await served.say("help", event_id="ev-1")
    assert await served.say("help", event_id="ev-1") is None  # the same event again
    assert (await served.say(action={"intent": 7})).intent == "error"
    assert (await served.say("   ")).intent == "empty"
    # Two reminders overdue by 90 and 30 minutes, one not due yet.
    await _plan(served, timedelta(minutes=-90), timedelta(minutes=-30), timedelta(hours=5))

    page = await served.scrape()
    assert value(page, "coach_turns_total", surface="console", outcome="ok") == 2
    assert value(page, "coach_turns_total", surface="console", outcome="duplicate") == 1
    assert value(page, "coach_turns_total", surface="console", outcome="error") == 1
    assert value(page, "coach_turns_total", surface="console", outcome="rejected") == 1
    assert value(page, "coach_turn_seconds_count", surface="console") == 5
    assert value(page, "coach_database_gauges_up") == 1
    assert value(page, "coach_reminders_due") == 2
    assert value(page, "coach_reminder_lag_seconds") == 90 * 60

    clock.advance(hours=6)  # now the third is due too, and the oldest has waited 7.5 hours
    page = await served.scrape()
    assert value(page, "coach_reminders_due") == 3
    assert value(page, "coach_reminder_lag_seconds") == 7.5 * 3600


async def test_the_inbox_gauge_appears_once_a_provider_is_registered(sqlite_url, start):
    served = await start(sqlite_url)
    served.client.app[METRICS].database.inbox_depth = None  # whatever provider this build wired
    assert "coach_inbox_depth" not in names(await served.scrape())

    async def depth() -> int:
        return 4

    served.client.app[METRICS].database.inbox_depth = depth
    assert value(await served.scrape(), "coach_inbox_depth") == 4


async def test_a_slow_database_read_is_cut_off_and_the_scrape_still_answers(sqlite_url, start):
    served = await start(sqlite_url)
    await served.say("help")

    async def stuck() -> int:
        await asyncio.sleep(30)
        return 0

    served.client.app[METRICS].database.inbox_depth = stuck
    served.client.app[METRICS].database.timeout = 0.3
    started = time.monotonic()
    page = await served.scrape()
    assert time.monotonic() - started < 5
    assert value(page, "coach_database_gauges_up") == 0
    assert "coach_reminders_due" not in names(page)  # left out, not a stale or made-up figure
    assert value(page, "coach_turns_total", surface="console", outcome="ok") == 1


async def test_a_metrics_token_is_required_when_set(sqlite_url, start):
    served = await start(sqlite_url, COACH_METRICS_TOKEN="scrape-me-please")
    assert (await served.client.get("/metrics")).status == 401
    wrong = await served.client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status == 401
    assert "scrape-me-please" not in await wrong.text()
    page = await served.scrape(Authorization="Bearer scrape-me-please")
    assert value(page, "coach_database_gauges_up") == 1


async def test_a_metrics_port_moves_metrics_off_the_public_listener(sqlite_url, start):
    served = await start(sqlite_url, COACH_METRICS_PORT="9464")
    assert (await served.client.get("/metrics")).status == 404
    await served.say("help")
    async with TestClient(TestServer(metrics_app(served.client.app))) as private:
        resp = await private.get("/metrics")
        page = parse(await resp.text())
        assert value(page, "coach_turns_total", surface="console", outcome="ok") == 1
        assert (await private.get("/readyz")).status == 404  # only /metrics lives there


async def test_two_apps_in_one_process_keep_their_own_counts(tmp_path, sqlite_template, start):
    import shutil

    urls = []
    for name in ("a", "b"):
        shutil.copy(sqlite_template, tmp_path / f"{name}.db")
        urls.append(f"sqlite:///{tmp_path}/{name}.db")
    a, b = await start(urls[0]), await start(urls[1])
    await a.say("help")
    await a.say("help")
    await b.say("help")
    assert value(await a.scrape(), "coach_turns_total", surface="console", outcome="ok") == 2
    assert value(await b.scrape(), "coach_turns_total", surface="console", outcome="ok") == 1


def test_the_shell_does_not_load_prometheus_client(tmp_path):
    code = (
        "import sys; from adapters.console.cli import main; "
        "rc = main(['ask', 'help']); print('prometheus_client' in sys.modules, rc)"
    )
    env = {**os.environ, "COACH_DATABASE_URL": f"sqlite:///{tmp_path}/shell.db", "HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "False 0"
