"""Nothing Slack was told we have is lost: N signed DMs ("note: inbox note i") to real
`coach serve` processes, one of them stopped (kill -9, or SIGTERM) when half are acknowledged,
then restarted. Every acknowledged note is on the deal's timeline exactly once; requests that
got no 200 are sent again, as Slack would. On SQLite (one process) and on PostgreSQL (two
replicas: the survivor takes over the dead one's rows once their lease expires, and the rows
a SIGTERM'd one handed back at once).

The loopback Slack answers chat.* calls slowly and each process runs two turns at a time, so
a backlog is certain when the stop lands. Figures go to stdout (pytest -s): docs/reliability.md.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import aiohttp
import pytest

from tests.inbox_load import (
    drained,
    inbox_rows,
    notes,
    resend,
    send_all,
    stop_by,
    wait_for_effects,
)
from tests.serving import Served, start, stop, wait_healthy
from tests.slack.fakes import FakeSlack, event, signed
from tests.slack.test_processes import child_env

JSON = "application/json"
N = 200


def dm(i: int) -> bytes:
    inner = {
        "type": "message",
        "channel_type": "im",
        "user": "U1",
        "text": f"note: inbox note {i}",
        "channel": "D1",
        "ts": f"1700000000.{i:06d}",
    }
    return event(inner, event_id=f"Ev-inbox-{i}")


def inbox_env(db_url: str, fake: FakeSlack, concurrency: int = 2) -> dict[str, str]:
    return {
        **child_env(db_url, fake.url),
        "COACH_LOG_LEVEL": "INFO",  # the drain's counts; no message text is ever logged
        "COACH_REMINDERS": "off",
        "COACH_INBOX_LEASE_SECONDS": "2",
        "COACH_INBOX_CONCURRENCY": str(concurrency),
        "COACH_DRAIN_SECONDS": "3",
        "SLACK_PLACEHOLDER_AFTER": "30",
    }


async def post(session: aiohttp.ClientSession, s: Served, body: bytes) -> int:
    async with session.post(f"{s.url}/slack/events", data=body, headers=signed(body, JSON)) as r:
        await r.read()
        return r.status


async def open_deal(session: aiohttp.ClientSession, s: Served, fake: FakeSlack) -> None:
    body = event({**_inner("deal new Inbox Deal")}, event_id="Ev-inbox-deal")
    assert await post(session, s, body) == 200
    await fake.wait_for("chat.postMessage")


def _inner(text: str) -> dict:
    return {"type": "message", "channel_type": "im", "user": "U1", "text": text, "channel": "D1", "ts": "1.0"}


@pytest.mark.parametrize("how", ["kill", "term"])
async def test_sqlite_acknowledged_notes_survive_a_stop_mid_load(
    how: str, sqlite_url: str, fake: FakeSlack, tmp_path: Path
) -> None:
    fake.latency = 0.02
    env = inbox_env(sqlite_url, fake)
    first = await start(env, tmp_path / "serve-1.log")
    restarted: Served | None = None
    timeout = aiohttp.ClientTimeout(total=30)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            await wait_healthy(first, session)
            await open_deal(session, first, fake)

            async def send(sess: aiohttp.ClientSession, i: int) -> int:
                target = restarted or first
                return await post(sess, target, dm(i))

            load = await send_all(session, N, send, at_half=lambda: stop_by(first, how))
            await first.proc.wait()
            left = await inbox_rows(sqlite_url)
            if how == "kill":
                assert left > 0, "the kill landed after the backlog was done: nothing was tested"
            restarted = await start(env, tmp_path / "serve-2.log")
            await wait_healthy(restarted, session)
            refused = len(load.failed)
            since = asyncio.get_running_loop().time()
            await resend(session, load, send)
            await wait_for_effects(sqlite_url, N, [first, restarted])
            took = asyncio.get_running_loop().time() - since
    finally:
        await stop(first)
        if restarted is not None:
            await stop(restarted)
    seen = await notes(sqlite_url)
    assert "inbox note" not in first.tail() + restarted.tail()  # message text is never logged
    assert set(seen) == set(range(N))  # every acknowledged note, and every resent one
    assert max(seen.values()) == 1  # none twice
    drain = drained(first)
    if how == "term":
        assert drain is not None, first.tail()
        assert drain[0] <= 3 + 1.0  # COACH_DRAIN_SECONDS bounds it
    print(
        f"\nslack sqlite {how}: N={N} acked-before-stop={load.stopped_at} left-in-inbox={left} "
        f"refused-then-resent={refused} drain={drain} "
        f"restart-to-all-effects={took:.1f}s effects={sum(seen.values())} duplicates=0"
    )


@pytest.mark.parametrize("how", ["kill", "term"])
async def test_two_replicas_on_postgres_lose_nothing_when_one_stops(
    how: str, pg_url: str, fake: FakeSlack, tmp_path: Path
) -> None:
    fake.latency = 0.02
    env = inbox_env(pg_url, fake, concurrency=4)
    a, b = await asyncio.gather(start(env, tmp_path / "a-1.log"), start(env, tmp_path / "b.log"))
    stopped = asyncio.Event()
    held_by_a = 0
    timeout = aiohttp.ClientTimeout(total=30)
    turn = itertools.count()
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            await asyncio.gather(wait_healthy(a, session), wait_healthy(b, session))
            await open_deal(session, a, fake)

            async def send(sess: aiohttp.ClientSession, i: int) -> int:
                target = b if stopped.is_set() or next(turn) % 2 else a
                return await post(sess, target, dm(i))

            async def stop_a() -> None:
                nonlocal held_by_a
                await stop_by(a, how)
                stopped.set()
                if how == "kill":  # rows a dead replica holds: the survivor must take them over
                    held_by_a = await inbox_rows(pg_url, owner_pid=a.proc.pid)

            load = await send_all(session, N, send, at_half=stop_a)
            await a.proc.wait()
            refused = len(load.failed)
            since = asyncio.get_running_loop().time()
            await resend(session, load, lambda sess, i: post(sess, b, dm(i)))
            await wait_for_effects(pg_url, N, [a, b])
            took = asyncio.get_running_loop().time() - since
    finally:
        await asyncio.gather(stop(a), stop(b))
    seen = await notes(pg_url)
    assert set(seen) == set(range(N))
    assert max(seen.values()) == 1
    if how == "kill":
        assert held_by_a > 0, "the kill found no row held by the dead replica: nothing was taken over"
        assert "taken over" in b.tail()
    else:
        assert drained(a) is not None, a.tail()
    print(
        f"\nslack postgres 2 replicas {how}: N={N} acked-before-stop={load.stopped_at} "
        f"refused-then-resent={refused} held-by-dead-replica={held_by_a} drain={drained(a)} "
        f"to-all-effects={took:.1f}s "
        f"effects={sum(seen.values())} duplicates=0"
    )
