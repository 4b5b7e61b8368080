"""Load against real `coach serve` processes for the inbox tests: N acknowledged turns, a stop
(kill -9 or SIGTERM) when half are acknowledged, a restart, then the effects counted on the deal
timeline in the database. What a platform does with a request that got no 200/202 is done here
too: it is sent again (same event id) once a server is up."""

from __future__ import annotations

import asyncio
import re
import signal
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp
from sqlalchemy import func, select

from bot.db.engine import create_engine, session_factory
from bot.db.models import DealEvent, InboxItem
from tests.serving import Served

NOTE = re.compile(r"inbox note (\d+)")
DRAINED = re.compile(r"inbox drained in ([\d.]+)s: (\d+) turns finished, (\d+) handed back, (\d+) waiting")
Send = Callable[[aiohttp.ClientSession, int], Awaitable[int]]  # (session, i) -> HTTP status


@dataclass
class Load:
    n: int
    acked: set[int] = field(default_factory=set)
    failed: set[int] = field(default_factory=set)
    stopped_at: int = 0  # acknowledged turns when the stop signal went out


async def send_all(
    session: aiohttp.ClientSession,
    n: int,
    send: Send,
    *,
    at_half: Callable[[], Awaitable[None]],
    concurrency: int = 16,
) -> Load:
    """Send turns 0..n-1, `concurrency` at a time; `at_half` runs once when n/2 are acked."""
    load = Load(n)
    gate = asyncio.Semaphore(concurrency)
    fired = asyncio.Lock()
    done_half = False

    async def one(i: int) -> None:
        nonlocal done_half
        async with gate:
            try:
                status = await send(session, i)
            except (aiohttp.ClientError, TimeoutError):
                status = 0
        (load.acked if status in (200, 202) else load.failed).add(i)
        async with fired:
            if not done_half and len(load.acked) >= n // 2:
                done_half = True
                load.stopped_at = len(load.acked)
                await at_half()

    await asyncio.gather(*(one(i) for i in range(n)))
    return load


async def stop_by(served: Served, how: str) -> None:
    """kill -9 (nothing runs after it) or SIGTERM (returns at once; the process drains)."""
    served.proc.send_signal(signal.SIGKILL if how == "kill" else signal.SIGTERM)
    if how == "kill":
        await served.proc.wait()


async def resend(session: aiohttp.ClientSession, load: Load, send: Send, deadline: float = 30) -> None:
    """What the platform does with a request that got no answer: send it again."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while load.failed:
        assert loop.time() < end, f"{len(load.failed)} requests still refused"
        for i in sorted(load.failed):
            try:
                if await send(session, i) in (200, 202):
                    load.failed.discard(i)
                    load.acked.add(i)
            except (aiohttp.ClientError, TimeoutError):
                await asyncio.sleep(0.2)


async def inbox_rows(url: str, owner_pid: int | None = None) -> int:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as s:
            stmt = select(func.count()).select_from(InboxItem)
            if owner_pid is not None:
                stmt = stmt.where(InboxItem.lease_owner.like(f"%:{owner_pid}:%"))
            return int((await s.execute(stmt)).scalar_one())
    finally:
        await engine.dispose()


async def notes(url: str) -> Counter[int]:
    """How often each `inbox note N` is on the timeline."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as s:
            texts = (await s.execute(select(DealEvent.payload).where(DealEvent.kind == "note"))).scalars()
            return Counter(int(m.group(1)) for p in texts if (m := NOTE.search(str(p.get("text", "")))))
    finally:
        await engine.dispose()


async def wait_for_effects(url: str, n: int, servers: list[Served], deadline: float = 45) -> float:
    """Until n distinct notes are on the timeline and the inbox is empty; returns seconds."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while True:
        seen = await notes(url)
        if len(seen) >= n and await inbox_rows(url) == 0:
            return loop.time() - start
        if loop.time() - start > deadline:
            logs = "\n".join(s.tail() for s in servers)
            raise AssertionError(f"{len(seen)}/{n} notes after {deadline:.0f}s:\n{logs}")
        await asyncio.sleep(0.3)


def drained(served: Served) -> tuple[float, int, int, int] | None:
    """(seconds, finished, handed back, waiting) from the process's shutdown log line."""
    m = DRAINED.search(served.log.read_text(errors="replace")) if served.log.exists() else None
    return (float(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4))) if m else None
