"""300 generated attempts by people of the workspace who are not members of the deal, through
the real Slack app (signed requests, loopback Web API), on SQLite and PostgreSQL: in the
owner's channel (bound to the deal), in their own DMs, by slash command, mention, DM, button,
modal and App Home, asking for the budget, the walk-away, the deals, briefs and exports, or
trying to change the deal. The planted secret is in no reply and no log line, and nothing of
the deal changes (its row, events, contacts, forms, reminders, members); only the audit trail
records the refusals. Runs once deal membership (bot/access.py) is in."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from tests.access_checks import deal_rows, settled
from tests.outsider_attempts import payload, rng, wording
from tests.slack.outsider_kit import (
    BUDGET,
    CODE,
    DEAL,
    FORM,
    JSON,
    WALKAWAY,
    button,
    dm,
    home_opened,
    mention,
    plant,
    post,
    slash,
    submission,
)

pytest.importorskip("bot.access", reason="deal membership is not in this tree yet")

N = 300
SEED = 20261208
KINDS = ["command-channel", "command-dm", "mention", "dm", "button", "view", "home"]
# What a non-member must never see: the figures and the note (they may type the deal's name
# themselves, and hear it back as "I don't know a deal called …", as for any unknown name).
NUMBERS = [BUDGET, "4,837,291", "4.8M", "4.84M", WALKAWAY, "5,219,463", "5.2M", "5.22M", CODE]


def found(*texts: object) -> list[str]:
    blob = "\n".join(t if isinstance(t, str) else json.dumps(t, default=str) for t in texts)
    return [s for s in NUMBERS if s in blob]


async def test_generated_non_member_attempts_see_nothing_of_the_deal_and_change_nothing(
    start_slack, db_url, fake, caplog
):
    slack = await start_slack(db_url)
    await plant(slack, fake)
    caplog.set_level(logging.DEBUG)
    await settled(slack.rt.engine)
    before = await deal_rows(slack.rt.engine, DEAL)
    caplog.clear()
    calls = len(fake.calls)
    r = rng(SEED)
    acks, tried = [], {k: 0 for k in KINDS}
    for n in range(N):
        kind, user = r.choice(KINDS), f"UN{n}"  # a member of the workspace, not of the deal
        tried[kind] += 1
        if kind == "command-channel":
            body, ctype = slash(wording(r), user=user, channel="C1"), FORM
        elif kind == "command-dm":
            body, ctype = slash(wording(r), user=user, channel=f"D{n}"), FORM
        elif kind == "mention":
            body, ctype = mention(wording(r), user=user, event_id=f"Ev-n{n}"), JSON
        elif kind == "dm":
            body, ctype = dm(wording(r), user=user, event_id=f"Ev-n{n}"), JSON
        elif kind == "button":
            body, ctype = button(payload(r), user=user), FORM
        elif kind == "view":
            body, ctype = submission(r.choice([DEAL, "Woodgrove", "Evil"]), user=user, view_id=f"VN{n}"), FORM
        else:
            body, ctype = home_opened(user=user, event_id=f"Ev-n{n}"), JSON
        status, answer = await post(slack, body, ctype)
        assert status == 200, (n, kind)
        acks.append(answer)
    await settled(slack.rt.engine)  # every accepted turn answered
    new = fake.calls[calls:]
    homes = [c.args for c in new if c.method == "views.publish"]
    print(
        f"\nslack non-members: {N} attempts {tried}; {len(new)} Web API calls, "
        f"{len(homes)} App Homes; {len(caplog.records)} log records"
    )
    assert not found([c.args for c in new], fake.responses, acks)
    # A guess at the budget is never confirmed to a non-member (no protected-fact finding).
    assert "leakcheck.protected" not in json.dumps([[c.args for c in new], fake.responses, acks], default=str)
    assert not found([rec.getMessage() for rec in caplog.records])
    assert not [h for h in homes if DEAL in json.dumps(h)]  # their Home lists their deals only
    assert await deal_rows(slack.rt.engine, DEAL) == before

    # The owner's own use keeps working after all that (a non-member may have started a deal
    # of their own in the channel, which then became its active deal: the owner switches back).
    await slack.post(slash(f"deal use {DEAL}", user="U1"), FORM)
    await settled(slack.rt.engine)
    start = len(fake.calls)
    await slack.post(slash("show deal", user="U1"), FORM)
    async with asyncio.timeout(10):
        while not [c for c in fake.calls[start:] if c.method == "chat.postMessage" and found(c.args)]:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
