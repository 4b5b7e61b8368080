"""Outsiders on Slack (docs/security.md, "Outsiders"), through signed requests to the real app
and the loopback Web API, on SQLite and PostgreSQL: people of another organisation, guests and
bots get one line that names nothing, and nothing they send is stored; the owner in a Slack
Connect channel is answered privately."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest

from adapters.slack.mount import SLACK
from adapters.slack.outsiders import Home, channel_is_external, user_is_outsider
from tests.access_checks import changed, settled, snapshot
from tests.slack.fakes import command
from tests.slack.outsider_kit import (
    BUDGET,
    DEAL,
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
    with_top,
)


@pytest.fixture
async def owned(start_slack, db_url, fake):
    """The real server on each database, with the owner's deal and its planted secret."""
    slack = await start_slack(db_url)
    await plant(slack, fake)
    return slack


def ack_text(body: str) -> str:
    """What Slack shows the sender of a slash command: Bolt acks a bare text as the body."""
    return json.loads(body)["text"] if body.startswith("{") else body


def refused_line(slack) -> str:
    return slack.rt.kb.say("outsiders.refused")


async def nothing_happened(slack, fake, before, calls_before: int, turns_before: int) -> None:
    await asyncio.sleep(0.2)  # a turn that slipped through would have started by now
    assert len(slack.done) == turns_before, "an outsider's request ran a coach turn"
    assert changed(before, await snapshot(slack.rt.engine)) == []
    new = fake.calls[calls_before:]
    assert not leaked([c.args for c in new], fake.responses)
    assert not [c for c in new if c.method in ("chat.postMessage", "chat.update", "views.open")]


async def test_people_of_another_organisation_guests_and_bots_are_refused_on_every_surface(owned, fake):
    slack, line = owned, refused_line(owned)
    fake.people["UG"] = {"is_restricted": True}  # a multi-channel guest
    fake.people["UU"] = {"is_ultra_restricted": True}  # a single-channel guest
    fake.people["US"] = {"is_stranger": True, "team_id": "T7"}  # Slack Connect, no team in the payload
    fake.people["UB"] = {"is_bot": True}  # an app's bot user
    before, calls, turns = await settled(slack.rt.engine), len(fake.calls), len(slack.done)

    # A user of another workspace mentions the coach in a shared channel: told once, privately.
    status, _ = await post(slack, mention("show deal", user="UX", event_id="Ev-x1", user_team="T2"), JSON)
    assert status == 200
    (told,) = await fake.wait_for("chat.postEphemeral")
    assert (told["user"], told["text"]) == ("UX", line)
    # The same through `source_team`, a guest, a single-channel guest, a stranger: each told.
    await post(slack, mention("what is our budget?", user="UY", event_id="Ev-x2", source_team="T3"), JSON)
    await post(slack, mention("deals", user="UG", event_id="Ev-x3"), JSON)
    await post(slack, dm("brief for our CFO", user="UU", event_id="Ev-x4"), JSON)
    await post(slack, dm(f"deal use {DEAL}", user="US", event_id="Ev-x5"), JSON)
    told = await fake.wait_for("chat.postEphemeral", 5)
    assert [t["user"] for t in told] == ["UX", "UY", "UG", "UU", "US"]
    assert {t["text"] for t in told} == {line}
    # A bot's message and an app's bot user get no answer at all.
    await post(slack, mention("show deal", user="UX", event_id="Ev-x6", bot_id="B9"), JSON)
    await post(slack, mention("show deal", user="UB", event_id="Ev-x7"), JSON)

    # A slash command: the line comes back in the ack, seen by the sender alone.
    status, body = await post(slack, slash("show deal", user="UX", team="T2"), FORM)
    assert status == 200 and ack_text(body) == line
    status, body = await post(slack, slash("deals", user="UG"), FORM)
    assert ack_text(body) == line
    status, body = await post(slack, slash("new deal", user="UU"), FORM)  # would open a modal
    assert ack_text(body) == line

    # A button, a message shortcut, a modal submitted by an outsider.
    await post(slack, button({"intent": "deal.show"}, user="UX", team="T2"), FORM)
    await post(slack, shortcut(f"our budget is {BUDGET}", user="UG"), FORM)
    status, body = await post(slack, submission("Evil deal", user="UX", team="T2"), FORM)
    answer = json.loads(body)
    assert answer["response_action"] == "update" and line in json.dumps(answer["view"])
    told = await fake.wait_for("chat.postEphemeral", 7)
    assert [t["user"] for t in told[5:]] == ["UX", "UG"]

    # App Home opened by a guest: the line, no deals, no buttons.
    await post(slack, home_opened(user="UG", event_id="Ev-x8"), JSON)
    (home,) = await fake.wait_for("views.publish")
    assert home["user_id"] == "UG" and line in json.dumps(home["view"])
    assert "actions" not in json.dumps(home["view"])

    await nothing_happened(slack, fake, before, calls, turns)
    assert len(fake.of("chat.postEphemeral")) == 7


