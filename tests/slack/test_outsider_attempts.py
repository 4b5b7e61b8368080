"""400 generated attempts by outsiders through the real Slack app (signed requests, loopback Web
API), on SQLite and PostgreSQL, against a deal whose budget, walk-away and a note carry a
planted secret: every surface (mentions, DMs, slash commands and the modal words, buttons,
message shortcuts, modal submissions, App Home), every kind of outsider (another organisation
by the payload or by users.info, a Slack Connect stranger, guests, bots, a deactivated user),
wordings asking for the budget, the deals, briefs and exports. The secret is in no reply, no
log line; no turn runs; no row of any table changes. The owner's own use still works after."""

from __future__ import annotations

import asyncio
import json
import logging

from tests.access_checks import changed, counts, settled, snapshot
from tests.outsider_attempts import payload, rng, wording
from tests.slack.outsider_kit import (
    FORM,
    JSON,
    button,
    dm,
    home_opened,
    leaked,
    mention,
    plant,
    post,
    shortcut,
    slash,
    submission,
)

N = 400
SEED = 20261206
KINDS = ["mention", "dm", "command", "modal-word", "button", "shortcut", "view", "home"]
WHO = [
    "other-team",
    "source-team",
    "other-team-by-lookup",
    "stranger",
    "guest",
    "single-channel-guest",
    "bot-user",
    "bot-message",
    "deactivated",
]
SILENT = {"bot-user", "bot-message"}
EVENT_KINDS = {"mention", "dm", "home"}


def people_fields(who: str, n: int) -> dict:
    """What users.info says of this outsider (the payload may already have given them away)."""
    return {
        "other-team-by-lookup": {"team_id": f"T2{n}"},
        "stranger": {"is_stranger": True, "team_id": "T7"},
        "guest": {"is_restricted": True},
        "single-channel-guest": {"is_ultra_restricted": True},
        "bot-user": {"is_bot": True},
        "bot-message": {"is_bot": True},
        "deactivated": {"deleted": True},
    }.get(who, {})


async def test_generated_outsider_attempts_learn_nothing_and_write_nothing(start_slack, db_url, fake, caplog):
    slack = await start_slack(db_url)
    await plant(slack, fake)
    caplog.set_level(logging.DEBUG)
    before = await settled(slack.rt.engine)
    caplog.clear()
    calls, turns = len(fake.calls), len(slack.done)
    line = slack.rt.kb.say("outsiders.refused")
    fake.channels["CX"] = {"is_ext_shared": True}
    r = rng(SEED)
    told, homes, acks, tried = 0, 0, [], {k: 0 for k in KINDS}
    for n in range(N):
        kind, who = r.choice(KINDS), r.choice(WHO)
        if who == "bot-message" and kind not in EVENT_KINDS - {"home"}:
            who = "bot-user"
        if who == "source-team" and kind not in EVENT_KINDS - {"home"}:
            who = "other-team"
        if who == "other-team" and kind == "home":
            who = "other-team-by-lookup"  # App Home events name no team: users.info does
        user, channel = f"UO{n}", r.choice(["C1", "CX", "C2"])
        fake.people[user] = people_fields(who, n)
        team = f"T9{n}" if who == "other-team" else "T1"
        event_fields = {}
        if who == "other-team":
            event_fields["user_team"] = team
        elif who == "source-team":
            event_fields["source_team"] = f"T8{n}"
        elif who == "bot-message":
            event_fields["bot_id"] = f"B{n}"
        tried[kind] += 1
        if kind == "mention":
            body, ctype = (
                mention(wording(r), user=user, event_id=f"Ev-a{n}", channel=channel, **event_fields),
                JSON,
            )
        elif kind == "dm":
            body, ctype = dm(wording(r), user=user, event_id=f"Ev-a{n}", **event_fields), JSON
        elif kind == "command":
            body, ctype = slash(wording(r), user=user, team=team, channel=channel), FORM
        elif kind == "modal-word":
            body, ctype = slash(r.choice(["new deal", "log favor", "meeting"]), user=user, team=team), FORM
        elif kind == "button":
            body, ctype = button(payload(r), user=user, team=team, channel=channel), FORM
        elif kind == "shortcut":
            body, ctype = shortcut(wording(r), user=user, team=team, channel=channel), FORM
        elif kind == "view":
            body, ctype = (
                submission(wording(r)[:60], user=user, team=team, channel=channel, view_id=f"V{n}"),
                FORM,
            )
        else:
            body, ctype = home_opened(user=user, event_id=f"Ev-a{n}"), JSON
        status, answer = await post(slack, body, ctype)
        assert status == 200, (n, kind, who)
        acks.append(answer)
        silent = who in SILENT
        if kind in ("command", "modal-word"):
            assert answer == ("" if silent else line), (n, kind, who, answer)
        elif kind == "view":
            assert (answer == "") if silent else (json.loads(answer)["response_action"] == "update"), (n, who)
        elif kind == "home":
            homes += not silent
        else:
            told += not silent

    await fake.wait_for("chat.postEphemeral", told)
    await fake.wait_for("views.publish", homes)
    await asyncio.sleep(0.3)  # a turn that slipped through would have started by now
    new = fake.calls[calls:]
    ephemeral = [c.args for c in new if c.method == "chat.postEphemeral"]
    published = [c.args for c in new if c.method == "views.publish"]
    print(
        f"\nslack outsiders: {N} attempts {tried}; told {len(ephemeral)} by ephemeral line, "
        f"{len(published)} App Homes closed, {sum(a == line for a in acks)} slash-command acks; "
        f"{len(caplog.records)} log records; tables {counts(before)}"
    )
    assert len(ephemeral) == told and {e["text"] for e in ephemeral} <= {line}
    assert len(published) == homes
    assert not [
        c for c in new if c.method in ("chat.postMessage", "chat.update", "views.open", "files.upload")
    ]
    assert len(slack.done) == turns, "an outsider's request ran a coach turn"
    assert not leaked([c.args for c in new], fake.responses, acks)
    assert not leaked([r.getMessage() for r in caplog.records])
    assert changed(before, await snapshot(slack.rt.engine)) == []

    # The owner's own use keeps working, in the same channel, after all that.
    await slack.post(slash("what's our walk-away?", user="U1"), FORM)
    await slack.turns(turns + 1)
    (*_, mine) = await fake.wait_for("chat.postMessage", 5)
    assert mine["channel"] == "C1" and leaked(mine)
