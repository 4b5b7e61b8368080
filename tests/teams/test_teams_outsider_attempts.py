"""200 generated attempts by outsiders through the real Teams endpoint (JWT on, loopback
connector), on SQLite and PostgreSQL, against a deal whose budget, walk-away and a note carry a
planted secret: messages in the owner's 1:1 chat, a group chat and a channel, card buttons
(Action.Submit and Action.Execute) and the leak check's message action, from users of another
tenant (by the activity or by their member record), guests (likewise), anonymous participants,
bots and a cross-tenant chat. The secret is in no reply and no log line; no row of any table
changes. The owner's own use still works after."""

from __future__ import annotations

import asyncio
import logging

from tests.access_checks import changed, counts, settled, snapshot
from tests.outsider_attempts import payload, rng, wording
from tests.teams.conftest import TENANT_A, card_of, card_text, message, start_bot, stop_bot
from tests.teams.outsider_kit import (
    OTHER_TENANT,
    card_execute,
    card_submit,
    from_outsider,
    leak_check,
    leaked,
    plant,
)

N = 200
SEED = 20261207
KINDS = ["personal", "group", "channel", "submit", "execute", "leak-check"]
WHO = [
    "other-tenant",
    "other-tenant-by-lookup",
    "guest-payload",
    "guest-by-lookup",
    "anonymous",
    "bot",
    "cross-tenant-chat",
]
WHERE = {
    "personal": {},
    "group": {"conversation": "19:group-x@thread.v2", "kind": "groupChat"},
    "channel": {"conversation": "19:chan-x@thread.tacv2;messageid=3", "kind": "channel"},
}


async def test_generated_teams_outsider_attempts_learn_nothing_and_write_nothing(
    db_url, issuer, connector, caplog
) -> None:
    bot = await start_bot(db_url, issuer, connector)
    try:
        await plant(bot)
        caplog.set_level(logging.DEBUG)
        before = await settled(bot.rt.engine)
        caplog.clear()
        sent = len(connector.posts)
        line = bot.rt.kb.say("outsiders.refused")
        r = rng(SEED)
        expected_lines, answers, tried = 0, [], {k: 0 for k in KINDS}
        for n in range(N):
            kind, who = r.choice(KINDS), r.choice(WHO)
            where = (
                WHERE[r.choice(list(WHERE))]
                if kind in ("submit", "execute", "leak-check")
                else WHERE.get(kind, {})
            )
            tried[kind] += 1
            if kind in WHERE:
                act = message(connector, wording(r), mention=kind != "personal", **where)
            elif kind == "submit":
                act = card_submit(bot, payload(r), **where)
            elif kind == "execute":
                act = card_execute(bot, payload(r), **where)
            else:
                act = leak_check(bot, wording(r), **where)
            if who.endswith("-by-lookup"):  # the activity looks like ours; the member record says not
                uid = f"29:look-{n}"
                act["from"] = {"id": uid, "name": "Pat", "aadObjectId": f"aad-look-{n}"}
                role = {"userRole": "guest"} if who.startswith("guest") else {"tenantId": OTHER_TENANT}
                connector.members[uid] = role
            else:
                act = from_outsider(act, who, n)
            status, body = await bot.post(act)
            answers.append(body)
            silent = who == "bot"
            if act["type"] == "invoke":
                assert status == 200, (n, kind, who, status)
                if not silent:
                    card = body["value"] if kind == "execute" else body["task"]["value"]["card"]["content"]
                    assert card_text(card) == line, (n, kind, who)
            else:
                assert status == 202, (n, kind, who, status)
                expected_lines += not silent
        # A reply is posted to the connector as the turn ends, which may be after the 202 under
        # load: wait for the lines expected (a missing one still fails, after the timeout).
        async with asyncio.timeout(10):
            while len(connector.messages[sent:]) < expected_lines:  # noqa: ASYNC110 - the connector is a plain list
                await asyncio.sleep(0.05)
        replies = connector.messages[sent:]
        print(
            f"\nteams outsiders: {N} attempts {tried}; {len(replies)} chat replies, all the line; "
            f"{len(caplog.records)} log records; tables {counts(before)}"
        )
        assert [card_text(card_of(m)) for m in replies] == [line] * expected_lines
        assert not connector.puts
        assert not leaked(connector.posts[sent:], answers)
        assert not leaked([rec.getMessage() for rec in caplog.records])
        assert changed(before, await snapshot(bot.rt.engine)) == []

        # The owner's own use keeps working after all that.
        await bot.post(message(connector, "what's our walk-away?", tenant=TENANT_A))
        assert leaked(connector.messages[-1])
    finally:
        await stop_bot(bot)
