"""SQLite on the event loop's thread (bot/db/inline_sqlite.py) and the hot statements
(bot/db/hot.py): the same answers as through SQLAlchemy, and a database locked by another
process makes a turn wait, not the whole server."""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.coach import Coach
from bot.db import inline_sqlite
from bot.db.engine import create_engine, session_factory, write_gate, write_session
from bot.db.hot import Target
from bot.db.models import ProcessedEvent
from bot.memory import _OPENING, Memory
from bot.turn import Turn
from tests.sqlite_lock import lock_in_another_process as hold_lock


def lock_in_another_process(url: str, seconds: float) -> subprocess.Popen[str]:
    return hold_lock(url.removeprefix("sqlite:///"), seconds)


async def ticks_during(task: asyncio.Task, every: float = 0.01) -> int:
    """How often a second task got to run on the loop while `task` was pending."""
    n = 0
    while not task.done():
        await asyncio.sleep(every)
        n += 1
    return n


def question(event_id: str) -> Turn:
    return Turn("slack", "T1", "C1", "U1", "can I tell the CSM our budget?", event_id=event_id)


async def test_a_turn_waits_for_another_process_lock_while_the_server_goes_on(sqlite_url, kb, clock):
    engine = create_engine(sqlite_url)
    coach = Coach(session_factory(engine), kb, clock=clock)
    holder = lock_in_another_process(sqlite_url, 0.5)
    started = time.monotonic()
    turn = asyncio.ensure_future(coach.handle(question("ev-locked")))
    ticks = await ticks_during(turn)
    reply = await turn
    waited = time.monotonic() - started
    holder.wait(5)
    # The coach answered once the other process let go…
    assert reply is not None and reply.intent == "disclosure.share", reply
    assert waited >= 0.3
    # …and the loop kept serving meanwhile (a blocking busy handler would give ~0 ticks).
    assert ticks >= 15, ticks
    await coach.close()
    await engine.dispose()


async def test_a_lock_held_too_long_fails_the_turn_cleanly_and_writes_nothing(
    sqlite_url, kb, clock, monkeypatch
):
    monkeypatch.setattr(inline_sqlite, "BUSY_TIMEOUT_S", 0.2)
    engine = create_engine(sqlite_url)
    sessions = session_factory(engine)
    coach = Coach(sessions, kb, clock=clock)
    holder = lock_in_another_process(sqlite_url, 1.0)
    reply = await coach.handle(question("ev-timeout"))
    holder.wait(5)
    assert reply is not None and reply.intent == "error"
    assert "nothing was saved" in reply.headline
    async with sessions() as s:
        claimed = await s.scalar(select(func.count()).select_from(ProcessedEvent))
    assert claimed == 0
    # Once the lock is gone the same event is answered (it was never claimed).
    again = await coach.handle(question("ev-timeout"))
    assert again is not None and again.intent == "disclosure.share"
    await coach.close()
    await engine.dispose()


@pytest.mark.parametrize("inline", [True, False], ids=["inline", "aiosqlite"])
async def test_the_opening_query_reads_the_same_on_the_fast_path_as_through_sqlalchemy(
    sqlite_url, kb, clock, inline: bool
):
    engine = create_engine(sqlite_url, inline=inline)
    sessions = session_factory(engine)
    coach = Coach(sessions, kb, clock=clock)
    say = lambda text: coach.handle(Turn("console", "t1", "c1", "u1", text))  # noqa: E731
    await say("deal new Contoso Azure commit")
    asked = await say("should we escalate now?")  # leaves a form in progress (JSON columns)
    assert asked is not None and asked.questions
    async with sessions() as s, s.begin():
        memory = await Memory.for_tenant(s, "console", "t1", clock())
        params = {"tenant_id": memory.tenant.id, "external_id": "c1"}
        fast = await _OPENING.rows(await Target.of(s), params)
        core = [tuple(r) for r in await s.execute(_OPENING.statement, params)]
    assert fast == core
    _conversation, _deal, _tenant, name, _version, _newest, pending, resume = fast[0]
    assert name == "Contoso Azure commit"
    assert isinstance(pending, dict) and pending["keys"] and isinstance(resume, dict)
    await coach.close()
    await engine.dispose()


@pytest.mark.parametrize("every", [20, 10**9], ids=["checkpointed", "never"])
async def test_the_wal_is_checkpointed_off_the_loop_every_so_many_commits(
    sqlite_url, kb, clock, monkeypatch, every: int
):
    # SQLite's own checkpoints (with their fsyncs) are off on the loop's connections; a worker
    # thread checkpoints instead, so the WAL file stays small. Without it, it keeps growing.
    monkeypatch.setattr(inline_sqlite, "CHECKPOINT_EVERY", every)
    engine = create_engine(sqlite_url)
    coach = Coach(session_factory(engine), kb, clock=clock)
    for i in range(300):
        await coach.handle(Turn("slack", "T1", f"C{i}", "U1", "help", event_id=f"ev{i}"))
        await asyncio.sleep(0)  # let a finished checkpoint hand back
    wal = Path(sqlite_url.removeprefix("sqlite:///") + "-wal").stat().st_size
    if every == 20:
        assert wal < 1_000_000, wal
    else:
        assert wal > 2_000_000, wal
    await coach.close()
    await engine.dispose()


async def test_writers_outside_a_turn_queue_behind_turns_on_the_write_gate(sqlite_url):
    # Reminders, references and the drafter's budget write through write_session: on SQLite they
    # wait their turn on the gate turns hold, instead of polling a lock that turns keep taking.
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
