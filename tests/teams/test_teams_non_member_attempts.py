"""200 generated attempts by people of the tenant who are not members of the deal, through the
real Teams endpoint (JWT on, loopback connector), on SQLite and PostgreSQL: in a group chat the
owner bound to the deal and in their own 1:1 chats, by message, card button and the leak
check, asking for the budget, the walk-away, the deals, briefs and exports, or trying to change
the deal. The planted secret is in no reply and no log line, and nothing of the deal changes;
only the audit trail records the refusals. Runs once deal membership (bot/access.py) is in."""

from __future__ import annotations

import json
import logging

import pytest

from tests.access_checks import deal_rows, settled
from tests.outsider_attempts import payload, rng, wording
from tests.teams.conftest import card_of, message, start_bot, stop_bot
from tests.teams.outsider_kit import (
    BUDGET,
    CODE,
    DEAL,
    WALKAWAY,
    card_execute,
    card_submit,
    leak_check,
    plant,
)

pytest.importorskip("bot.access", reason="deal membership is not in this tree yet")

N = 200
SEED = 20261209
KINDS = ["personal", "group", "submit", "execute", "leak-check"]
TEAM_CHAT = "19:deal-team@thread.v2"
NUMBERS = [BUDGET, "4,837,291", "4.8M", "4.84M", WALKAWAY, "5,219,463", "5.2M", "5.22M", CODE]


def found(*texts: object) -> list[str]:
    blob = "\n".join(t if isinstance(t, str) else json.dumps(t, default=str) for t in texts)
    return [s for s in NUMBERS if s in blob]


async def test_generated_teams_non_member_attempts_see_nothing_and_change_nothing(
    db_url, issuer, connector, caplog
) -> None:
    bot = await start_bot(db_url, issuer, connector)
    try:
        await plant(bot)
        await bot.post(message(connector, f"deal use {DEAL}", conversation=TEAM_CHAT, kind="groupChat"))
        caplog.set_level(logging.DEBUG)
        await settled(bot.rt.engine)
        before = await deal_rows(bot.rt.engine, DEAL)
        caplog.clear()
        sent, answers = len(connector.posts), []
        r = rng(SEED)
        tried = {k: 0 for k in KINDS}
        for n in range(N):
            kind = r.choice(KINDS)
            tried[kind] += 1
            where = (
                {"conversation": TEAM_CHAT, "kind": "groupChat"}
                if kind == "group" or (kind != "personal" and r.random() < 0.5)
                else {"conversation": f"a:personal-nm-{n}"}
            )
            if kind in ("personal", "group"):
                act = message(connector, wording(r), **where)
            elif kind == "submit":
                act = card_submit(bot, payload(r), **where)
            elif kind == "execute":
                act = card_execute(bot, payload(r), **where)
            else:
                act = leak_check(bot, wording(r), **where)
            # A person of the same tenant, not a member of the deal.
            act["from"] = {"id": f"29:nm-{n}", "name": "Colleague", "aadObjectId": f"aad-nm-{n}"}
            status, body = await bot.post(act)
            assert status in (200, 202), (n, kind, status)
            answers.append(body)
        await settled(bot.rt.engine)
        print(f"\nteams non-members: {N} attempts {tried}; {len(connector.posts) - sent} posts")
        assert not found(connector.posts[sent:], connector.puts, answers)
        # A guess at the budget is never confirmed to a non-member (no protected-fact finding).
        assert "leakcheck.protected" not in json.dumps([connector.posts[sent:], answers], default=str)
        assert not found([rec.getMessage() for rec in caplog.records])
        assert await deal_rows(bot.rt.engine, DEAL) == before

        # The owner's own use keeps working after all that.
        await bot.post(message(connector, f"deal use {DEAL}"))
        await bot.post(message(connector, "show deal"))
        assert found(card_of(connector.messages[-1]))
    finally:
        await stop_bot(bot)
