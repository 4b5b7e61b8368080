"""What /metrics costs: per turn (the Runtime.handle wrapper that counts and times turns) and per
scrape (the database gauges read with a reminder backlog and a day of LLM usage in the table).

Per turn, beside floors from the same run: Runtime.handle around a turn that does no work, with
the metrics observer and without it (the floor); and a real `help` turn through the core with
and without the observer, interleaved. Per scrape: `Metrics.scrape()` (the database read and the
text page, no HTTP) p50/p99 against one bare `SELECT 1` session.
Run: python -m bench.ops_metrics [--turns N] [--reminders N] [--scrapes N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from adapters.runtime import Runtime, Serving, pin_cpu
from bot.db.models import LlmUsage, Reminder, Tenant
from bot.reply import Reply
from bot.settings import Settings
from bot.turn import Turn

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
REPLY = Reply(headline="ok", intent="help")


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1]


class NoWork:
    """A stand-in coach whose turn returns at once: isolates the wrapper's own cost."""

    async def handle(self, turn: Turn) -> Reply:
        return REPLY


async def wrapper_cost(rt: Runtime, n: int) -> tuple[float, float]:
    """(ns per no-work turn through Runtime.handle with the metrics observer, the same without
    it: the floor), alternating rounds so both see the same machine load."""
    turn = Turn(platform="slack", tenant="t", conversation="c", user="u", text="help")
    measured = replace(rt, coach=NoWork())
    bare = replace(measured, observe_turn=None)
    on: list[float] = []
    off: list[float] = []
    for i in range(20):
        run = measured if i % 2 else bare
        t0 = time.perf_counter_ns()
        for _ in range(n // 10):
            await run.handle(turn)
        (on if i % 2 else off).append((time.perf_counter_ns() - t0) / (n // 10))
    return statistics.median(on[1:]), statistics.median(off[1:])  # the first round warms up


async def real_turns(rt: Runtime, n: int) -> tuple[list[float], list[float]]:
    """Real `help` turns through the core, alternating with and without the observer."""
    turn = Turn(platform="console", tenant="t", conversation="c", user="u", text="help")
    bare = replace(rt, observe_turn=None)
    on: list[float] = []
    off: list[float] = []
    for i in range(n * 2):
        run = rt if i % 2 else bare
        t0 = time.perf_counter()
        await run.handle(turn)
        (on if i % 2 else off).append((time.perf_counter() - t0) * 1000)
    return on, off


async def populate(rt: Runtime, reminders: int, tenants: int) -> None:
    day = NOW.strftime("%Y-%m-%d")
    async with rt.engine.begin() as conn:
        await conn.execute(
            insert(Tenant),
            [
                {"id": 1000 + i, "platform": "console", "external_id": f"b{i}", "created_at": NOW}
                for i in range(tenants)
            ],
        )
        for start in range(0, reminders, 5000):
            await conn.execute(
                insert(Reminder),
                [
                    {
                        "tenant_id": 1000 + (i % tenants),
                        "kind": "follow_up",
                        "payload": {},
                        # half overdue, half in the future: the gauge counts only the due half
                        "due_at": NOW + timedelta(minutes=(i % 2) * 600 - 300),
                        "status": "pending",
                        "attempts": 0,
                        "idempotency_key": f"bench:{i}",
                        "created_at": NOW,
                    }
                    for i in range(start, min(start + 5000, reminders))
                ],
            )
        await conn.execute(
            insert(LlmUsage),
            [{"tenant_id": 1000 + i, "day": day, "requests": i % 50, "tokens": 100} for i in range(tenants)],
        )


async def scrapes(rt: Runtime, metrics, n: int) -> tuple[list[float], list[float]]:
    took: list[float] = []
    floor: list[float] = []
    for _ in range(n):
        t0 = time.perf_counter()
        await metrics.scrape()
        took.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        async with rt.sessions() as session:
            await session.execute(text("SELECT 1"))
        floor.append((time.perf_counter() - t0) * 1000)
    assert metrics.database.ok, "the database gauges were not read"
    return took, floor


async def run(name: str, url: str, args: argparse.Namespace) -> None:
    rt = await Runtime.start(Settings(COACH_DATABASE_URL=url), clock=lambda: NOW, serving=Serving())
    try:
        metrics = rt.metrics
        assert metrics is not None, "COACH_METRICS is off"
        wrapped, bare = await wrapper_cost(rt, args.loop)
        print(
            f"{name:<10} no-work turn: {wrapped:6.0f} ns with metrics, floor (no observer) {bare:5.0f} ns "
            f"-> metrics add {wrapped - bare:5.0f} ns per turn"
        )
        on, off = await real_turns(rt, args.turns)
        print(
            f"{name:<10} real help turn: p50 {pct(on, 50):5.2f} ms with metrics, "
            f"{pct(off, 50):5.2f} ms without (floor); p99 {pct(on, 99):5.2f} / {pct(off, 99):5.2f} ms"
        )
        await populate(rt, args.reminders, args.tenants)
        took, floor = await scrapes(rt, metrics, args.scrapes)
        print(
            f"{name:<10} scrape ({args.reminders:,} reminders, {args.tenants} workspaces): "
            f"p50 {pct(took, 50):5.2f} ms  p99 {pct(took, 99):5.2f} ms   "
            f"floor (SELECT 1 session) p50 {pct(floor, 50):4.2f} ms"
        )
    finally:
        await rt.close()


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--turns", type=int, default=300)
    ap.add_argument("--loop", type=int, default=200_000)
    ap.add_argument("--reminders", type=int, default=100_000)
    ap.add_argument("--tenants", type=int, default=200)
    ap.add_argument("--scrapes", type=int, default=100)
    args = ap.parse_args()
    print(f"pinned to CPU {pin_cpu('auto')} (the bench pins itself for steady figures)")
    tmp = Path(tempfile.mkdtemp(prefix="coach-bench-"))
    await run("sqlite", f"sqlite:///{tmp}/ops.db", args)
    server = None
    try:
        from tests.pg import start_server

        server = start_server()
    except (FileNotFoundError, OSError) as exc:
        print(f"(PostgreSQL skipped: {exc})", file=sys.stderr)
    if server is not None:
        try:
            import subprocess

            create = [server.psql, server.admin_url, "-qc", "CREATE DATABASE ops"]
            await asyncio.to_thread(subprocess.run, create, check=True)
            await run("postgresql", server.url("ops"), args)
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
