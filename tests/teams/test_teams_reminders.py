"""Reminders into Teams, end to end: a real Teams chat logs a meeting through /api/messages (which
stores the conversation reference), time passes, the reminder worker claims the reminder and it
arrives at the loopback Bot Connector as a proactive message: also after a restart (a new
server on the same database) and when the connector answers 429 first."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from adapters.scheduler import NOT_REPOSTED, SCHEDULER, LeaseLost, Scheduler
from adapters.server import reminder_deliverers
from bot.db.models import Reminder
from bot.reminders import store
from tests.conftest import Clock
from tests.teams.conftest import Bot, Connector, Issuer, card_of, card_text, message, start_bot, stop_bot

CHAT = "a:personal-reminders"
MEETING = "prep me for the pricing meeting with the AE tomorrow at 10"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_server_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    # These tests drive the worker by hand; the server's own worker is tested on its own below.
    monkeypatch.setenv("COACH_REMINDERS", "off")


async def log_meeting(bot: Bot) -> datetime:
    """The chat that logs the meeting; returns when the first pre-meeting reminder is due."""
    for text in ("deal new Woodgrove EA renewal", MEETING):
        status, _ = await bot.post(message(bot.connector, text, conversation=CHAT))
        assert status == 202
    prep = card_text(card_of(bot.connector.messages[-1]))
    assert "pricing meeting" in prep.lower(), prep
    kind, due = (await pending(bot))[0]
    assert kind in ("meeting.morning", "meeting.before") and due.date() == datetime(2026, 11, 24).date()
    return due


async def pending(bot: Bot) -> list[tuple[str, datetime]]:
    async with bot.rt.sessions() as s:
        stmt = select(Reminder.kind, Reminder.due_at).where(Reminder.status == "pending")
        rows = await s.execute(stmt.order_by(Reminder.due_at))
        return [(k, d if d.tzinfo else d.replace(tzinfo=UTC)) for k, d in rows]


def reminder_posts(connector: Connector, before: int) -> list[dict]:
    return [p for p in connector.posts[before:] if p["activity"].get("type") == "message"]


async def test_meeting_reminder_arrives_in_the_teams_chat(
    sqlite_url: str, issuer: Issuer, connector: Connector
) -> None:
    clock = Clock(START)
    bot = await start_bot(sqlite_url, issuer, connector, clock=clock)
    try:
        due = await log_meeting(bot)
        worker = Scheduler(bot.rt, deliverers=reminder_deliverers(bot.server.app), owner="w1")
        before = len(connector.posts)
        assert await worker.run_once() == 0  # not due yet
        clock.now = due
        assert await worker.run_once() == 1
        (post,) = reminder_posts(connector, before)
        assert post["conversation"] == CHAT and post["reply_to"] is None  # proactive, not a reply
        card = card_of(post["activity"])
        assert card_text(card).startswith("Get ready.\nWoodgrove EA renewal: pricing meeting")
        verbs = [a["verb"] for a in card.get("actions", [])]
        assert "reminders.done" in verbs  # buttons come back as Action.Execute invokes
        assert worker.stats == {"sent": 1, "dropped": 0, "failed": 0, "lost_lease": 0}
        assert await worker.run_once() == 0  # sent once
    finally:
        await stop_bot(bot)


async def test_reminder_after_a_restart_and_a_429(
    sqlite_url: str, issuer: Issuer, connector: Connector
) -> None:
    await restart_and_429(sqlite_url, issuer, connector)


async def test_reminder_after_a_restart_and_a_429_on_postgres(
    pg_url: str, issuer: Issuer, connector: Connector
) -> None:
    await restart_and_429(pg_url, issuer, connector)


async def restart_and_429(url: str, issuer: Issuer, connector: Connector) -> None:
    clock = Clock(START)
    first = await start_bot(url, issuer, connector, clock=clock)
    due = await log_meeting(first)
    await stop_bot(first)  # the process goes away; only the database remembers the chat

    clock.now = due
    second = await start_bot(url, issuer, connector, clock=clock)
    try:
        before = len(connector.posts)
        connector.fail_next = [429]  # the connector throttles the first try
        worker = Scheduler(
            second.rt, deliverers=reminder_deliverers(second.server.app), owner="after-restart"
        )
        assert await worker.run_once() == 1
        (post,) = reminder_posts(connector, before)
        assert post["conversation"] == CHAT
        assert card_text(card_of(post["activity"])).startswith("Get ready.\nWoodgrove EA renewal")
        assert connector.attempts - before >= 2 and worker.stats["sent"] == 1
    finally:
        await stop_bot(second)


async def test_the_servers_own_worker_delivers(
    sqlite_url: str, issuer: Issuer, connector: Connector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_REMINDERS", "on")
    monkeypatch.setenv("COACH_REMINDER_POLL_SECONDS", "0.05")
    clock = Clock(START)
    bot = await start_bot(sqlite_url, issuer, connector, clock=clock)
    try:
        due = await log_meeting(bot)
        before = len(connector.posts)
        clock.now = due
        assert SCHEDULER in bot.server.app  # `coach serve` mounted its worker
        arrived = asyncio.Event()
        connector.on_post = arrived.set
        await asyncio.wait_for(arrived.wait(), timeout=30)  # polled every 0.05 s by the server
        (post,) = reminder_posts(connector, before)
        assert card_text(card_of(post["activity"])).startswith("Get ready.\nWoodgrove EA renewal")
    finally:
        await stop_bot(bot)


async def test_no_reference_means_retry_later_not_a_crash(
    sqlite_url: str, issuer: Issuer, connector: Connector
) -> None:
    """A Teams reminder whose chat was never seen by Teams (no stored reference) is retried."""
    clock = Clock(START)
    bot = await start_bot(sqlite_url, issuer, connector, clock=clock)
    try:
        due = await log_meeting(bot)
        async with bot.rt.sessions() as s, s.begin():
            from bot.db.models import ConversationRef

            await s.execute(ConversationRef.__table__.delete())
        clock.now = due
        worker = Scheduler(bot.rt, deliverers=reminder_deliverers(bot.server.app), owner="w1")
        before = len(connector.posts)
        assert await worker.run_once() == 1
        assert worker.stats["failed"] == 1 and reminder_posts(connector, before) == []
    finally:
        await stop_bot(bot)


async def reminder_row(bot: Bot) -> Reminder:
    async with bot.rt.sessions() as s:
        return (await s.execute(select(Reminder).order_by(Reminder.due_at).limit(1))).scalar_one()


async def dead_worker_takes(bot: Bot, clock: Clock, *, marked: bool) -> int:
    """A worker claims the first due reminder and dies, having marked it "posting" or not."""
    async with bot.rt.sessions() as s, s.begin():
        (claimed,) = await store.claim_due(s, "dead:1:x", clock.now, limit=1, lease=timedelta(seconds=30))
        if marked:
            assert await store.mark_posting(s, claimed.id, "dead:1:x", clock.now)
    clock.now += timedelta(seconds=31)  # its lease lapses
    return claimed.id


@pytest.mark.parametrize("marked", [True, False])
async def test_takeover_after_a_crash_posts_only_if_no_post_was_started(
    sqlite_url: str, issuer: Issuer, connector: Connector, marked: bool
) -> None:
    """Marked "posting": the dead worker may have posted; Teams can't be asked, so the new
    worker does not post again (at most once). Not marked: it never posted, so post now."""
    clock = Clock(START)
    bot = await start_bot(sqlite_url, issuer, connector, clock=clock)
    try:
        clock.now = await log_meeting(bot)
        rid = await dead_worker_takes(bot, clock, marked=marked)
        before = len(connector.posts)
        worker = Scheduler(bot.rt, deliverers=reminder_deliverers(bot.server.app), owner="w2")
        assert await worker.run_once() == 1
        assert len(reminder_posts(connector, before)) == (0 if marked else 1)
        assert worker.stats.get(NOT_REPOSTED, 0) == (1 if marked else 0)
        row = await reminder_row(bot)
        assert (row.id, row.status, row.attempts) == (rid, "sent", 2)
    finally:
        await stop_bot(bot)


async def test_a_failed_post_is_retried_not_marked_sent(
    sqlite_url: str, issuer: Issuer, connector: Connector
) -> None:
    """The connector fails every retry: the reminder stays pending (the SDK's error handler must
    not swallow the failure), its "posting" mark is cleared, and the retry posts it once."""
    clock = Clock(START)
    bot = await start_bot(sqlite_url, issuer, connector, clock=clock)
    try:
        clock.now = await log_meeting(bot)
        before = len(connector.posts)
        connector.fail_next = [503] * 4  # retry_attempts = 4
        worker = Scheduler(bot.rt, deliverers=reminder_deliverers(bot.server.app), owner="w1")
        assert await worker.run_once() == 1
        assert worker.stats["failed"] == 1 and worker.stats["sent"] == 0
        row = await reminder_row(bot)
        assert (row.status, row.sent_at) == ("pending", None)
        clock.now += timedelta(seconds=31)  # past the first backoff
        assert await worker.run_once() == 1
        assert len(reminder_posts(connector, before)) == 1 and worker.stats["sent"] == 1
        assert (await reminder_row(bot)).attempts == 2
    finally:
        await stop_bot(bot)


async def test_no_post_once_the_lease_is_lost(sqlite_url: str, issuer: Issuer, connector: Connector) -> None:
    """A worker whose lease lapsed between preparing and posting does not post."""
    clock = Clock(START)
    bot = await start_bot(sqlite_url, issuer, connector, clock=clock)
    try:
        clock.now = await log_meeting(bot)
        async with bot.rt.sessions() as s, s.begin():
            (claimed,) = await store.claim_due(s, "slow", clock.now, limit=1, lease=timedelta(seconds=30))
        worker = Scheduler(
            bot.rt, deliverers=reminder_deliverers(bot.server.app), owner="slow", lease=timedelta(seconds=30)
        )
        prepared = await worker._prepare(claimed)
        assert prepared is not None
        delivery, reply = prepared
        clock.now += timedelta(seconds=31)  # it stalled past its lease
        before = len(connector.posts)
        with pytest.raises(LeaseLost):
            await reminder_deliverers(bot.server.app)["teams"](bot.rt, delivery, reply)
        assert reminder_posts(connector, before) == []
    finally:
        await stop_bot(bot)
