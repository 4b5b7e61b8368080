"""Logs never hold a request body or a token, even at debug level."""

from __future__ import annotations

import asyncio
import logging
import re

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


MARK = "Zq7Marker"
ACCESS_ID = re.compile(r" id=\S+")


async def test_unhandled_requests_and_failures_log_no_request_content(slack, fake, caplog):
    """Bolt's "Unhandled request" warning quotes the request; after a `}` in a name it used to
    survive redaction. Requests no listener takes are now answered by the shape check before
    Bolt routes them (adapters/slack/payloads.py), by kind and field name only. Every logger is
    captured at DEBUG, Bolt's and slack_sdk's included."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="coach.slack")
    from urllib.parse import urlencode

    from tests.slack.fakes import interaction

    unhandled = [
        (
            urlencode(
                {
                    "command": f"/x}}{MARK}1",
                    "text": f"{MARK}2",
                    "team_id": "T1",
                    "channel_id": f"C{MARK}9",
                    "user_id": "U1",
                    "trigger_id": f"{MARK}10",
                }
            ).encode(),
            FORM,
        ),
        (
            interaction(
                {
                    "type": "block_actions",
                    "team": {"id": "T1"},
                    "user": {"id": "U1"},
                    "actions": [{"action_id": f"x}}{MARK}3", "block_id": "b"}],
                }
            ),
            FORM,
        ),
        (
            interaction(
                {"type": "shortcut", "callback_id": f"y}}{MARK}4", "team": {"id": "T1"}, "user": {"id": "U1"}}
            ),
            FORM,
        ),
        (event({"type": f"z}}{MARK}5", "text": f"{MARK}6"}, event_id=f"Ev{MARK}7"), "application/json"),
    ]
    for body, content_type in unhandled:
        assert (await slack.post(body, content_type)).status == 200  # acknowledged, not retried

    async def broken(turn):  # a failure whose message quotes the request
        raise RuntimeError(f"could not handle {turn.text}")

    slack.rt.coach.handle = broken
    assert (await slack.post(command(f"tell them {MARK}8"), FORM)).status == 200
    async with asyncio.timeout(5):
        while "(slack) failed (RuntimeError)" not in caplog.text:  # noqa: ASYNC110
            await asyncio.sleep(0.01)

    # The access line names a request by Slack's event_id on purpose (a plain token); nothing else.
    def said(r: logging.LogRecord) -> str:
        msg = r.getMessage()
        return ACCESS_ID.sub("", msg) if r.name == "coach.access" else msg

    logged = "\n".join(f"{r.name} {said(r)} {r.exc_text or ''} {r.exc_info or ''}" for r in caplog.records)
    assert logged.count("unexpected shape acknowledged") == len(unhandled)
    assert "Sending a request" in logged  # and slack_sdk's debug lines
    assert MARK not in logged
    assert not [r for r in caplog.records if r.exc_info]
