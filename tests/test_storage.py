"""The storage path (bot/db/engine.py) on the real databases: SQLite in WAL mode with every
transaction begun IMMEDIATE, so writers queue instead of failing; a lock held by another
process makes a turn wait, not the server, and loses no turn; an event is handled once."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import func, insert, select, text

from bot.coach import Coach
from bot.db import engine as db_engine
from bot.db.engine import create_engine, session_factory, write_gate, write_session
from bot.db.models import ProcessedEvent, Tenant
from bot.turn import Turn
from tests.sqlite_lock import lock_in_another_process

QUESTION = "can I tell the CSM our budget?"


def question(event_id: str, conversation: str = "C1") -> Turn:
    return Turn("slack", "T1", conversation, "U1", QUESTION, event_id=event_id)


def path_of(sqlite_url: str) -> str:
    return sqlite_url.removeprefix("sqlite:///")


async def claimed(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(ProcessedEvent))).scalar_one()


async def ticks_during(task: asyncio.Future, every: float = 0.01) -> int:
    """How often another task got to run on the loop while `task` was pending."""
    n = 0
    while not task.done():
        await asyncio.sleep(every)
        n += 1
    return n


async def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(sqlite_url):
    engine = create_engine(sqlite_url)
    async with engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
    await engine.dispose()


async def test_two_writers_that_read_first_queue_instead_of_one_failing(sqlite_url, clock):
    # Two engines share no write gate, like two processes. Each transaction reads, pauses, then
    # writes. Begun DEFERRED, both would hold read locks and the second upgrade would fail at
    # once with "database is locked"; begun IMMEDIATE, the second waits for the first.
    engines = [create_engine(sqlite_url), create_engine(sqlite_url)]

    async def read_then_write(engine, n: int) -> None:
        async with engine.begin() as conn:
            await conn.execute(select(func.count()).select_from(Tenant))
            await asyncio.sleep(0.2)
            await conn.execute(
                insert(Tenant).values(platform="slack", external_id=f"T{n}", created_at=clock())
            )

    await asyncio.gather(*(read_then_write(e, n) for n, e in enumerate(engines)))
    async with engines[0].connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(Tenant))).scalar_one() == 2
    for e in engines:
        await e.dispose()


async def test_a_turn_waits_for_another_process_lock_while_the_server_goes_on(sqlite_url, kb, clock):
    engine = create_engine(sqlite_url)
    coach = Coach(session_factory(engine), kb, clock=clock)
    holder = lock_in_another_process(path_of(sqlite_url), 0.5)
    started = time.monotonic()
    turns = asyncio.gather(*(coach.handle(question(f"ev-locked-{i}", f"C{i}")) for i in range(4)))
    ticks = await ticks_during(turns)
    replies = await turns
    waited = time.monotonic() - started
    holder.wait(5)
    # Every turn was answered once the other process let go: none was lost…
    assert [r.intent for r in replies if r is not None] == ["disclosure.share"] * 4, replies
    assert await claimed(engine) == 4
    assert waited >= 0.3
    # …and the loop kept serving meanwhile (a busy wait on the loop's thread would give ~0 ticks).
    assert ticks >= 15, ticks
    await engine.dispose()


async def test_a_lock_held_too_long_fails_the_turn_cleanly_and_writes_nothing(
    sqlite_url, kb, clock, monkeypatch
):
    monkeypatch.setattr(db_engine, "BUSY_TIMEOUT_MS", 200)
    engine = create_engine(sqlite_url)
    coach = Coach(session_factory(engine), kb, clock=clock)
    holder = lock_in_another_process(path_of(sqlite_url), 1.0)
    reply = await coach.handle(question("ev-timeout"))
    holder.wait(5)
    assert reply is not None and reply.intent == "error"
    assert "nothing was saved" in reply.headline
    assert await claimed(engine) == 0
    # Once the lock is gone the same event is answered (it was never claimed).
    again = await coach.handle(question("ev-timeout"))
    assert again is not None and again.intent == "disclosure.share"
    await engine.dispose()


async def test_one_event_to_two_processes_at_once_is_answered_once(db_url, kb, clock):
    # Two engines (no shared gate or cache, like two replicas) get the same platform event.
    engines = [create_engine(db_url), create_engine(db_url)]
    coaches = [Coach(session_factory(e), kb, clock=clock) for e in engines]
    replies = await asyncio.gather(*(c.handle(question("ev-twice")) for c in coaches))
    assert sum(r is not None for r in replies) == 1, replies
    assert await claimed(engines[0]) == 1
    # And a resend later, to either of them, is not answered again.
    assert await coaches[1].handle(question("ev-twice")) is None
    assert await coaches[0].handle(question("ev-twice")) is None
    for e in engines:
        await e.dispose()


async def test_writers_outside_a_turn_queue_behind_turns_on_the_write_gate(sqlite_url):
    # Reminders, references and the drafter's budget write through write_session: on SQLite they
    # wait their turn on the gate turns hold, first come first served.
    engine = create_engine(sqlite_url)
    sessions = session_factory(engine)
    entered = asyncio.Event()

    async def writer() -> None:
        async with write_session(sessions) as s:
            entered.set()
            await s.execute(select(func.count()).select_from(ProcessedEvent))

    async with write_gate(sessions):  # a turn in progress
        task = asyncio.ensure_future(writer())
        await asyncio.sleep(0.2)
        assert not entered.is_set()
    await task
    assert entered.is_set()
    await engine.dispose()


async def test_a_pooled_postgresql_connection_killed_while_idle_is_replaced_unseen(pg_url, monkeypatch):
    # A server restart or a firewall's idle timeout kills pooled connections; the first use after
    # a while pings and, finding the connection gone, takes a new one instead of failing.
    monkeypatch.setattr(db_engine, "PING_AFTER_IDLE_S", 0.05)
    engine, admin = create_engine(pg_url), create_engine(pg_url)
    async with engine.connect() as conn:
        pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    async with admin.connect() as conn:
        assert (await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})).scalar_one()
    await asyncio.sleep(0.1)
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one() != pid
    await engine.dispose()
    await admin.dispose()


async def test_a_connection_returned_inside_a_transaction_is_rolled_back_and_frees_the_write_lock(
    sqlite_url, monkeypatch
):
    # The pool's reset on return skips its ROLLBACK only when SQLite says no transaction is
    # open. Here one is open behind SQLAlchemy's back (the driver's own BEGIN IMMEDIATE, holding
    # the write lock) when the connection goes back to the pool: the reset must end it.
    monkeypatch.setattr(db_engine, "BUSY_TIMEOUT_MS", 2000)  # a lock left held fails, not hangs
    engine = create_engine(sqlite_url, pool_size=1)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE IF NOT EXISTS returned (n INTEGER)"))
    conn = await engine.connect()
    driver = (await conn.get_raw_connection()).driver_connection
    await driver.execute("BEGIN IMMEDIATE")
    await driver.execute("INSERT INTO returned (n) VALUES (1)")
    await conn.close()  # back to the pool; SQLAlchemy knows of no transaction to end
    other = create_engine(sqlite_url)  # another process, in effect: it needs the write lock
    async with other.begin() as c:
        await c.execute(text("INSERT INTO returned (n) VALUES (2)"))
    async with engine.connect() as c:  # the pooled connection again
        assert (await c.execute(text("SELECT n FROM returned ORDER BY n"))).scalars().all() == [2]
    await other.dispose()
    await engine.dispose()
