"""The inbox on SQLite and PostgreSQL, in one process: one row per event id, a dead worker's
expired lease taken over, a live one left alone, and a drain that hands back what it could not
finish. (Real processes, kill -9 and SIGTERM: tests/slack/test_inbox_processes.py and
tests/teams/test_teams_inbox_processes.py.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from adapters.inbox import Inbox, Item, inbox_depth
from adapters.runtime import Runtime
from bot.db.engine import write_session
from bot.db.models import InboxItem
from bot.settings import Settings

PLATFORM = "inbox-test"
PROCESSORS: dict[str, Any] = {}  # the test platform's processor, while `ran` is in use


@pytest.fixture
async def rt(db_url: str) -> AsyncIterator[Runtime]:
    runtime = await Runtime.start(Settings(COACH_DATABASE_URL=db_url), migrate=False)
    yield runtime
    await runtime.close()


@pytest.fixture
async def new_inbox(rt: Runtime) -> AsyncIterator[Callable[..., Inbox]]:
    made: list[Inbox] = []

    def make(**kw: Any) -> Inbox:
        made.append(Inbox(rt, processors=PROCESSORS, **kw))
        return made[-1]

    yield make
    for box in made:  # their kept connections go back before the engine is disposed
        await box.close()


@pytest.fixture
def ran() -> Iterator[list[Item]]:
    seen: list[Item] = []

    async def processor(rt: Runtime, item: Item) -> None:
        if item.payload.get("block"):
            await asyncio.Event().wait()  # a turn that outlasts the drain
        seen.append(item)

    PROCESSORS[PLATFORM] = processor
    yield seen
    PROCESSORS.pop(PLATFORM, None)


async def rows(rt: Runtime) -> list[InboxItem]:
    async with rt.sessions() as s:
        return list((await s.execute(select(InboxItem).order_by(InboxItem.id))).scalars())


async def test_a_retried_event_is_one_row_and_one_run(
    rt: Runtime, ran: list[Item], new_inbox: Callable[..., Inbox]
) -> None:
    box = new_inbox(concurrency=4)
    first = await box.accept(PLATFORM, "T1", "Ev1", {"n": 1})
    again = await box.accept(PLATFORM, "T1", "Ev1", {"n": 1})  # Slack's retry, same event id
    assert first is not None and again is None
    other_tenant = await box.accept(PLATFORM, "T2", "Ev1", {"n": 2})  # ids are per tenant
    await asyncio.gather(first, other_tenant)
    assert sorted(i.payload["n"] for i in ran) == [1, 2]
    await box.flush()  # (an insert may already have taken a delete along)
    assert await rows(rt) == []  # answered rows are deleted, message text with them
    assert box.stats["duplicate"] == 1


async def test_an_expired_lease_is_taken_over_and_a_live_one_is_not(
    rt: Runtime, ran: list[Item], new_inbox: Callable[..., Inbox]
) -> None:
    now = datetime.now(UTC)
    async with write_session(rt.sessions) as s:
        for event, owner, until in (
            ("dead", "host:1:dead", now - timedelta(seconds=1)),  # its worker died: lease expired
            ("alive", "host:2:alive", now + timedelta(minutes=5)),  # another replica is on it
            ("waiting", None, None),  # acknowledged while every slot was busy
        ):
            s.add(
                InboxItem(
                    platform=PLATFORM,
                    tenant_key="T1",
                    event_id=event,
                    payload={"event": event},
                    received_at=now,
                    attempts=1 if owner else 0,
                    lease_owner=owner,
                    lease_until=until,
                )
            )
    box = new_inbox(concurrency=4)
    assert await inbox_depth(rt.sessions) == 3
    assert await box.run_once() == 2
    await asyncio.gather(*box.jobs.values())
    await box.flush()
    taken = {i.event_id: i.attempts for i in ran}
    assert taken == {"dead": 2, "waiting": 1}
    (left,) = await rows(rt)
    assert left.event_id == "alive" and left.lease_owner == "host:2:alive"
    assert await inbox_depth(rt.sessions) == 1


async def test_drain_finishes_what_it_can_and_hands_back_the_rest(
    rt: Runtime, ran: list[Item], new_inbox: Callable[..., Inbox]
) -> None:
    box = new_inbox(concurrency=4, drain_seconds=0.3)
    quick = await box.accept(PLATFORM, "T1", "quick", {})
    await box.accept(PLATFORM, "T1", "slow", {"block": True})
    assert quick is not None
    await quick
    figures = await box.drain()
    assert figures["finished"] == 0 and figures["handed_back"] == 1 and figures["waiting"] == 1
    (left,) = await rows(rt)
    assert left.event_id == "slow"
    assert left.lease_owner is None and left.lease_until is None  # the next start takes it at once
    # While draining, a new turn is still persisted, but left for another worker.
    assert await box.accept(PLATFORM, "T1", "late", {}) is None
    assert [r.event_id for r in await rows(rt)] == ["slow", "late"]
    nxt = new_inbox(concurrency=4)  # the next start
    assert await nxt.run_once() == 2
    async with asyncio.timeout(10):
        while "late" not in {i.event_id for i in ran}:  # noqa: ASYNC110 (the processor's list)
            await asyncio.sleep(0.01)
    tasks = list(nxt.jobs.values())  # only "slow" is left running
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