async def test_when_slack_cannot_say_who_it_is_the_coach_refuses_for_now(owned, fake):
    slack = owned
    before, calls, turns = await settled(slack.rt.engine), len(fake.calls), len(slack.done)
    fake.rate_limit["users.info"] = 100  # users.info keeps failing
    fake.retry_after = 0
    status, body = await post(slack, slash("show deal", user="UN"), FORM)
    assert status == 200 and ack_text(body) == slack.rt.kb.say("outsiders.unchecked")
    fake.rate_limit["users.info"] = 0
    await nothing_happened(slack, fake, before, calls, turns)


async def test_the_owner_in_a_slack_connect_channel_is_answered_privately(owned, fake):
    slack = owned
    fake.channels["CX"] = {"is_shared": True, "is_ext_shared": True}
    await slack.post(slash(f"deal use {DEAL}", user="U1", channel="CX"), FORM)
    await fake.wait_for("chat.postEphemeral")
    await slack.post(slash("show deal", user="U1", channel="CX"), FORM)
    told = await fake.wait_for("chat.postEphemeral", 2)
    assert all(t["channel"] == "CX" and t["user"] == "U1" for t in told)
    assert "4.84M" in json.dumps(told[1])  # the owner still gets the answer, to them alone
    # A mention in an event that says the channel is shared with another organisation.
    body = with_top(mention("what's our walk-away?", user="U1", event_id="Ev-in1", channel="CX"))
    await slack.post(with_top(body, is_ext_shared_channel=True), JSON)
    await fake.wait_for("chat.postEphemeral", 3)
    assert not [p for p in fake.of("chat.postMessage") if p["channel"] == "CX"]
    assert "CX" in [c["channel"] for c in fake.of("conversations.info")]


async def test_a_brief_asked_for_in_a_shared_channel_arrives_in_the_owners_dm(owned, fake):
    slack = owned
    fake.channels["CX"] = {"is_ext_shared": True}
    await slack.post(slash(f"deal use {DEAL}", user="U1", channel="CX"), FORM)
    await fake.wait_for("chat.postEphemeral")
    await slack.post(slash("write a one-pager for our CFO", user="U1", channel="CX"), FORM)
    await fake.wait_for("files.completeUploadExternal")
    (upload,) = fake.files
    assert upload.channel == "DU1"  # the DM conversations.open gave, never CX
    assert not [p for p in fake.of("chat.postMessage") if p["channel"] == "CX"]


async def test_the_owner_in_an_internal_channel_is_answered_as_before(owned, fake):
    slack = owned
    await slack.post(slash("show deal", user="U1"), FORM)
    posts = await fake.wait_for("chat.postMessage", 5)
    assert posts[-1]["channel"] == "C1" and "4.84M" in json.dumps(posts[-1])
    assert fake.of("chat.postEphemeral") == []


# --- the rules, with Grid and shared-channel cases the loopback workspace can't play ----------
def test_enterprise_grid_same_org_is_internal_another_org_is_not():
    grid = Home(team="T1", enterprise="E1")
    assert grid.owns("T1") and grid.owns("E1") and grid.owns("T2") is None  # users.info decides
    assert Home(team="T1", enterprise=None).owns("T2") is False
    same_org = {"team_id": "T2", "enterprise_user": {"enterprise_id": "E1"}}
    assert user_is_outsider(same_org, grid) == ""
    assert user_is_outsider({"team_id": "T2", "enterprise_user": {"enterprise_id": "E9"}}, grid)
    assert user_is_outsider({"team_id": "T1"}, Home("T1", None)) == ""
    assert user_is_outsider({"team_id": "T1", "is_restricted": True}, Home("T1", None)) == "guest"
    assert user_is_outsider({"team_id": "T1", "is_bot": True}, Home("T1", None)) == "bot"
    assert user_is_outsider({"team_id": "T1", "deleted": True}, Home("T1", None)) == "deactivated"


