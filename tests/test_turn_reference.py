"""A surface's conversation reference (Turn.reference, e.g. Teams') is stored by the turn itself,
in the turn's transaction: written when new or moved, left alone when unchanged, and not written
at all by a turn that does nothing (a resent event)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import ConversationRef
from bot.turn import Turn

ROUTE = {
    "bot": {"id": "28:bot"},
    "conversation": {"id": "a:personal-1"},
    "channelId": "msteams",
    "serviceUrl": "https://smba.trafficmanager.net/emea/",
}
MOVED = {**ROUTE, "serviceUrl": "https://smba.trafficmanager.net/amer/"}


async def stored(engine) -> list[tuple]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(ConversationRef.tenant_key, ConversationRef.reference, ConversationRef.updated_at)
        )
        return [tuple(r) for r in rows]


def turn(reference: dict, event_id: str | None = None) -> Turn:
    return Turn("teams", "tenant-a", "a:personal-1", "u1", "help", event_id=event_id, reference=reference)


async def test_the_turn_stores_its_reference_once_and_again_only_when_it_moves(coach, engine, clock):
    assert await stored(engine) == []
    await coach.handle(turn(ROUTE, "ev-1"))
    ((tenant, ref, first),) = await stored(engine)
    assert (tenant, ref) == ("tenant-a", ROUTE)

    clock.now += timedelta(minutes=5)
    await coach.handle(turn(ROUTE, "ev-2"))
    assert [r[2] for r in await stored(engine)] == [first]  # unchanged: nothing written

    await coach.handle(turn(MOVED, "ev-1"))  # a resend of ev-1 is no turn at all
    assert [r[1] for r in await stored(engine)] == [ROUTE]

    await coach.handle(turn(MOVED, "ev-3"))  # Teams moved the conversation
    ((_, ref, later),) = await stored(engine)
    assert ref == MOVED and later > first


async def test_a_replica_that_skipped_the_check_looks_again_within_minutes(coach, engine, kb, clock):
    """Two replicas on one database: B stores a moved address while A still gets the old one.
    A skips the confirming read only for a few minutes, then stores its own address again."""
    from bot.addresses import RecentlyStored
    from bot.coach import Coach
    from bot.db.engine import session_factory

    ticks = [0.0]
    coach.addresses = RecentlyStored(ttl=300, clock=lambda: ticks[0])
    other = Coach(session_factory(engine), kb, clock=clock)
    try:
        await coach.handle(turn(ROUTE, "a-1"))  # written
        await coach.handle(turn(ROUTE, "a-2"))  # read back unchanged: remembered
        await other.handle(turn(MOVED, "b-1"))
        assert [r[1] for r in await stored(engine)] == [MOVED]
        await coach.handle(turn(ROUTE, "a-3"))  # within the window: not re-checked
        assert [r[1] for r in await stored(engine)] == [MOVED]
        ticks[0] += 301
        await coach.handle(turn(ROUTE, "a-4"))
        assert [r[1] for r in await stored(engine)] == [ROUTE]
    finally:
        await other.close()
