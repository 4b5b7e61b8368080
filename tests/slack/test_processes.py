"""Two real `coach serve` processes on one PostgreSQL: one Slack event (and its retries)
delivered to both gets exactly one answer.

Built for a loaded 2-core machine: every wait has a generous deadline and a bounded loop, and
a process that dies early fails the test with the tail of its log rather than hanging it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.serving import Served, serving
from tests.slack.fakes import BOT_TOKEN, SECRET, FakeSlack, event, signed

JSON = "application/json"
TURN_DEADLINE = 60.0


def child_env(db_url: str, api_url: str) -> dict[str, str]:
    # Nothing from the outer environment that could switch on other surfaces or an LLM.
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COACH_", "SLACK_", "LLM_", "OPENAI", "AZURE"))
    }
    return {
        **keep,
        "COACH_DATABASE_URL": db_url,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": api_url,
        "COACH_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
async def two_processes(pg_url: str, fake: FakeSlack, tmp_path: Path) -> AsyncIterator[list[Served]]:
    async with serving(child_env(pg_url, fake.url), tmp_path) as servers:
        yield servers


async def deliver(session: aiohttp.ClientSession, s: Served, body: bytes, retry: int | None) -> int:
    extra = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
    async with session.post(f"{s.url}/slack/events", data=body, headers=signed(body, JSON, **extra)) as resp:
        await resp.read()
        return resp.status


def dm(text: str, channel: str) -> dict:
    return {
        "type": "message",
        "channel_type": "im",
        "user": "U1",
        "text": text,
        "channel": channel,
        "ts": "1.0",
    }


async def test_two_coach_serve_processes_answer_one_event_once(two_processes, fake):
    one, two = two_processes
    body = event(dm("deal new Twin", "D1"), event_id="Ev-twin-proc")
    timeout = aiohttp.ClientTimeout(total=TURN_DEADLINE)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        statuses = await asyncio.gather(
            deliver(session, one, body, None),
            deliver(session, two, body, None),
            deliver(session, one, body, 1),
            deliver(session, two, body, 2),
        )
        assert statuses == [200, 200, 200, 200]
        # A later event to each process: once both are answered, the duplicates (delivered
        # first) have long had their turn; a short grace covers a loser still waiting on the lock.
        await deliver(session, one, event(dm("help", "D2"), event_id="Ev-after-1"), None)
        await deliver(session, two, event(dm("help", "D3"), event_id="Ev-after-2"), None)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TURN_DEADLINE
    while {"D2", "D3"} - {p["channel"] for p in fake.of("chat.postMessage")}:
        assert loop.time() < deadline, f"no answers in {TURN_DEADLINE:.0f}s:\n{one.tail()}\n{two.tail()}"
        await asyncio.sleep(0.1)
    await asyncio.sleep(2.0)
    answers = [p for p in fake.of("chat.postMessage") if p["channel"] == "D1"]
    assert len(answers) == 1, answers
    assert "Started Twin" in answers[0]["text"]
    assert all(c.token == BOT_TOKEN for c in fake.calls)
