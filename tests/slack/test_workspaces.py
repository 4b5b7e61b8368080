"""Many workspaces (OAuth): reminders go out with the workspace's own bot token from the
installation store, and an uninstall or a revoked bot token removes what we stored of it."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from adapters import scheduler as sched
from adapters.server import reminder_deliverers
from adapters.slack.mount import BOLT, SLACK
from adapters.slack.reminders import SlackDeliverer
from tests.slack.fakes import command, event, interaction
from tests.slack.test_oauth import OAUTH, _install, _rows

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def meeting_form(team: str, day: str) -> bytes:
    values = {
        "role": {"role": {"type": "static_select", "selected_option": {"value": "ae"}}},
        "topic": {"topic": {"type": "plain_text_input", "value": "pricing call"}},
        "on": {"on": {"type": "datepicker", "selected_date": day}},
        "at": {"at": {"type": "timepicker", "selected_time": "15:00"}},
    }
    return interaction(
        {
            "type": "view_submission",
            "team": {"id": team},
            "user": {"id": "U1"},
            "view": {
                "id": "VM1",
                "type": "modal",
                "hash": "h1",
                "callback_id": "coach.modal.meeting",
                "private_metadata": json.dumps({"channel": "C9", "thread_ts": None}),
                "state": {"values": values},
            },
        }
    )


async def _make_due(slack) -> int:
    async with slack.rt.engine.begin() as conn:
        n = await conn.execute(
            text("UPDATE reminders SET due_at = :now WHERE status = 'pending'"),
            {"now": datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=1)},
        )
    return n.rowcount


async def test_a_reminder_goes_out_with_the_workspaces_own_bot_token(start_slack, db_url, fake):
    slack = await start_slack(db_url, **OAUTH)
    await _install(slack)
    await slack.post(command("deal new Woodgrove EA renewal", team="T9", channel="C9"), FORM)
    await fake.wait_for("chat.postMessage")
    day = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    assert (await slack.post(meeting_form("T9", day), FORM)).status == 200
    await fake.wait_for("chat.postMessage", 2)
    assert await _make_due(slack) >= 1
    worker = sched.Scheduler(slack.rt, deliverers=reminder_deliverers(slack.server.app), owner="w-test")
    assert await worker.run_once() >= 1
    reminders = [c for c in fake.calls if c.method == "chat.postMessage"][2:]
    assert reminders and all(c.token == "xoxb-installed-T9" for c in reminders)
    assert reminders[0].args["channel"] == "C9"
    assert worker.stats["sent"] >= 1 and worker.stats["failed"] == 0

    # Uninstalled: its reminders are not sent with a stale or empty token; they wait instead.
    resp = await slack.post(event({"type": "app_uninstalled"}, team="T9", event_id="Ev-gone"), JSON)
    assert resp.status == 200
    async with asyncio.timeout(10):
        while await _rows(slack) != (0, 0):  # noqa: ASYNC110 (polling the database)
            await asyncio.sleep(0.02)
    posted = len(fake.of("chat.postMessage"))
    await _make_due(slack)
    again = sched.Scheduler(slack.rt, deliverers=reminder_deliverers(slack.server.app), owner="w-test-2")
    await again.run_once()
    assert len(fake.of("chat.postMessage")) == posted
    assert again.stats["sent"] == 0 and again.stats["failed"] >= 1


async def test_revoking_only_a_users_token_keeps_the_workspace(start_slack, db_url, fake):
    slack = await start_slack(db_url, **OAUTH)
    await _install(slack)
    revoked = {"type": "tokens_revoked", "tokens": {"oauth": ["U7"], "bot": []}}
    assert (await slack.post(event(revoked, team="T9", event_id="Ev-user"), JSON)).status == 200
    await asyncio.sleep(0.3)
    assert await _rows(slack) == (1, 1)  # the installing user was U9, not U7
    token_for = SlackDeliverer.of(slack.server.app[SLACK]).token_for  # what reminders use
    assert token_for is not None
    assert await token_for("T9") == "xoxb-installed-T9"
    assert await token_for("T8") is None
    assert slack.server.app[BOLT].installation_store is not None
