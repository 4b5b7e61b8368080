"""Every kind of Teams activity a handler of ours reads (a typed message, a card's Action.Submit,
an Action.Execute invoke, the message action's submit, a conversationUpdate), with a valid
token but broken in the fields that handler or the SDK reads (tests/malformed.py): each is
answered at the edge (a 4xx), by the shape check (one short line, or a clean 400 invoke
response) or, for a message far past the length limit, by the core's one line. No 5xx, no
failed turn, no error in the log, and not one row written, on SQLite and PostgreSQL.

Then the same templates unbroken: each reaches its handler and runs a turn or saves a
reference (so the quiet above is the checks' doing)."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.db.models import Base
from tests.malformed import MARK, Breaker, Template
from tests.teams.conftest import APP_ID, Bot, Connector, Issuer, message, start_bot, stop_bot

SEED = 20261207
COUNT = 1500
ENVELOPE = {
    ("type",),
    ("channelId",),
    ("serviceUrl",),
    ("conversation",),
    ("conversation", "id"),
    ("from",),
    ("from", "id"),
    ("recipient",),
    ("recipient", "id"),
}
TYPED = {("channelData",), ("channelData", "tenant")}  # read by the tenant and outsider checks
IDS = {
    ("id",),
    ("conversation", "id"),
    ("conversation", "tenantId"),
    ("from", "id"),
    ("from", "aadObjectId"),
    ("recipient", "id"),
    ("channelData", "tenant", "id"),
}


def templates(connector: Connector) -> list[Template]:
    def make(kind: str, extra: dict[str, Any], required: set[tuple], only: set[tuple]) -> Template:
        act = message(connector, "help", activity_id="fz-1")
        act.update(extra)
        if "value" in extra:
            act.pop("text", None)
        return Template(
            kind,
            act,
            frozenset(ENVELOPE | required),
            ids=frozenset(IDS),
            only=frozenset(ENVELOPE | IDS | TYPED | required | only),
        )

    return [
        make("message", {"text": "help"}, set(), {("text",)}),
        make("submit", {"value": {"intent": "help"}}, {("value",), ("value", "intent")}, set()),
        make(
            "execute",
            {
                "type": "invoke",
                "name": "adaptiveCard/action",
                "value": {
                    "action": {
                        "type": "Action.Execute",
                        "verb": "help",
                        "title": "Help",
                        "data": {"intent": "help"},
                    }
                },
            },
            {("name",), ("value",), ("value", "action"), ("value", "action", "data", "intent")},
            {("value", "action", "verb"), ("value", "action", "title"), ("value", "action", "data")},
        ),
        make(
            "compose",
            {
                "type": "invoke",
                "name": "composeExtension/submitAction",
                "value": {
                    "commandId": "leakCheck",
                    "data": {"message": "Our budget is $2M a year.", "role": "ae"},
                    "messagePayload": {"body": {"content": "<p>Thanks for the quote.</p>"}},
                },
            },
            {("name",)},
            {
                ("value", "commandId"),
                ("value", "data"),
                ("value", "data", "message"),
                ("value", "data", "role"),
                ("value", "messagePayload"),
                ("value", "messagePayload", "body"),
                ("value", "messagePayload", "body", "content"),
            },
        ),
        make(
            "conversationUpdate",
            {"type": "conversationUpdate", "membersAdded": [{"id": f"28:{APP_ID}"}]},
            {("membersAdded", 0, "id")},
            {("membersAdded",), ("membersAdded", 0)},
        ),
    ]


async def rows(rt) -> dict[str, int]:
    async with rt.sessions() as s:
        return {
            t.name: await s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables
        }


@pytest.fixture
async def bot(db_url: str, issuer: Issuer, connector: Connector) -> AsyncIterator[Bot]:
    b = await start_bot(db_url, issuer, connector)
    yield b
    await stop_bot(b)


async def _post(bot: Bot, headers: dict[str, str], act: dict[str, Any]) -> tuple[int, Any]:
    async with bot.session.post(bot.url, data=json.dumps(act).encode(), headers=headers) as r:
        text = await r.text()
        return r.status, (json.loads(text) if text.startswith("{") else text)


async def test_broken_activities_of_every_kind_are_answered_at_the_edge_and_write_nothing(
    bot: Bot, caplog: Any
) -> None:
    caplog.set_level(logging.INFO)
    host = bot.host
    host.config.typing_after = host.config.first_reply_after = 30  # every answer in the request
    token = bot.issuer.token(service_url=bot.connector.url)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    before = await rows(bot.rt)
    breaker = Breaker(SEED)
    kinds: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    started = time.monotonic()
    for t, act in (breaker.next(templates(bot.connector)) for _ in range(COUNT)):
        kinds[t.kind] += 1
        status, _ = await _post(bot, headers, act)
        statuses[status] += 1
    await host.agent.drain()
    elapsed = time.monotonic() - started
    after = await rows(bot.rt)
    written = {k: after[k] - before[k] for k in after if after[k] != before[k]}
    ours = [r for r in caplog.records if not r.name.startswith("aiohttp.access")]
    logged = [r.getMessage() for r in ours]
    shaped = sum("unexpected shape" in m for m in logged)
    print(
        f"\nteams shapes fuzz: {COUNT} broken activities in {elapsed:.1f} s; {dict(sorted(kinds.items()))}; "
        f"breaks {breaker.counts}; statuses {dict(sorted(statuses.items()))}; {shaped} answered by the "
        f"shape check; {len(bot.connector.posts)} short lines posted; rows written {written}"
    )
    assert not [s for s in statuses if s >= 500]
    assert shaped > COUNT // 20  # past the SDK schema, the per-kind models answered the rest
    assert not [r for r in ours if r.levelno >= logging.ERROR or r.exc_info], logged[-5:]
    assert not [m for m in logged if MARK in m]
    assert written == {}


async def test_the_unbroken_templates_each_reach_their_handler(bot: Bot, caplog: Any) -> None:
    caplog.set_level(logging.INFO)
    token = bot.issuer.token(service_url=bot.connector.url)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for n, t in enumerate(templates(bot.connector)):
        act = {**t.body, "id": f"fz-ok-{n}"}
        status, _ = await _post(bot, headers, act)
        assert status in (200, 202), t.kind
    await bot.host.agent.drain()
    assert "unexpected shape" not in caplog.text
    written = await rows(bot.rt)
    # Four turns claimed (message, submit, execute, compose) and the conversationUpdate's claim.
    assert written["processed_events"] == 5
