"""Retries, rate limits, slow turns, tenants: exactly one effect, and deals stay in their workspace."""

from __future__ import annotations

import asyncio
import time

from tests.slack.fakes import command, event

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


async def test_one_event_delivered_four_times_gets_one_reply(slack, fake):
    dm = {"type": "message", "channel_type": "im", "user": "U1", "text": "help", "channel": "D1", "ts": "1.1"}
    body = event(dm, event_id="Ev-retry")
    statuses = [(await slack.post(body, JSON)).status]
    for n in (1, 2, 3):  # Slack's retries carry X-Slack-Retry-Num
        resp = await slack.post(
            body, JSON, **{"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"}
        )
        statuses.append(resp.status)
    assert statuses == [200] * 4
    await fake.wait_for("chat.postMessage")
    await asyncio.sleep(0.5)  # a retry run as a second turn would have posted by now
    # Each retry is the same inbox row, or (after the answer) a turn that finds the event claimed.
    assert sum(r is not None for r in slack.done) == 1
    assert len(fake.of("chat.postMessage")) == 1


async def test_a_429_is_retried_after_retry_after_then_succeeds(slack, fake):
    fake.rate_limit["chat.postMessage"] = 1
    fake.retry_after = 1
    started = time.monotonic()
    await slack.post(command("help"), FORM)
    (post,) = await fake.wait_for("chat.postMessage")
    assert [c.method for c in fake.calls if c.method.startswith("chat.")] == [
        "chat.postMessage:429",
        "chat.postMessage",
    ]
    assert time.monotonic() - started >= 1.0
    assert post["channel"] == "C1"


async def test_the_ack_is_fast_and_a_slow_turn_updates_a_placeholder(slack, fake):
    handle = slack.rt.coach.handle

    async def stalled(turn):  # a stalled database: the turn takes 3 s
        await asyncio.sleep(3.0)
        return await handle(turn)

    slack.rt.coach.handle = stalled
    started = time.monotonic()
    resp = await slack.post(command("deal new Slowpoke"), FORM)
    assert resp.status == 200
    # acked long before the turn ends (half its time: a loaded CI machine once took 1.9 s to ack)
    assert time.monotonic() - started < 1.5
    (placeholder,) = await fake.wait_for("chat.postMessage")
    assert placeholder["text"] == "Working on it…"
    (update,) = await fake.wait_for("chat.update")
    assert "Started Slowpoke" in update["text"]
    assert len(fake.of("chat.postMessage")) == 1


async def test_a_deal_of_workspace_a_is_out_of_reach_from_workspace_b(start_slack, sqlite_url, fake):
    """The bot token is workspace T1's; a request naming workspace TB comes from another
    organisation: refused at the listener with one line, before any turn (the core's own
    tenant scoping is tested in tests/test_portfolio.py and tests/teams/test_teams_edge.py)."""
    # No "Working on it…" placeholder on a loaded machine: the test reads the one answer posted.
    slack = await start_slack(sqlite_url, SLACK_PLACEHOLDER_AFTER=60.0)
    await slack.post(command("deal new Alpha Secret Renewal", team="T1", channel="C1"), FORM)
    await fake.wait_for("chat.postMessage")
    # Same channel id, same user id, different workspace: nothing of A is visible or usable.
    for text in ["deal use Alpha Secret Renewal", "deal list", "note leaked?"]:
        resp = await slack.post(command(text, team="TB", channel="C1"), FORM)
        assert resp.status == 200
    await asyncio.sleep(0.3)
    assert len(slack.done) == 1 and len(fake.of("chat.postMessage")) == 1
    # Workspace A still has it.
    await slack.post(command("deal list", team="T1"), FORM)
    (*_, mine) = await fake.wait_for("chat.postMessage", 2)
    assert "Alpha Secret Renewal" in mine["text"] + str(mine["blocks"])
