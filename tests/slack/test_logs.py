"""Logs never hold a request body or a token, even at debug level."""

from __future__ import annotations

import logging

from tests.slack.fakes import APP_TOKEN, BOT_TOKEN, command, event

FORM = "application/x-www-form-urlencoded"


async def test_debug_logs_carry_no_bodies_and_no_tokens(slack, fake, caplog):
    caplog.set_level(logging.DEBUG)
    # The Slack logger stays at INFO unless an operator turns it up (see adapters/slack/logs.py).
    caplog.set_level(logging.DEBUG, logger="coach.slack")
    fake.rate_limit["chat.postMessage"] = 1
    fake.retry_after = 0
    await slack.post(command("deal new Zebra Confidential Renewal"), FORM)
    dm = {"type": "message", "channel_type": "im", "user": "U1", "text": "budget is 900k", "channel": "D1"}
    await slack.post(event(dm, event_id="Ev-log"), "application/json")
    await fake.wait_for("chat.postMessage", 2)
    await slack.turns(2)
    assert caplog.records, "nothing was logged at all, so this test would prove nothing"
    # The Slack surface's loggers (ours, Bolt's, slack_sdk's, aiohttp's). The database driver's own
    # DEBUG output (aiosqlite echoes SQL parameters) is the core's to configure, not this surface's.
    logged = "\n".join(
        r.getMessage() for r in caplog.records if r.name.startswith(("coach", "slack", "aiohttp"))
    )
    assert "Sending a request" in logged  # slack_sdk's debug lines were captured, and redacted
    for secret in (BOT_TOKEN, APP_TOKEN, "Zebra", "900k", "trig."):
        assert secret not in logged
