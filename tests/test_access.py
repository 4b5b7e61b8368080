"""Who sees a deal, through the real core on both databases: members, sharing, a private
channel, the workspace's open-deals setting, reminders, and the audit trail (docs/security.md)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select, text

from bot.access import Person, named_people
from bot.db.engine import session_factory
from bot.db.models import DealAudit, DealMember, Reminder
from bot.memory import Memory
from bot.portable import export_named
from bot.reply import Reply
from bot.turn import Turn

DEAL = "Woodgrove EA renewal"
# A budget no other figure in a reply or a log line could be: planted, then looked for everywhere.
PLANTED = 7_654_321
PLANTED_FORMS = ("7654321", "7,654,321", "7.65M", "7.7M", "$7.65", "7654")


@pytest.fixture
def say(chat):
    """The `chat` fixture, with what a surface vouches for: `private=` (Turn.private_channel)
    and `admin=` (Turn.is_admin)."""

    async def turn(text: str = "", *, private: bool = False, admin: bool = False, **kw) -> Reply:
        return await chat(text, private_channel=private, is_admin=admin, **kw)

    return turn


async def _rows(engine, model) -> list:
    async with session_factory(engine)() as s:
        return list((await s.execute(select(model).order_by(model.id))).scalars())


async def test_a_colleague_sees_nothing_of_a_deal_until_it_is_shared(say):
    await say(f"deal new {DEAL}")
    await say(f"set budget per year: {PLANTED}")
    # In another conversation, u2 guesses the name: the same answer as a deal that does not exist.
    guessed = await say(f"deal use {DEAL}", user="u2", conversation="c2")
    unknown = await say("deal use Nothing Like It", user="u2", conversation="c2")
    assert guessed.headline == unknown.headline.replace("Nothing Like It", DEAL)
    assert guessed.headline == f"I don't know a deal called “{DEAL}”. You have no deals here yet."
    assert (await say("deals", user="u2", conversation="c2")).headline.startswith("No deals yet")
    taken = await say(f"deal new {DEAL}", user="u2", conversation="c2")
    assert taken.headline.startswith("That name is already used") and "deal use" not in taken.headline

    # In the conversation bound to u1's deal, u2 gets one line that names nothing.
    for asked in ("deal show", "should we escalate now?", "brief", "note: hi", "set budget per year: 5"):
        reply = await say(asked, user="u2")
        assert reply.headline.startswith("I can't open the deal this conversation is on"), asked
        assert reply.sections == [] and reply.actions == []
        shown = reply.plain_text()
        assert (
            DEAL not in shown and "Woodgrove" not in shown and "7.65" not in shown and "budget" not in shown
        )
    general = (await say("can I tell the CSM our budget?", user="u2")).plain_text()  # no deal needed
    assert DEAL not in general and "7.65" not in general
    # What needs no deal still works, on u2's own deals only.
    assert (await say("deals", user="u2")).headline.startswith("No deals yet")
    assert (await say("help", user="u2")).intent == "help"
    assert DEAL not in (await say("help", user="u2")).plain_text()

    shared = await say(f"deal share {DEAL} with <@u2>")
    assert shared.headline == f"Shared {DEAL} with u2. They can open it with `deal use {DEAL}`."
    assert (await say(f"deal use {DEAL}", user="u2", conversation="c2")).headline == f"Switched to {DEAL}."
    assert "$7.65M" in (await say("deal show", user="u2", conversation="c2")).plain_text()
    members = await say("who can see this deal?", user="u2", conversation="c2")
    assert [i.text for i in members.sections[0].items] == ["u1 (creator)", "u2"]

    gone = await say("unshare this deal from <@u2>")
    assert gone.headline == f"u2 can no longer see {DEAL}."
    after = await say("deal show", user="u2", conversation="c2")
    assert after.intent == "access.denied" and "7.65" not in after.plain_text()
    alone = await say("unshare this deal from <@u1>")
    assert alone.headline.startswith(DEAL + " needs at least one member")


async def test_a_named_deal_and_a_button_reach_only_members(say, coach):
    await say(f"deal new {DEAL}")
    await say(f"set budget per year: {PLANTED}")
    noted = await say("note: first round")
    other = await coach.handle(Turn("console", "t1", "c9", "u2", "deal show", extra={"deal": DEAL}))
    assert other is not None and other.intent == "unknown_deal"
    assert other.headline == f"I don't know a deal called “{DEAL}”."
    # A button pressed by someone else in the deal's conversation (an undo) does nothing.
    pressed = await say(action=noted.actions[0].payload, user="u2")
    assert pressed.intent == "access.denied"
    assert "first round" in (await say("deal show")).plain_text()


async def test_slack_shares_by_mention_only(say):
    await say(f"deal new {DEAL}", platform="slack", tenant="T1", user="U1")
    vague = await say("share this deal with Jane", platform="slack", tenant="T1", user="U1")
    assert vague.headline.startswith("Mention the people")
    both = await say("share this deal with <@U2|jane> and <@U3>", platform="slack", tenant="T1", user="U1")
    assert both.headline == f"Shared {DEAL} with <@U2>, <@U3>. They can open it with `deal use {DEAL}`."
    again = await say(f"deal share {DEAL} with <@U2>", platform="slack", tenant="T1", user="U1")
    assert again.headline == f"<@U2> can already see {DEAL}."
    seen = await say(f"deal use {DEAL}", platform="slack", tenant="T1", user="U3", conversation="D3")
    assert seen.headline == f"Switched to {DEAL}."


async def test_every_way_of_saying_share_and_unshare(say):
    slack = {"platform": "slack", "tenant": "T1", "user": "U1"}
    await say(f"deal new {DEAL}", **slack)
    await say("deal new Contoso Azure MACC", **slack)
    said = {
        f"deal share {DEAL} with <@U2>": f"Shared {DEAL} with <@U2>.",
        "share the deal with <@U3>": "Shared Contoso Azure MACC with <@U3>.",
        "give <@U4> access to this deal": "Shared Contoso Azure MACC with <@U4>.",
        f"deal unshare {DEAL} from <@U2>": f"<@U2> can no longer see {DEAL}.",
        "stop sharing this deal with <@U3>": "<@U3> can no longer see Contoso Azure MACC.",
        "remove <@U4> from this deal": "<@U4> can no longer see Contoso Azure MACC.",
        "deal unshare this deal from <@U9>": "<@U9> wasn't a member of Contoso Azure MACC.",
        "deal share Nope with <@U2>": "I don't know a deal called “Nope”.",
        f"deal share {DEAL}": f"Who should I share {DEAL} with?",
    }
    for message, expected in said.items():
        assert (await say(message, **slack)).headline.startswith(expected), message


def test_who_a_message_names():
    assert named_people("<@U2|jane>, <@U3> and <@W4>", "slack").people == ("U2", "U3", "W4")
    assert named_people("@jane", "slack").unclear
    assert named_people("this channel", "slack").channel
    assert named_people("@jane and bob", "console").people == ("jane", "bob")


async def test_a_private_channel_shares_a_deal_with_whoever_speaks_in_it(say):
    await say(f"deal new {DEAL}", conversation="G1", private=True)
    await say(f"set budget per year: {PLANTED}", conversation="G1", private=True)
    await say(f"deal use {DEAL}", conversation="C-public")
    refused = await say("share this deal with this channel", conversation="C-public")
    assert refused.headline.startswith("I can only share a deal with a private channel")
    shared = await say("share this deal with this channel", conversation="G1", private=True)
    assert shared.headline.startswith(f"Shared {DEAL} with this channel")

    # u3 speaks in the private channel: they see the deal there, and only there.
    assert "$7.65M" in (await say("deal show", user="u3", conversation="G1", private=True)).plain_text()
    elsewhere = await say(f"deal use {DEAL}", user="u3", conversation="D3")
    assert elsewhere.headline.startswith("I don't know a deal called")
    # The surface no longer vouches for the channel (made public, shared, a guest joined).
    now_open = await say("deal show", user="u3", conversation="G1", private=False)
    assert now_open.intent == "access.denied"

    await say("unshare this deal from this channel", conversation="G1", private=True)
    assert (await say("deal show", user="u3", conversation="G1", private=True)).intent == "access.denied"


async def test_a_workspace_admin_can_open_every_deal_to_everyone(say, engine):
    await say(f"deal new {DEAL}")
    denied = await say("workspace open-deals on", user="u2")
    assert denied.headline == "Only a workspace admin can change who sees deals."
    assert (await say("workspace open-deals", user="u2")).headline.startswith("Deals here are seen only by")
    opened = await say("workspace open-deals on", user="u9", admin=True)
    assert opened.headline.startswith("Done: every member of this workspace")
    assert (await say("deals", user="u2", conversation="c2")).headline == "1 deal:"
    assert (await say("deal show", user="u2")).intent == "deal.show"
    # Another workspace is not opened by it.
    assert (await say("deals", user="u2", tenant="t2")).headline.startswith("No deals yet")
    await say("workspace open-deals off", user="u9", admin=True)
    assert (await say("deal show", user="u2")).intent == "access.denied"
    settings = [r for r in await _rows(engine, DealAudit) if r.action == "open-deals"]
    assert [(r.actor, r.detail, r.deal_id) for r in settings] == [("u9", "on", None), ("u9", "off", None)]


async def test_reminders_are_listed_and_changed_only_for_ones_own_deals(say, engine):
    await say(f"deal new {DEAL}")
    await say("set renewal date: 2027-06-30")  # renewal nudges are scheduled
    mine = await say("reminders")
    assert mine.headline.startswith(f"Scheduled for {DEAL}:")
    (first, *_) = await _rows(engine, Reminder)
    theirs = await say("reminders", user="u2", conversation="c1")
    assert theirs.headline == "Nothing is scheduled for this conversation."
    cancel = await say(f"cancel reminder {first.id}", user="u2", conversation="c2")
    assert cancel.headline == "That reminder isn't scheduled any more."
    assert (await _rows(engine, Reminder))[0].status == "pending"


async def test_the_audit_trail_names_who_read_and_changed_what_never_a_value(say, engine, kb, clock, caplog):
    caplog.set_level(logging.DEBUG)
    await say(f"deal new {DEAL}", platform="slack", tenant="T1", user="U1", conversation="D1")
    slack = {"platform": "slack", "tenant": "T1", "user": "U1", "conversation": "D1"}
    await say(f"our budget is ${PLANTED:,} a year", **slack)
    await say("set walk-away price per year: 8100000", **slack)
    await say("deal show", **slack)
    await say("brief", **slack)
    await say("what's our renewal date?", **slack)  # reads nothing protected: not audited
    await say("deal share this deal with <@U2>", **slack)
    await say("deal show", platform="slack", tenant="T1", user="U3", conversation="D1")  # refused
    exported = await export_named(
        session_factory(engine), "slack", "T1", DEAL, clock(), person=Person("U1"), kb=kb
    )
    assert exported is not None
    sessions, stranger = session_factory(engine), Person("U3")
    assert await export_named(sessions, "slack", "T1", DEAL, clock(), person=stranger, kb=kb) is None

    rows = await _rows(engine, DealAudit)
    trail = [(r.actor, r.surface, r.action, r.detail, r.keys["keys"]) for r in rows]
    assert trail == [
        ("U1", "slack", "create", "creator", []),
        ("U1", "slack", "change", "fact", ["currency"]),  # the budget was said in dollars
        ("U1", "slack", "change", "fact", ["budget_per_year"]),
        ("U1", "slack", "change", "fact", ["budget_target_set"]),  # a stated budget is a target set
        ("U1", "slack", "read", "fact.stated", ["budget_per_year"]),
        ("U1", "slack", "change", "fact", ["walk_threshold_per_year"]),
        ("U1", "slack", "read", "fact.set", ["walk_threshold_per_year"]),
        ("U1", "slack", "read", "deal.show", ["budget_per_year", "walk_threshold_per_year"]),
        ("U1", "slack", "brief", "deal.brief", ["budget_per_year", "walk_threshold_per_year"]),
        ("U1", "slack", "share", "U2", []),
        ("U3", "slack", "denied", "deal.show", []),
        ("U1", "slack", "export", None, ["budget_per_year", "walk_threshold_per_year"]),
    ]
    assert all(r.at == clock() for r in rows)
    assert [a["action"] for a in exported["audit"]] == [t[2] for t in trail]  # its own row too

    # The value is nowhere in the trail, the export's trail, or any log line.
    stored = " ".join(f"{r.actor} {r.surface} {r.action} {r.detail} {r.keys}" for r in rows)
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    for form in (*PLANTED_FORMS, "8100000", "8,100,000", "8.1M"):
        assert form not in stored and form not in logged and form not in str(exported["audit"])


async def test_the_audit_trail_is_append_only_in_the_database(say, engine):
    await say(f"deal new {DEAL}")
    from sqlalchemy.exc import DBAPIError

    for statement in ("UPDATE deal_audit SET actor = 'someone else'", "DELETE FROM deal_audit"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(text(statement))
    assert [r.actor for r in await _rows(engine, DealAudit)] == ["u1"]


async def test_the_portfolio_of_a_person_is_their_deals(say, engine):
    await say(f"deal new {DEAL}")
    await say("deal new Contoso Azure MACC", user="u2", conversation="c2")
    await say("deal new Fabrikam EA", user="u2", conversation="c2")
    assert (await say("deals")).headline == "1 deal:"
    theirs = await say("deals", user="u2", conversation="c2")
    assert theirs.headline == "2 deals:" and DEAL not in theirs.plain_text()
    async with session_factory(engine)() as s:
        members = (await s.execute(select(func.count()).select_from(DealMember))).scalar_one()
        memory = await Memory.for_tenant(s, "console", "t1", _now())
        names = [d.name for d in await memory.list_deals(Person("u2"))]
        assert names == ["Contoso Azure MACC", "Fabrikam EA"]
        assert len(await memory.list_deals(None)) == 3
    assert members == 3


def _now():
    from datetime import UTC, datetime

    return datetime(2026, 11, 23, tzinfo=UTC)
