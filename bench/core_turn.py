"""Latency of one Coach.handle turn on a deal with 1,000 timeline events, with 10 and with
100,000 deals in the database, on SQLite (and PostgreSQL when a server is available).

Prints p50/p99 per case beside a floor measured in the same run: one bare transaction
(BEGIN; SELECT 1; COMMIT) on the same engine. Run: python -m bench.core_turn [--turns N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from adapters.runtime import pin_cpu
from bot.coach import Coach
from bot.db.engine import create_engine, session_factory
from bot.db.migrate import upgrade
from bot.db.models import Conversation, Deal, DealEvent, DealMember, Tenant
from bot.features import default_knowledge
from bot.turn import Turn

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
QUESTION = "should we escalate now?"
# The facts the escalation playbook needs, so the measured answer is a verdict, not a form.
FACTS = {
    "rounds_with_account_team": 3,
    "internal_alignment": "IT, Finance and Procurement all agreed",
    "sticking_point": "Copilot price",
    "sticking_point_value_per_year": 300000,
    "deal_value_per_year": 2400000,
    "budget_target_set": True,
    "offer_uncompetitive": True,
    "renewal_date": "2027-06-30",
}


async def populate(url: str, deals: int, events: int) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            insert(Tenant),
            [{"id": 1, "platform": "console", "external_id": "bench", "name": None, "created_at": NOW}],
        )
        batch = 10_000
        for start in range(1, deals + 1, batch):
            rows = [
                {
                    "id": i,
                    "tenant_id": 1,
                    "name": f"Deal {i}",
                    "name_key": f"deal {i}",
                    "created_by": "bench",
                    "created_at": NOW,
                }
                for i in range(start, min(deals, start + batch - 1) + 1)
            ]
            await conn.execute(insert(Deal), rows)
        await conn.execute(
            insert(Conversation),
            [
                {
                    "id": 1,
                    "tenant_id": 1,
                    "external_id": "c1",
                    "active_deal_id": deals,
                    "timezone": None,
                    "created_at": NOW,
                }
            ],
        )
        # The person asking is a member of the deal (bot/access.py): the turn checks it.
        await conn.execute(
            insert(DealMember),
            [{"deal_id": deals, "user_key": "u1", "via": "creator", "added_by": "u1", "added_at": NOW}],
        )
        kinds = ["note", "ms_statement", "fact"]
        rows = []
        for n in range(events):
            kind = kinds[n % 3]
            payload = (
                {"key": f"k{n % 20}", "value": n}
                if kind == "fact"
                else {"type": "final_offer", "text": "best we can do", "role": "ae"}
                if kind == "ms_statement"
                else {"text": f"round {n} notes"}
            )
            at = NOW - timedelta(minutes=events - n)
            rows.append(
                {
                    "deal_id": deals,
                    "kind": kind,
                    "payload": payload,
                    "actor": "bench",
                    "occurred_at": at,
                    "recorded_at": at,
                }
            )
        for key, value in FACTS.items():
            rows.append(
                {
                    "deal_id": deals,
                    "kind": "fact",
                    "payload": {"key": key, "value": value},
                    "actor": "bench",
                    "occurred_at": NOW,
                    "recorded_at": NOW,
                }
            )
        await conn.execute(insert(DealEvent), rows)
    await engine.dispose()


async def measure(urls: dict[str, str], turns: int) -> dict[str, tuple[list[float], list[float]]]:
    """Turns on every database interleaved, so each case sees the same machine load."""
    setups = {}
    for label, url in urls.items():
        engine = create_engine(url)
        sessions = session_factory(engine)
        coach = Coach(sessions, default_knowledge(), clock=lambda: NOW)
        setups[label] = (engine, sessions, coach)
    turn = Turn("console", "bench", "c1", "u1", QUESTION)
    results: dict[str, tuple[list[float], list[float]]] = {label: ([], []) for label in urls}
    for n in range(turns + 20):
        for label, (_engine, sessions, coach) in setups.items():
            t0 = time.perf_counter()
            reply = await coach.handle(turn)
            took = (time.perf_counter() - t0) * 1000
            assert reply is not None and reply.verdict, reply
            t0 = time.perf_counter()
            async with sessions() as s, s.begin():
                await s.execute(text("SELECT 1"))
            floor = (time.perf_counter() - t0) * 1000
            if n >= 20:  # the first turns warm caches and the pool
                results[label][0].append(took)
                results[label][1].append(floor)
    for engine, _, coach in setups.values():
        await coach.close()
        await engine.dispose()
    return results


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1]


async def backend(name: str, make, events: int, big: int, turns: int) -> None:
    urls = {"10 deals": make("small"), f"{big:,} deals": make("big")}
    sizes = {"10 deals": 10, f"{big:,} deals": big}
    for label, url in urls.items():
        await asyncio.to_thread(upgrade, url)
        await populate(url, sizes[label], events)
    results = await measure(urls, turns)
    p50s = []
    for label, (lat, floor) in results.items():
        p50s.append(pct(lat, 50))
        print(
            f"{name:<11} {label:>15}, {events:,} events: "
            f"turn p50={pct(lat, 50):5.2f} ms  p99={pct(lat, 99):5.2f} ms   "
            f"floor (bare transaction) p50={pct(floor, 50):4.2f} ms  p99={pct(floor, 99):4.2f} ms"
        )
    print(f"{name:<11} {big:,}-deal p50 / 10-deal p50 = {p50s[1] / p50s[0]:.2f}x (goal <= 1.5x)")


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--turns", type=int, default=300)
    ap.add_argument("--events", type=int, default=1000)
    ap.add_argument("--big", type=int, default=100_000)
    ap.add_argument(
        "--cpu",
        default="auto",
        help="keep the bench on one CPU ('auto': by pid, or a CPU number); 'off' to roam",
    )
    args = ap.parse_args()
    print(f"pinned to CPU {pin_cpu(args.cpu)} (the bench pins itself for steady figures)")
    tmp = Path(tempfile.mkdtemp(prefix="coach-bench-"))
    backends = [("sqlite", lambda name: f"sqlite:///{tmp / name}.db")]
    server = None
    try:
        from tests.pg import start_server

        server = start_server()
        import subprocess

        def pg(name: str) -> str:
            subprocess.run([server.psql, server.admin_url, "-qc", f"CREATE DATABASE {name}"], check=True)
            return server.url(name)

        backends.append(("postgresql", pg))
    except (FileNotFoundError, OSError) as exc:
        print(f"(PostgreSQL skipped: {exc})", file=sys.stderr)
    try:
        for name, make in backends:
            await backend(name, make, args.events, args.big, args.turns)
    finally:
        if server:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
