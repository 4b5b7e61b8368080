"""Nothing Teams was told we have is lost: a turn still running when its 202 goes out (a
background turn: "Working on it…", then the answer replaces it) is in the inbox first. N notes
to a real `coach serve` process on PostgreSQL, stopped (kill -9, or SIGTERM) when half are
answered, then restarted: every note is on the deal's timeline exactly once, and no first reply
is replaced twice.

Which turns run in the background is made certain, not left to timing: the test holds an open
transaction that has inserted the event ids of every fifth note of the first half into
processed_events, so those turns wait on the unique index (holding no lock the inbox needs)
until the test lets go: after the kill, or a second into the SIGTERM drain. Figures go to
stdout (pytest -s): docs/reliability.md."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import insert

from bot.db.engine import create_engine
from bot.db.models import ProcessedEvent
from tests.inbox_load import drained, inbox_rows, notes, resend, send_all, stop_by, wait_for_effects
from tests.serving import Served, start, stop, wait_healthy
from tests.teams.conftest import TENANT_A, Connector, Issuer, message
from tests.teams.test_teams_processes import serve_env

N = 100
HELD = [i for i in range(N // 2) if i % 5 == 0]  # turns kept running past their 202


def inbox_env(db_url: str, issuer: Issuer, connector: Connector) -> dict[str, str]:
    return {
        **serve_env(db_url, issuer, connector),
        "COACH_TEAMS_TYPING_AFTER": "0.05",
        "COACH_TEAMS_FIRST_REPLY_AFTER": "0.1",
        "COACH_LOG_LEVEL": "INFO",
        "COACH_INBOX_LEASE_SECONDS": "2",
        "COACH_DRAIN_SECONDS": "3",
    }


def answered(connector: Connector) -> bool:
    """A card arrived: in the request's own reply, or (a turn slower than the first-reply
    wait, e.g. on a loaded machine) as the update of its "Working on it…" reply."""
    updates = [p["activity"] for p in connector.puts]
    return any(m.get("attachments") for m in [*connector.messages, *updates])


@pytest.mark.parametrize("how", ["kill", "term"])
async def test_teams_background_turns_survive_a_stop_mid_load(
    how: str, pg_url: str, issuer: Issuer, connector: Connector, tmp_path: Path
) -> None:
    env = inbox_env(pg_url, issuer, connector)
    token = issuer.token(service_url=connector.url)
    headers = {"Authorization": f"Bearer {token}"}
    first = await start(env, tmp_path / "serve-1.log")
    restarted: Served | None = None
    engine = create_engine(pg_url)
    hold = await engine.connect()

    async def post(session: aiohttp.ClientSession, act: dict) -> int:
        target = restarted or first
        async with session.post(f"{target.url}/api/messages", json=act, headers=headers) as r:
            await r.read()
            return r.status

    async def note(session: aiohttp.ClientSession, i: int) -> int:
        return await post(session, message(connector, f"note: inbox note {i}", activity_id=f"inbox-{i}"))

    async def stop_mid_load() -> None:
        await stop_by(first, how)
        if how == "term":
            await asyncio.sleep(1.0)  # the drain is under way: now let the held turns finish
        await hold.rollback()

    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            await wait_healthy(first, session)
            assert await post(session, message(connector, "deal new Inbox Deal", activity_id="deal")) == 202
            async with asyncio.timeout(30):  # the deal exists once it is answered
                while not answered(connector):  # noqa: ASYNC110 (the loopback connector's list)
                    await asyncio.sleep(0.05)
            await hold.begin()
            now = datetime.now(UTC)
            rows = [
                {"platform": "teams", "tenant_key": TENANT_A, "event_id": f"inbox-{i}", "created_at": now}
                for i in HELD
            ]
            await hold.execute(insert(ProcessedEvent), rows)
            load = await send_all(session, N, note, at_half=stop_mid_load, concurrency=8)
            await first.proc.wait()
            left = await inbox_rows(pg_url)
            held_acked = len(load.acked.intersection(HELD))
            if how == "kill":  # each held turn answered 202 was in the inbox when the process died
                assert held_acked >= 1 and left >= held_acked
            restarted = await start(env, tmp_path / "serve-2.log")
            await wait_healthy(restarted, session)
            refused = len(load.failed)
            since = asyncio.get_running_loop().time()
            await resend(session, load, note)
            await wait_for_effects(pg_url, N, [first, restarted])
            took = asyncio.get_running_loop().time() - since
    finally:
        if hold.in_transaction():
            await hold.rollback()
        await hold.close()
        await engine.dispose()
        await stop(first)
        if restarted is not None:
            await stop(restarted)
    seen = await notes(pg_url)
    assert set(seen) == set(range(N))
    assert max(seen.values()) == 1
    background = sum(m.get("text") == "Working on it…" for m in connector.messages)
    assert background >= held_acked
    replaced = Counter(p["id"] for p in connector.puts)
    assert max(replaced.values()) == 1  # no "Working on it…" was answered twice
    assert "inbox note" not in first.tail() + restarted.tail()  # message text is never logged
    drain = drained(first)
    if how == "term":
        assert drain is not None, first.tail()
        assert drain[1] >= 1  # held turns finished inside the drain
    print(
        f"\nteams postgres {how}: N={N} accepted-before-stop={load.stopped_at} held-past-202={held_acked} "
        f"left-in-inbox={left} refused-then-resent={refused} drain={drain} "
        f"restart-to-all-effects={took:.1f}s effects={sum(seen.values())} duplicates=0 "
        f"background-turns={background} first-replies-replaced={len(connector.puts)}"
    )
