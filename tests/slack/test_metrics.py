"""/metrics after real Slack traffic: signed requests in, turns counted by outcome and timed."""

from __future__ import annotations

from tests.metrics_scrape import names, parse, value
from tests.slack.fakes import command, event

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


async def test_slack_turns_are_counted_by_outcome_and_timed(slack, fake):
    dm = {"type": "message", "channel_type": "im", "user": "U1", "text": "help", "channel": "D1", "ts": "1.1"}
    body = event(dm, event_id="Ev0METRICS1")
    assert (await slack.post(body, JSON)).status == 200
    await slack.turns(1)
    assert (await slack.post(body, JSON, **{"X-Slack-Retry-Num": "1"})).status == 200  # a retry
    assert (await slack.post(command("x" * 9000), FORM)).status == 200  # over COACH_MAX_MESSAGE_CHARS
    await slack.turns(3)

    async with slack.session.get(slack.server.make_url("/metrics")) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/plain")
        page = parse(await resp.text())
    assert value(page, "coach_turns_total", surface="slack", outcome="ok") == 1
    assert value(page, "coach_turns_total", surface="slack", outcome="duplicate") == 1
    assert value(page, "coach_turns_total", surface="slack", outcome="rejected") == 1
    assert value(page, "coach_turn_seconds_count", surface="slack") == 3
    assert 0 < value(page, "coach_turn_seconds_sum", surface="slack") < 30
    assert value(page, "coach_turn_seconds_bucket", surface="slack", le="+Inf") == 3
    assert value(page, "coach_database_gauges_up") == 1
    assert value(page, "coach_reminders_due") == 0
    # No LLM configured here, and no inbox provider registered: those gauges are absent, not 0.
    assert not {"coach_llm_requests_today", "coach_inbox_depth"} & names(page)