def test_which_channels_include_outsiders():
    assert channel_is_external({"is_ext_shared": True})
    assert channel_is_external({"is_pending_ext_shared": True})
    assert channel_is_external({"is_shared": True})
    assert not channel_is_external({"is_shared": True, "is_org_shared": True})  # one Grid org
    assert not channel_is_external({"is_channel": True})


async def test_a_reminder_due_in_a_channel_since_shared_outside_names_nothing_there(owned, fake):
    from adapters import scheduler as sched
    from adapters.server import reminder_deliverers
    from tests.slack.test_workspaces import _make_due, meeting_form

    slack = owned
    day = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    posted = len(fake.of("chat.postMessage"))
    assert (await slack.post(meeting_form("T1", day).replace(b"C9", b"C1"), FORM)).status == 200
    await fake.wait_for("chat.postMessage", posted + 1)
    fake.channels["C1"] = {"is_shared": True, "is_ext_shared": True}  # shared with Microsoft since
    slack.server.app[SLACK].gate = type(slack.server.app[SLACK].gate)()  # past the channel cache
    assert await _make_due(slack) >= 1
    worker = sched.Scheduler(slack.rt, deliverers=reminder_deliverers(slack.server.app), owner="w-out")
    assert await worker.run_once() >= 1
    reminders = fake.of("chat.postMessage")[posted + 1 :]
    assert reminders and {r["text"] for r in reminders} == {slack.rt.kb.say("outsiders.reminder-withheld")}
    assert not leaked(reminders)


async def test_each_turn_carries_what_slack_vouches_for(owned, fake):
    """`Turn.is_admin` from users.info; `Turn.private_channel` only for a private channel that
    is shared with no one outside and has only our own people in it (docs/security.md)."""
    slack, seen = owned, []
    real = slack.rt.coach.handle

    async def spy(turn):
        seen.append(turn)
        return await real(turn)

    slack.rt.coach.handle = spy
    fake.people["UA"] = {"is_admin": True}
    fake.people["UG"] = {"is_restricted": True}
    fake.channels["GP"] = {"is_private": True}
    fake.channels["GQ"] = {"is_private": True}
    fake.rosters["GQ"] = ["U1", "UG", "UBOT"]
    fake.channels["GX"] = {"is_private": True, "is_shared": True, "is_ext_shared": True}
    asked = [("U1", "C1"), ("UA", "C1"), ("U1", "GP"), ("U1", "GQ"), ("U1", "GX")]
    for n, (user, channel) in enumerate(asked, 1):
        await slack.post(slash("help", user=user, channel=channel), FORM)
        async with asyncio.timeout(10):
            while len(seen) < n:  # noqa: ASYNC110 (the spy's list)
                await asyncio.sleep(0.01)
    got = [(t.user, t.conversation, t.is_admin, t.private_channel, t.audience_external) for t in seen]
    assert got == [
        ("U1", "C1", False, False, False),
        ("UA", "C1", True, False, False),
        ("U1", "GP", False, True, False),
        ("U1", "GQ", False, False, False),  # a guest is in it
        ("U1", "GX", False, False, True),  # shared with another organisation
    ]


async def test_a_command_in_a_shared_channel_the_coach_is_not_in_answers_through_the_response_url(
    owned, fake
):
    """conversations.info can't see the channel, so it counts as shared; the ephemeral post
    fails there, and the command's response_url answers the sender alone."""
    slack = owned
    fake.missing.add("CZ")
    await slack.post(command("help", user="U1", channel="CZ", response_url=fake.response_url("rz")), FORM)
    async with asyncio.timeout(10):
        while not fake.responses:  # noqa: ASYNC110 (the fake's list)
            await asyncio.sleep(0.01)
    (answer,) = fake.responses
    assert answer["response_type"] == "ephemeral" and answer["text"]
    assert not [p for p in fake.of("chat.postMessage") if p["channel"] == "CZ"]


async def test_a_form_opened_from_the_app_home_is_answered_in_the_owners_dm(owned, fake):
    posted = len(fake.of("chat.postMessage"))
    await owned.post(submission("Contoso M365", user="U1", channel="U1"), FORM)
    (*_, answer) = await fake.wait_for("chat.postMessage", posted + 1)
    assert answer["channel"] == "U1" and "Contoso M365" in answer["text"]
    assert fake.of("chat.postEphemeral") == []
