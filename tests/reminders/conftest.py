"""Reminder fixtures: a Runtime on the test database and probe skills that log through the hook."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters import scheduler as sched
from adapters.runtime import Runtime
from adapters.server import reminder_deliverers
from bot.actions import Payload
from bot.context import Context
from bot.features import skills_with
from bot.reminders.hooks import log_meeting, on_event
from bot.reply import Reply
from bot.settings import Settings
from bot.skills import skill
from tests.reminders.slack_standin import SlackStandIn
from tests.teams.conftest import connector  # noqa: F401  (the Teams tests' Bot Connector stand-in)


class MeetingProbe(Payload):
    role: str
    topic: str
    when: str


class FactProbe(Payload):
    key: str
    value: str | int | float | bool


class CommitmentProbe(Payload):
    text: str


@skill("test.meeting", payload=MeetingProbe)
async def probe_meeting(ctx: Context, p: MeetingProbe) -> Reply:
    """Stands in for the meeting-prep skill: it logs `meeting` and calls the hook."""
    event = await log_meeting(ctx, {"role": p.role, "topic": p.topic, "when": p.when})
    return Reply(headline="Meeting logged.", intent="test.meeting", verdict=str(event.id))


@skill("test.fact", payload=FactProbe)
async def probe_fact(ctx: Context, p: FactProbe) -> Reply:
    """Stands in for a fact logged by any skill once Context.log calls the hook."""
    event = await ctx.set_fact(p.key, p.value)
    await on_event(ctx, event)
    return Reply(headline="Fact logged.", intent="test.fact")


@skill("test.commitment", payload=CommitmentProbe)
async def probe_commitment(ctx: Context, p: CommitmentProbe) -> Reply:
    await ctx.log("commitment", {"text": p.text, "in_writing": False})
    return Reply(headline="Commitment logged.", intent="test.commitment")


@pytest.fixture
def skills():
    return skills_with(probe_meeting, probe_fact, probe_commitment)


@pytest.fixture
def rt(coach, engine, kb, db_url) -> Runtime:
    return Runtime(
        settings=Settings(COACH_DATABASE_URL=db_url),
        engine=engine,
        sessions=coach.sessions,
        kb=kb,
        coach=coach,
    )


def into(outbox: list) -> dict[str, sched.Deliverer]:
    """Deliverers that keep console reminders in `outbox`, where `coach shell` would print them."""

    async def deliver(rt: Runtime, reminder: sched.Delivery, reply: Reply) -> None:
        outbox.append((reminder, reply))

    return {**reminder_deliverers(), "console": deliver}


@pytest.fixture
def outbox() -> list:
    return []


@pytest.fixture
def worker(rt, outbox) -> sched.Scheduler:
    return sched.Scheduler(rt, owner="w1", deliverers=into(outbox))


@pytest.fixture
async def slack_api(monkeypatch) -> AsyncIterator[SlackStandIn]:
    stand_in = SlackStandIn()
    monkeypatch.setenv("SLACK_API_URL", await stand_in.start())
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    yield stand_in
    await stand_in.stop()
