"""The Slack deliverer against a loopback Web API: Block Kit buttons, 429 backoff, and no
second post when a reclaimed reminder was already shown."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from adapters import scheduler as sched
from adapters.server import reminder_deliverers
from bot.turn import Turn

MEETING = {"intent": "test.meeting", "role": "ae", "topic": "pricing call", "when": "2026-11-24T15:00:00Z"}


async def slack_meeting(coach, **turn) -> None:
    base = dict(platform="slack", tenant="T1", conversation="C42", user="U1")
    await coach.handle(Turn(**base, text="deal new Woodgrove EA renewal"))
    await coach.handle(Turn(**base, action=MEETING, **turn))


@pytest.fixture
def sqlite_only(db_url):
    return db_url


async def test_a_checklist_is_posted_to_the_deals_channel_with_buttons(coach, clock, worker, slack_api):
    await slack_meeting(coach)
    clock.now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert await worker.run_once() == 1
    (post,) = slack_api.posts
    assert post["channel"] == "C42" and post["auth"] == "Bearer xoxb-test"
    assert post["text"].startswith("Get ready. Woodgrove EA renewal: pricing call")
    buttons = post["blocks"][-1]["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Done", "Snooze 1 h", "Skip"]
    assert json.loads(buttons[0]["value"])["intent"] == "reminders.done"
    assert post["metadata"]["event_type"] == "coach_reminder"


async def test_a_429_is_retried_after_retry_after_and_posted_once(coach, clock, worker, slack_api):
    slack_api.rate_limit_first = 2
    await slack_meeting(coach)
    clock.now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert await worker.run_once() == 1
    assert slack_api.rate_limited == 2 and len(slack_api.posts) == 1
    assert worker.stats["sent"] == 1


async def test_a_reclaimed_reminder_already_posted_is_not_posted_again(coach, clock, rt, slack_api, engine):
    """A worker died after chat.postMessage and before marking it sent."""
    from sqlalchemy import select

    from bot.db.models import Reminder

    await slack_meeting(coach)
    clock.now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    dying = sched.Scheduler(rt, deliverers=reminder_deliverers(), owner="dying")

    async def no_finish(c) -> None:  # the process is killed right after the post
        return None

    dying._sent = no_finish  # type: ignore[method-assign]
    await dying.run_once()
    assert len(slack_api.posts) == 1
    clock.advance(seconds=121)  # its lease runs out
    heir = sched.Scheduler(rt, deliverers=reminder_deliverers(), owner="heir")
    assert await heir.run_once() == 1
    assert len(slack_api.posts) == 1 and slack_api.history_calls == 1
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(Reminder.status, Reminder.attempts, Reminder.lease_owner).where(
                    Reminder.idempotency_key.endswith(":morning")
                )
            )
        ).one()
    assert tuple(row) == ("sent", 2, "heir")


async def test_a_failed_post_is_retried_later_not_lost(coach, clock, worker, slack_api, monkeypatch):
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")  # nothing listens there
    await slack_meeting(coach)
    clock.now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert await worker.run_once() == 1 and worker.stats["failed"] == 1
    assert await worker.run_once() == 0  # backing off
    monkeypatch.setenv("SLACK_API_URL", slack_api.url)
    clock.advance(seconds=31)
    assert await worker.run_once() == 1
    assert len(slack_api.posts) == 1 and worker.stats["sent"] == 1
