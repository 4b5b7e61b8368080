"""Every kind of Slack request a listener of ours hears (slash command, DM, mention, a shared
file, App Home, the app uninstalled, tokens revoked, a button, a modal submission, the message
shortcut), well signed but broken in
the fields that listener reads (tests/malformed.py): the shape check answers each one before
any listener runs. No 5xx, no "listener failed", no error in the log, no Web API call, no
turn, and not one row written, on SQLite and PostgreSQL.

Then the same templates unbroken: each reaches its listener (so the quiet above is the shape
check's doing, not a template no listener would take)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select

from bot.db.models import Base
from tests.malformed import MARK, Breaker, Template
from tests.slack.fakes import signed

SEED = 20261207
COUNT = 3000
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
RESPONSE_URL = "http://127.0.0.1:9/response"


def _t(kind: str, body: dict[str, Any], required: set[tuple], ids: set[tuple] = frozenset(), **kw: Any):
    return Template(kind, body, frozenset(required), ids=frozenset(ids), **kw)


def _event(inner: dict[str, Any], required: set[tuple]) -> Template:
    body = {"type": "event_callback", "team_id": "T1", "event_id": "Ev1", "event": inner}
    need = {("type",), ("team_id",), ("event_id",), ("event",), ("event", "type"), *required}
    ids = {("team_id",), ("event_id",), ("event", "channel"), ("event", "user"), ("event", "ts")}
    return _t("event " + inner["type"], body, need, ids)


def _interaction(kind: str, body: dict[str, Any], required: set[tuple]) -> Template:
    base = {"type": kind, "team": {"id": "T1"}, "user": {"id": "U1", "team_id": "T1"}, "trigger_id": "t.1"}
    need = {("type",), ("team",), ("team", "id"), ("user",), ("user", "id"), *required}
    ids = {("team", "id"), ("user", "id"), ("user", "team_id"), ("trigger_id",)}
    return _t(kind, {**base, **body}, need, ids)


TEMPLATES = [
    _t(
        "command",
        {
            "command": "/coach",
            "text": "help",
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "user_name": "ana",
            "trigger_id": "trig.1",
            "response_url": RESPONSE_URL,
        },
        {("command",), ("team_id",), ("channel_id",), ("user_id",), ("trigger_id",)},
        {("team_id",), ("channel_id",), ("user_id",), ("trigger_id",), ("user_name",)},
        flat=True,
    ),
    _event(
        {"type": "message", "channel": "D1", "channel_type": "im", "user": "U1", "text": "help", "ts": "1.1"},
        {("event", "channel")},
    ),
    _event(
        {"type": "app_mention", "channel": "C1", "user": "U1", "text": "<@UBOT> help", "ts": "1.2"},
        {("event", "channel")},
    ),
    _event(
        {
            "type": "message",
            "subtype": "file_share",
            "channel": "D1",
            "channel_type": "im",
            "user": "U1",
            "text": "",
            "ts": "1.3",
            "files": [{"id": "F1", "filetype": "pdf", "name": "quote.pdf"}],
        },
        {("event", "channel")},
    ),
    _event({"type": "app_home_opened", "user": "U1", "tab": "home"}, {("event", "user")}),
    # The two token-revocation events (adapters/slack/installs.py): no turn, no Web API call.
    _event({"type": "app_uninstalled"}, set()),
    _event({"type": "tokens_revoked", "tokens": {"oauth": ["U1"], "bot": ["UBOT"]}}, {("event", "tokens")}),
    _interaction(
        "block_actions",
        {
            "channel": {"id": "C1"},
            "container": {"channel_id": "C1", "message_ts": "1.1", "is_ephemeral": False},
            "message": {"ts": "1.1", "text": "an answer", "blocks": []},
            "actions": [{"action_id": "coach.b", "block_id": "b", "value": '{"intent": "help"}', "text": {}}],
            "response_url": RESPONSE_URL,
        },
        {("trigger_id",), ("actions",), ("actions", 0), ("actions", 0, "action_id"), ("channel", "id")},
    ),
    _interaction(
        "view_submission",
        {
            "view": {
                "type": "modal",
                "id": "V1",
                "hash": "h.1",
                "callback_id": "coach.modal.new_deal",
                "private_metadata": json.dumps({"channel": "C1"}),
                "state": {"values": {"name": {"n": {"type": "plain_text_input", "value": "Woodgrove EA"}}}},
            }
        },
        {("view",), ("view", "type"), ("view", "id"), ("view", "callback_id")},
    ),
    _interaction(
        "message_action",
        {
            "callback_id": "check_before_sending",
            "channel": {"id": "C1"},
            "message": {"text": "Our budget is $2M a year.", "ts": "1.1"},
        },
        {("callback_id",), ("trigger_id",), ("channel", "id")},
    ),
]


def encode(t: Template, body: dict[str, Any]) -> tuple[bytes, str]:
    if t.flat:
        return urlencode(body).encode(), FORM
    if t.kind.startswith("event"):
        return json.dumps(body).encode(), JSON
    return urlencode({"payload": json.dumps(body)}).encode(), FORM


async def rows(rt) -> dict[str, int]:
    async with rt.sessions() as s:
        return {
            table.name: await s.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }


async def _post(slack, raw: bytes, content_type: str) -> tuple[int, bytes]:
    url = slack.server.make_url("/slack/events")
    async with slack.session.post(url, data=raw, headers=signed(raw, content_type)) as resp:
        return resp.status, await resp.read()


async def test_broken_payloads_of_every_kind_are_answered_at_the_edge_and_write_nothing(
    start_slack, fake, db_url, caplog
):
    caplog.set_level(logging.INFO)
    slack = await start_slack(db_url)
    before = await rows(slack.rt)
    breaker = Breaker(SEED)
    statuses: Counter[int] = Counter()
    kinds: Counter[str] = Counter()
    short_lines = 0
    started = time.monotonic()
    for _ in range(COUNT):
        t, body = breaker.next(TEMPLATES)
        raw, content_type = encode(t, body)
        status, answer = await _post(slack, raw, content_type)
        statuses[status] += 1
        kinds[t.kind] += 1
        if t.flat and status == 200 and "command" in body:  # the person gets one short line
            assert json.loads(answer)["text"].startswith("I couldn't read that request")
            short_lines += 1
        elif status == 200:
            assert answer == b""  # a clean ack
    elapsed = time.monotonic() - started
    logged = [r.getMessage() for r in caplog.records]
    acked = sum("unexpected shape acknowledged" in m for m in logged)
    refused = sum(m.startswith("slack request refused") for m in logged)
    await asyncio.sleep(0.5)  # anything that did reach the inbox has started by now
    after = await rows(slack.rt)
    written = {k: after[k] - before[k] for k in after if after[k] != before[k]}
    failed = sum("listener failed" in m for m in logged)
    print(
        f"\nshapes fuzz ({db_url.split(':')[0]}): {COUNT} broken payloads in {elapsed:.1f} s; "
        f"{dict(sorted(kinds.items()))}; breaks {breaker.counts}; statuses {dict(sorted(statuses.items()))}; "
        f"{acked} acknowledged by the shape check ({short_lines} with a short line), "
        f"{refused} refused by the envelope check; {failed} listener failures, {len(slack.done)} turns, "
        f"{len(fake.calls)} Web API calls, rows written {written}"
    )
    assert not [s for s in statuses if s >= 500]
    assert acked + refused == COUNT  # every one answered at the edge, and said so
    assert acked > COUNT // 4  # many got past the envelope: the per-kind models answered those
    assert not [m for m in logged if "listener failed" in m]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not [m for m in logged if MARK in m]  # the log names fields, never values
    assert slack.done == [] and fake.calls == []
    assert written == {}


async def test_the_unbroken_templates_each_reach_their_listener(start_slack, fake, sqlite_url, caplog):
    caplog.set_level(logging.INFO)
    slack = await start_slack(sqlite_url)
    for n, t in enumerate(TEMPLATES):
        body = json.loads(json.dumps(t.body).replace('"t.1"', f'"t.{n}"').replace('"Ev1"', f'"Ev{n}"'))
        status, _ = await _post(slack, *encode(t, body))
        assert status == 200, t.kind
    assert "unexpected shape" not in caplog.text
    # Six turns (the command, DM, mention, shared file, button and modal; the shortcut and App
    # Home answer by the Web API): each went through the inbox to the core.
    turns = await slack.turns(6)
    assert len(turns) == 6
    await fake.wait_for("views.publish")  # App Home
    # The revocation listeners ran too (single-workspace token mode: they only warn).
    assert "app uninstalled from a workspace" in caplog.text
    assert "tokens revoked in a workspace" in caplog.text
    assert "listener failed" not in caplog.text
