"""Modals, the message shortcut and App Home against the people, leak-check and escalation skills:
signed view_submission / message_action / app_home_opened requests through the real server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from tests.slack.fakes import command, event, interaction, signed

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
_views = iter(range(1, 10_000))


def submission(kind: str, fields: dict[str, str]) -> bytes:
    """A view_submission as Slack sends it, each field in its element's own state shape."""
    shapes = {"on": "selected_date", "by": "selected_date", "at": "selected_time"}
    options = {"role", "direction", "size"}
    values = {}
    for key, value in fields.items():
        if key in options:
            values[key] = {key: {"type": "x", "selected_option": {"value": value}}}
        else:
            values[key] = {key: {"type": "x", shapes.get(key, "value"): value}}
    n = next(_views)
    return interaction(
        {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": {"id": "U1"},
            "api_app_id": "A1",
            "view": {
                "id": f"VP{n}",
                "type": "modal",
                "hash": f"h{n}",
                "callback_id": f"coach.modal.{kind}",
                "private_metadata": json.dumps({"channel": "C1", "thread_ts": None}),
                "state": {"values": values},
            },
        }
    )


async def start_deal(slack, fake) -> None:
    await slack.post(command("deal new Woodgrove EA renewal"), FORM)
    await fake.wait_for("chat.postMessage")


async def submit(slack, fake, kind: str, fields: dict[str, str], n: int) -> dict:
    resp = await slack.post(submission(kind, fields), FORM)
    assert resp.status == 200
    posts = await fake.wait_for("chat.postMessage", n)
    return posts[n - 1]


async def events(slack, kind: str) -> list[dict]:
    async with slack.rt.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT payload FROM deal_events WHERE kind = :k ORDER BY id"), {"k": kind}
        )
        return [p if isinstance(p, dict) else json.loads(p) for (p,) in rows]


async def test_modals_offer_the_knowledge_base_roles(slack, fake):
    await slack.post(command("log favor"), FORM)
    (opened,) = await fake.wait_for("views.open")
    blocks = {b["block_id"]: b["element"] for b in opened["view"]["blocks"]}
    roles = [o["value"] for o in blocks["role"]["options"]]
    assert roles == list(slack.rt.kb.roles)
    assert {"direction", "who", "what", "size"} <= set(blocks)


async def test_favor_modal_logs_the_favor_with_its_contact_and_answers_with_the_jar(slack, fake):
    await start_deal(slack, fake)
    fields = {"direction": "asked", "who": "Ana", "role": "csm", "what": "expedite the Purview workshop"}
    post = await submit(slack, fake, "favor", fields, 2)
    assert post["text"].startswith("Logged: asked Ana — expedite the Purview workshop.")
    assert "jar about" in json.dumps(post["blocks"])
    (favor,) = await events(slack, "favor")
    assert favor["contact"] == "Ana" and favor["role"] == "csm" and favor["direction"] == "asked"
    assert favor["what"] == "expedite the Purview workshop" and favor["size"] == "medium"
    (contact,) = await events(slack, "contact")
    assert contact["name"] == "Ana"


async def test_favor_modal_given_and_received_with_a_size(slack, fake):
    await start_deal(slack, fake)
    given = {"direction": "given", "who": "Jane", "role": "ae", "what": "a reference call", "size": "large"}
    post = await submit(slack, fake, "favor", given, 2)
    assert "Logged: given Jane — a reference call." in post["text"]
    got = {"direction": "received", "who": "Tom Reyes", "role": "ts", "what": "early access to the preview"}
    post = await submit(slack, fake, "favor", got, 3)
    assert "Logged: received Tom Reyes — early access to the preview." in post["text"]
    favors = await events(slack, "favor")
    assert [(f["contact"], f["direction"], f["size"]) for f in favors] == [
        ("Jane", "given", "large"),
        ("Tom Reyes", "received", "medium"),
    ]


