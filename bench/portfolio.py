"""Time to build the portfolio (`deals`, `coach deal list`, the Slack Home tab) of one workspace
with N deals of M events each, on SQLite and (when its binaries are there) PostgreSQL.

Prints p50/p99 of `portfolio.overview` (cold: no timeline cache, as the CLI and the Home tab
run it) beside a floor measured in the same run: the bare read of the same deals and events
with no playbook work. Also the one-deal-at-a-time way (a deal_view per deal), to show what the
batch saves. Run: python -m bench.portfolio [--deals 500] [--events 20] [--rounds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from bot import portfolio
from bot.access import Person
from bot.db.engine import create_engine, session_factory
from bot.db.migrate import upgrade
from bot.db.models import Deal, DealEvent, DealMember, Tenant
from bot.features import default_knowledge, load_skills
from bot.memory import Memory

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else values[0]


async def populate(url: str, deals: int, events: int) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            insert(Tenant), [{"id": 1, "platform": "slack", "external_id": "TBENCH", "created_at": NOW}]
        )
        await conn.execute(
            insert(Deal),
            [
                {
                    "id": i,
                    "tenant_id": 1,
                    "name": f"Deal {i}",
                    "name_key": f"deal {i}",
                    "created_by": "bench",
                    "created_at": NOW,
                }
                for i in range(1, deals + 1)
            ],
        )
        await conn.execute(
            insert(DealMember),
            [
                {"deal_id": i, "user_key": "bench", "via": "creator", "added_by": "bench", "added_at": NOW}
                for i in range(1, deals + 1)
            ],
        )
        rows = []
        for i in range(1, deals + 1):
            renewal = (NOW + timedelta(days=(i * 37) % 700 - 30)).date().isoformat()
            rows.append(_event(i, "fact", {"key": "renewal_date", "value": renewal}, 0))
            for n in range(1, events):
                kind = ("commitment", "ms_statement", "fact", "note")[n % 4]
                payload = {
                    "commitment": {"contact": "Raj", "role": "ae", "what": f"promise {n}"},
                    "ms_statement": {"type": "final_offer", "text": "best we can do", "role": "ae"},
                    "fact": {"key": "rounds_with_account_team", "value": n},
                    "note": {"text": f"round {n} notes"},
                }[kind]
                rows.append(_event(i, kind, payload, n))
        for start in range(0, len(rows), 5000):
            await conn.execute(insert(DealEvent), rows[start : start + 5000])
    await engine.dispose()


def _event(deal_id: int, kind: str, payload: dict, n: int) -> dict:
    at = NOW - timedelta(days=60, minutes=-n)
    return {
        "deal_id": deal_id,
        "kind": kind,
        "payload": payload,
        "actor": "bench",
        "occurred_at": at,
        "recorded_at": at,
    }


async def measure(url: str, rounds: int) -> dict[str, list[float]]:
    kb = default_knowledge()
    load_skills()
    engine = create_engine(url)
    sessions = session_factory(engine)
    out: dict[str, list[float]] = {"portfolio": [], "floor": [], "one by one": []}
    try:
        for _ in range(rounds):
            t = time.perf_counter()
            seen = await portfolio.overview(sessions, "slack", "TBENCH", kb, NOW, person=Person("bench"))
            out["portfolio"].append((time.perf_counter() - t) * 1000)
            assert seen.rows

            t = time.perf_counter()
            async with sessions() as session:
                deals = (await session.execute(select(Deal.id, Deal.name).where(Deal.tenant_id == 1))).all()
                mine = select(Deal.id).where(Deal.tenant_id == 1).scalar_subquery()
                columns = (DealEvent.deal_id, DealEvent.id, DealEvent.kind, DealEvent.payload)
                events = (await session.execute(select(*columns).where(DealEvent.deal_id.in_(mine)))).all()
            out["floor"].append((time.perf_counter() - t) * 1000)
            assert deals and events

            t = time.perf_counter()
            async with sessions() as session, session.begin():
                memory = await Memory.for_tenant(session, "slack", "TBENCH", NOW)
                views = [await memory.deal_view(d.id, d) for d in await memory.list_deals(Person("bench"))]
            portfolio.rows(views, kb, NOW)
            out["one by one"].append((time.perf_counter() - t) * 1000)
    finally:
        await engine.dispose()
    return out


async def backend(name: str, url: str, deals: int, events: int, rounds: int) -> None:
    await asyncio.to_thread(upgrade, url)
    await populate(url, deals, events)
    results = await measure(url, rounds)
    floor = statistics.median(results["floor"])
    for label, values in results.items():
        print(
            f"{name:<11} {deals} deals x {events} events  {label:<11} "
            f"p50={pct(values, 50):8.1f} ms  p99={pct(values, 99):8.1f} ms  "
            f"({statistics.median(values) / floor:.1f}x the floor)"
        )
    print(f"{name:<11} floor = reading the same deals and events, no playbook work")


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--deals", type=int, default=500)
    ap.add_argument("--events", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="coach-bench-"))
    server = None
    try:
        await backend("sqlite", f"sqlite:///{tmp / 'portfolio.db'}", args.deals, args.events, args.rounds)
        try:
            from tests.pg import start_server

            server = start_server()
        except (FileNotFoundError, OSError) as exc:
            print(f"(PostgreSQL skipped: {exc})", file=sys.stderr)
        if server is not None:
            create = [server.psql, server.admin_url, "-qc", "CREATE DATABASE portfolio"]
            await asyncio.to_thread(subprocess.run, create, check=True)
            await backend("postgresql", server.url("portfolio"), args.deals, args.events, args.rounds)
    finally:
        if server:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
