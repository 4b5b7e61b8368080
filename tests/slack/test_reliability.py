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

    async def stalled(turn):  # a stalled database: the turn takes 1.5 s
        await asyncio.sleep(1.5)
        return await handle(turn)

    slack.rt.coach.handle = stalled
    started = time.monotonic()
    resp = await slack.post(command("deal new Slowpoke"), FORM)
    assert resp.status == 200
    assert time.monotonic() - started < 0.5  # acked long before the turn ends
    (placeholder,) = await fake.wait_for("chat.postMessage")
    assert placeholder["text"] == "Working on it…"
    (update,) = await fake.wait_for("chat.update")
    assert "Started Slowpoke" in update["text"]
    assert len(fake.of("chat.postMessage")) == 1


async def test_a_deal_of_workspace_a_is_out_of_reach_from_workspace_b(slack, fake):
    await slack.post(command("deal new Alpha Secret Renewal", team="TA", channel="C1"), FORM)
    await fake.wait_for("chat.postMessage")
    # Same channel id, same user id, different workspace: nothing of A is visible or usable.
    for n, text in enumerate(["deal use Alpha Secret Renewal", "deal list", "note leaked?"], 2):
        await slack.post(command(text, team="TB", channel="C1"), FORM)
        await fake.wait_for("chat.postMessage", n)
    answers = [p["text"] + str(p.get("blocks")) for p in fake.of("chat.postMessage")[1:]]
    assert "don't know a deal" in answers[0] and "no deals here" in answers[0]
    assert "Alpha" not in answers[1]
    assert "no active deal" in answers[2].lower()
    # Workspace A still has it.
    await slack.post(command("deal list", team="TA"), FORM)
    (*_, mine) = await fake.wait_for("chat.postMessage", 5)
    assert "Alpha Secret Renewal" in mine["text"] + str(mine["blocks"])
