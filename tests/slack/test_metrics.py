"""/metrics after real Slack traffic: signed requests in, turns counted by outcome and timed.
(Duplicates are counted where they reach the core: tests/test_metrics.py.)"""

from __future__ import annotations

import asyncio

from tests.metrics_scrape import Samples, names, parse, value
from tests.slack.fakes import command, event

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


async def test_slack_turns_are_counted_by_outcome_and_timed(slack, fake):
    dm = {"type": "message", "channel_type": "im", "user": "U1", "text": "help", "channel": "D1", "ts": "1.1"}
    body = event(dm, event_id="Ev0METRICS1")
    assert (await slack.post(body, JSON)).status == 200
    assert (await slack.post(command("x" * 9000), FORM)).status == 200  # over COACH_MAX_MESSAGE_CHARS
    await slack.turns(2)

    async def scrape() -> Samples:
        async with slack.session.get(slack.server.make_url("/metrics")) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"].startswith("text/plain")
            return parse(await resp.text())

    page = await scrape()
    assert value(page, "coach_turns_total", surface="slack", outcome="ok") == 1
    assert value(page, "coach_turns_total", surface="slack", outcome="rejected") == 1
    assert value(page, "coach_turn_seconds_count", surface="slack") == 2
    assert 0 < value(page, "coach_turn_seconds_sum", surface="slack") < 30
    assert value(page, "coach_turn_seconds_bucket", surface="slack", le="+Inf") == 2
    assert value(page, "coach_database_gauges_up") == 1
    assert value(page, "coach_reminders_due") == 0
    assert "coach_llm_requests_today" not in names(page)  # no LLM configured: absent, not 0
    # With the durable inbox in the build, its rows go once the replies are posted: the gauge
    # falls to 0. Without the inbox the gauge is absent.
    async with asyncio.timeout(10):
        while value(page, "coach_inbox_depth") not in (None, 0):
            await asyncio.sleep(0.05)
            page = await scrape()