async def test_commitment_modal_logs_a_verbal_commitment(slack, fake):
    await start_deal(slack, fake)
    fields = {"who": "Raj", "role": "ae", "what": "hold the Copilot price until June", "by": "2027-01-15"}
    post = await submit(slack, fake, "commitment", fields, 2)
    assert "Raj (AE) promised hold the Copilot price until June by 2027-01-15" in post["text"]
    assert "verbal only" in post["text"]
    (c,) = await events(slack, "commitment")
    assert c == {
        "contact": "Raj",
        "role": "ae",
        "what": "hold the Copilot price until June by 2027-01-15",
        "status": "verbal",
    }
    buttons = [e for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert any("confirming our conversation" in b["text"]["text"] for b in buttons)


async def test_meeting_modal_logs_the_meeting_and_schedules_its_reminders(slack, fake):
    await start_deal(slack, fake)
    day = (datetime.now(UTC) + timedelta(days=7)).date()
    fields = {"role": "ts", "topic": "architecture session", "on": day.isoformat(), "at": "14:30"}
    post = await submit(slack, fake, "meeting", fields, 2)
    assert "14:30 — technical specialist, architecture session" in post["text"]
    (meeting,) = await events(slack, "meeting")
    assert meeting["role"] == "ts" and meeting["has_time"] is True
    when = datetime.fromisoformat(meeting["when"])
    assert when.date() == day and when.utcoffset() == timedelta(0)
    async with slack.rt.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT kind, status, due_at FROM reminders ORDER BY due_at"))).all()
    kinds = {k for k, _, _ in rows}
    assert {"meeting.before", "meeting.after"} <= kinds
    assert all(status == "pending" for _, status, _ in rows)


async def test_meeting_times_are_read_in_the_users_own_slack_time_zone(slack, fake):
    fake.zones["U1"] = "Europe/Oslo"  # UTC+1 in winter
    await start_deal(slack, fake)
    fields = {"role": "ae", "topic": "pricing meeting", "on": "2027-01-12", "at": "14:30"}
    await submit(slack, fake, "meeting", fields, 2)
    (meeting,) = await events(slack, "meeting")
    assert fake.of("users.info")[0]["user"] == "U1"
    assert datetime.fromisoformat(meeting["when"]) == datetime(2027, 1, 12, 13, 30, tzinfo=UTC)


async def test_modal_rejects_what_the_skills_cannot_read(slack, fake):
    body = submission("favor", {"direction": "asked", "who": "Ana (CSM)", "role": "cfo", "what": "x"})
    url = slack.server.make_url("/slack/events")
    async with slack.session.post(url, data=body, headers=signed(body, FORM)) as resp:
        answer = await resp.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"who", "role"}
    assert slack.done == []


def test_submissions_hand_their_typed_values_straight_to_the_skill():
    from adapters.slack.modals import submission as turn_args

    roles = (("Customer success manager", "csm"), ("Account executive", "ae"), ("Technical specialist", "ts"))
    fav = turn_args(
        "favor", {"direction": "asked", "who": "Ana", "role": "csm", "what": "to run a workshop"}, roles
    )
    assert fav == {
        "action": {
            "intent": "favors.log",
            "contact": "Ana",
            "role": "csm",
            "what": "run a workshop",
            "direction": "asked",
            "user_text": "log favor: asked Ana (customer success manager) to run a workshop",
        }
    }
    com = turn_args("commitment", {"who": "Raj", "role": "ae", "what": "a price hold.", "by": ""}, roles)
    assert com["action"] == {
        "intent": "commitments.log",
        "contact": "Raj",
        "role": "ae",
        "what": "a price hold",
        "user_text": "log commitment: Raj (account executive) promised a price hold",
    }
    meet = turn_args("meeting", {"role": "ts", "topic": "pricing call", "on": "2026-12-01", "at": ""}, roles)
    assert meet["action"] == {
        "intent": "meeting.prep",
        "role": "ts",
        "topic": "pricing call",
        "on": "2026-12-01",
        "user_text": "prep me for: the pricing call with the ts on 2026-12-01",
    }
    assert turn_args("new_deal", {"name": "Contoso  M365"}, roles) == {
        "action": {"intent": "deal.new", "name": "Contoso M365", "user_text": "deal new Contoso M365"}
    }


async def test_a_modal_favor_is_logged_as_typed_not_read_back_from_a_sentence(slack, fake):
    """The person picked "Large" for a favor whose words say "small": written out as a
    sentence and read again, the words won ("small") and ", large" stuck to what was asked.
    Typed values are recorded as they are."""
    await start_deal(slack, fake)
    fields = {
        "direction": "asked",
        "who": "Ana",
        "role": "csm",
        "what": "a small Purview workshop for 40 people",
        "size": "large",
    }
    await submit(slack, fake, "favor", fields, 2)
    (favor,) = await events(slack, "favor")
    assert (favor["contact"], favor["role"], favor["direction"]) == ("Ana", "csm", "asked")
    assert favor["size"] == "large"
    assert favor["what"] == "a small Purview workshop for 40 people"


def shortcut(message: str, fake) -> bytes:
    return interaction(
        {
            "type": "message_action",
            "callback_id": "check_before_sending",
            "team": {"id": "T1"},
            "user": {"id": "U1"},
            "channel": {"id": "C1"},
            "message": {"ts": "5.5", "text": message},
            "message_ts": "5.5",
            "response_url": fake.response_url(),
        }
    )


