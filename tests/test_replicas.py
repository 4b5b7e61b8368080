"""Two `coach serve` replicas share one PostgreSQL: the same platform event delivered to both
at once has exactly one effect."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.coach import Coach
from bot.db.engine import create_engine, session_factory
from bot.db.models import DealEvent
from bot.turn import Turn


async def test_one_event_to_two_replicas_at_once_has_one_effect(pg_url, kb, clock):
    engines = [create_engine(pg_url), create_engine(pg_url)]
    coaches = a, b = [Coach(session_factory(e), kb, clock=clock) for e in engines]
    try:
        await a.handle(Turn("slack", "T1", "C1", "U1", "deal new Woodgrove"))
        await a.handle(Turn("slack", "T1", "C1", "U1", "share this deal with <@U2>"))  # a colleague
        for n in range(20):
            turn = Turn("slack", "T1", "C1", "U1", f"note: delivery {n}", event_id=f"Ev{n}")
            replies = await asyncio.gather(a.handle(turn), b.handle(turn), a.handle(turn))
            assert sum(r is not None for r in replies) == 1, replies
        async with engines[0].connect() as conn:
            assert (await conn.execute(select(func.count()).select_from(DealEvent))).scalar_one() == 20
    finally:
        for c in coaches:
            await c.close()
        for e in engines:
            await e.dispose()


async def test_two_replicas_creating_the_same_tenant_and_conversation_race_safely(pg_url, kb, clock):
    engines = [create_engine(pg_url) for _ in range(4)]
    coaches = [Coach(session_factory(e), kb, clock=clock) for e in engines]
    try:
        replies = await asyncio.gather(
            *(c.handle(Turn("teams", "tenant-x", "chat-1", "u", "deal list")) for c in coaches)
        )
        assert all(r is not None and r.intent == "deal.list" for r in replies)
    finally:
        for c in coaches:
            await c.close()
        for e in engines:
            await e.dispose()


async def test_a_replica_never_shows_a_stale_deal(db_url, kb, clock):
    """Each process caches decoded timelines and contacts; a change made through another
    process is seen on the very next turn (the cache is checked against the database)."""
    engines = [create_engine(db_url), create_engine(db_url)]
    coaches = a, b = [Coach(session_factory(e), kb, clock=clock) for e in engines]
    try:
        await a.handle(Turn("slack", "T1", "C1", "U1", "deal new Woodgrove"))
        await a.handle(Turn("slack", "T1", "C1", "U1", "share this deal with <@U2>"))  # a colleague
        assert "Ana" not in (await a.handle(Turn("slack", "T1", "C1", "U1", "deal show"))).plain_text()
        await b.handle(Turn("slack", "T1", "C1", "U2", "log favor: asked Ana (CSM) to expedite the workshop"))
        await b.handle(Turn("slack", "T1", "C1", "U2", "note: seen by everyone"))
        shown = (await a.handle(Turn("slack", "T1", "C1", "U1", "deal show"))).plain_text()
        assert "Ana (csm)" in shown and "seen by everyone" in shown
        await b.handle(Turn("slack", "T1", "C1", "U2", "our AE changed to Bob"))
        await b.handle(Turn("slack", "T1", "C1", "U2", "undo"))
        again = (await a.handle(Turn("slack", "T1", "C1", "U1", "deal show"))).plain_text()
        assert again.count("Ana (csm)") == 1
    finally:
        for c in coaches:
            await c.close()
        for e in engines:
            await e.dispose()