async def test_check_before_sending_flags_a_leaky_message_only_to_the_asker(slack, fake):
    leaky = "Our CFO has signed off on up to $900k, so if you can get close to that we can move fast."
    assert (await slack.post(shortcut(leaky, fake), FORM)).status == 200
    (eph,) = await fake.wait_for("chat.postEphemeral")
    assert eph["user"] == "U1" and eph["channel"] == "C1"
    (reply,) = await slack.turns(1)
    assert reply.intent == "leakcheck" and reply.verdict == "flagged"
    rules = [i.rule for s in reply.sections for i in s.items if i.rule]
    assert "disclosure.budget" in rules
    shown = json.dumps(eph["blocks"], ensure_ascii=False)
    assert "Hold on" in eph["text"]
    assert "“" in shown and "$900k" in shown  # the flagged passage is quoted back
    assert "disclosure.budget" in shown  # the rule id is cited
    assert fake.of("chat.postMessage") == []


async def test_check_before_sending_passes_a_clean_message(slack, fake):
    clean = "Could we book the Purview workshop for next Tuesday? Thanks for the slides!"
    await slack.post(shortcut(clean, fake), FORM)
    (eph,) = await fake.wait_for("chat.postEphemeral")
    (reply,) = await slack.turns(1)
    assert reply.verdict == "clean"
    assert eph["text"].startswith("Clean.") and "leakcheck.clean" in json.dumps(eph["blocks"])
    assert fake.of("chat.postMessage") == []


async def test_app_home_shows_what_needs_attention_by_the_real_names(slack, fake):
    await start_deal(slack, fake)
    day = datetime.now(UTC).date() + timedelta(days=3)
    await submit(slack, fake, "commitment", {"who": "Raj", "role": "ae", "what": "a price hold"}, 2)
    await submit(slack, fake, "commitment", {"who": "Raj", "role": "ae", "what": "free Copilot pilot"}, 3)
    await submit(slack, fake, "commitment", {"who": "Ana", "role": "csm", "what": "a FastTrack team"}, 4)
    await submit(slack, fake, "meeting", {"role": "ae", "topic": "pricing meeting", "on": day.isoformat()}, 5)
    ids = [c["id"] for c in await _commitment_ids(slack)]
    await slack.post(command(f"commitment {ids[1]} requested in writing"), FORM)
    await slack.post(command(f"commitment {ids[2]} in contract"), FORM)
    await slack.post(command("set internal alignment: IT and Finance yes, procurement not yet"), FORM)
    await fake.wait_for("chat.postMessage", 8)
    assert "internal_alignment" in json.dumps(await events(slack, "fact"))
    await slack.post(event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}), JSON)
    (pub,) = await fake.wait_for("views.publish")
    shown = json.dumps(pub["view"]["blocks"])
    assert "internal alignment: Procurement not on board" in shown
    assert "1 commitment verbal only" in shown
    assert "1 commitment asked in writing, not in the contract" in shown
    assert f"next meeting {day:%a %d %b}: pricing meeting with the account executive" in shown


async def _commitment_ids(slack) -> list[dict]:
    async with slack.rt.engine.connect() as conn:
        rows = await conn.execute(text("SELECT id FROM deal_events WHERE kind = 'commitment' ORDER BY id"))
        return [{"id": i} for (i,) in rows]


def test_attention_is_quiet_when_all_is_settled():
    from bot.features import default_knowledge
    from bot.portfolio import attention
    from bot.timeline import Event, make_view

    kb = default_knowledge()

    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    past = (now - timedelta(days=2)).isoformat()
    settled = [
        Event(1, "fact", {"key": "internal_alignment", "value": "everyone is aligned"}, "U1", now),
        Event(2, "commitment", {"contact": "Raj", "role": "ae", "what": "x", "status": "verbal"}, "U1", now),
        Event(3, "commitment_update", {"commitment_id": 2, "status": "in_contract"}, "U1", now),
        Event(4, "meeting", {"role": "ae", "topic": "pricing", "when": past}, "U1", now),
    ]
    assert attention(make_view(1, "D", settled), kb, now) == []
    # One step back on each and all three show again.
    ahead = (now + timedelta(hours=2)).isoformat()
    open_ = [
        Event(1, "fact", {"key": "internal_alignment", "value": "IT yes, finance not yet"}, "U1", now),
        Event(2, "commitment", {"contact": "Raj", "role": "ae", "what": "x", "status": "verbal"}, "U1", now),
        Event(3, "commitment_update", {"commitment_id": 2, "status": "requested_in_writing"}, "U1", now),
        Event(4, "meeting", {"role": "ae", "title": "Pricing with the AE", "when": ahead}, "U1", now),
    ]
    assert attention(make_view(1, "D", open_), kb, now) == [
        "internal alignment: Finance not on board",
        "1 commitment asked in writing, not in the contract",
        "next meeting Mon 23 Nov: Pricing with the AE",
    ]
