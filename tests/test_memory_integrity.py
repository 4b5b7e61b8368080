"""Deal memory: exactly-once events, one transaction per turn, tenants kept apart."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.actions import Payload
from bot.db.models import DealEvent, ProcessedEvent
from bot.features import skills_with
from bot.reply import Reply
from bot.skills import skill


async def count(engine, model) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(model))).scalar_one()


async def test_the_same_platform_event_twice_has_one_effect(coach, chat, deal, engine):
    from bot.turn import Turn

    turn = Turn("console", "t1", "c1", "u1", "note: sent once", event_id="Ev123")
    first = await coach.handle(turn)
    second = await coach.handle(turn)
    assert first is not None and second is None
    assert await count(engine, DealEvent) == 1
    assert await count(engine, ProcessedEvent) == 1


async def test_event_ids_are_per_tenant(coach, engine):
    from bot.turn import Turn

    a = await coach.handle(Turn("slack", "T_A", "c1", "u1", "help", event_id="Ev1"))
    b = await coach.handle(Turn("slack", "T_B", "c1", "u1", "help", event_id="Ev1"))
    assert a is not None and b is not None


SECRET = "boom: secret deal detail"


@skill("test.log_then_fail", payload=Payload)
async def log_then_fail(ctx, _: Payload) -> Reply:
    await ctx.log("note", {"text": "half-written"})
    raise RuntimeError(SECRET)


async def test_a_failing_turn_writes_nothing_and_shows_no_trace(chat, deal, engine, caplog):
    reply = await chat(action={"intent": "test.log_then_fail"})
    assert reply.intent == "error"
    assert "Traceback" not in reply.plain_text() and "boom" not in reply.plain_text()
    assert await count(engine, DealEvent) == 0
    assert "secret deal detail" not in caplog.text
    assert "RuntimeError" in caplog.text  # the failure itself is logged


async def test_workspaces_never_see_each_others_deals(chat):
    await chat("deal new Woodgrove EA renewal", tenant="A")
    await chat("note: A's private note", tenant="A")
    other = await chat("deal use Woodgrove EA renewal", tenant="B")
    assert other.headline.startswith("I don't know a deal called")
    assert (await chat("deal list", tenant="B")).headline.startswith("No deals yet")
    # B may have a deal of the same name; it is a different deal.
    await chat("deal new Woodgrove EA renewal", tenant="B")
    shown = await chat("deal show", tenant="B")
    assert "A's private note" not in shown.plain_text()


async def test_an_undo_button_cannot_reach_another_workspace(chat):
    await chat("deal new Woodgrove", tenant="A")
    noted = await chat("note: keep me", tenant="A")
    await chat("deal new Mine", tenant="B")
    # B replays A's undo payload: it names an event B cannot see.
    reply = await chat(action=noted.actions[0].payload, tenant="B")
    assert reply.headline.startswith("Nothing to undo")
    assert "keep me" in (await chat("deal show", tenant="A")).plain_text()


async def test_odd_input_is_handled_plainly(chat, deal, engine):
    for text in ["'; DROP TABLE deals; --", "\x00\x07\u202e\u200bhelp", "🤝" * 50, "Ω≈ç√∫˜µ≤≥÷"]:
        reply = await chat(text)
        assert reply.intent in ("unknown", "help")
    assert (await chat("deal list")).headline == "1 deal:"
    assert await count(engine, DealEvent) == 0


@skill("test.fail", needs_deal=False, payload=Payload)
async def fail(ctx, _: Payload) -> Reply:
    raise RuntimeError(SECRET)


async def test_a_first_turn_that_fails_leaves_no_workspace_behind(chat, engine):
    from bot.db.models import Tenant

    before = await count(engine, Tenant)
    reply = await chat(action={"intent": "test.fail"}, tenant="brand-new")
    assert reply.intent == "error"
    assert await count(engine, Tenant) == before
    assert (await chat("deal new Fresh", tenant="brand-new")).intent == "deal.new"


async def test_a_failed_turn_leaves_its_event_unclaimed_so_a_retry_is_answered(coach, deal, engine):
    # The claim (a hot statement on the connection) and the event the skill logged (through the
    # ORM session) share one transaction: the failure undoes both.
    from bot.turn import Turn

    failed = await coach.handle(
        Turn("console", "t1", "c1", "u1", action={"intent": "test.log_then_fail"}, event_id="Ev-9")
    )
    assert failed is not None and failed.intent == "error"
    assert await count(engine, DealEvent) == 0
    retried = await coach.handle(Turn("console", "t1", "c1", "u1", "note: second try", event_id="Ev-9"))
    assert retried is not None and retried.intent == "note"
    assert await coach.handle(Turn("console", "t1", "c1", "u1", "note: again", event_id="Ev-9")) is None
    assert await count(engine, DealEvent) == 1


@pytest.fixture
def skills():
    return skills_with(log_then_fail, fail)


@skill("test.fail_anywhere", needs_deal=False, payload=Payload)
async def fail_anywhere(ctx, _: Payload) -> Reply:
    raise RuntimeError(SECRET)


async def test_a_conversation_is_made_once_whatever_this_process_remembers(engine, kb, clock):
    """The coach makes a conversation it has not seen first (no read): one made by another
    process is found, with its active deal, and one whose turn rolled back is made again."""
    from bot.coach import Coach
    from bot.db.engine import session_factory
    from bot.db.models import Conversation
    from bot.turn import Turn

    sessions = session_factory(engine)
    other, ours = Coach(sessions, kb, clock=clock), Coach(sessions, kb, clock=clock)
    await other.handle(Turn("slack", "T1", "C1", "u1", "deal new Woodgrove EA renewal"))
    shown = await ours.handle(Turn("slack", "T1", "C1", "u1", "deal show"))
    assert shown is not None and "Woodgrove EA renewal" in shown.plain_text()
    assert await count(engine, Conversation) == 1

    failing = Coach(sessions, kb, clock=clock, skills=skills_with(fail_anywhere))
    failed = await failing.handle(
        Turn("slack", "T1", "C2", "u1", "", action={"intent": "test.log_then_fail"})
    )
    assert failed is not None and failed.intent == "error"
    assert await count(engine, Conversation) == 1  # rolled back with its turn
    again = await failing.handle(Turn("slack", "T1", "C2", "u1", "deal new Contoso renewal"))
    assert again is not None and "Contoso renewal" in again.plain_text()
    assert await count(engine, Conversation) == 2
    assert (await failing.handle(Turn("slack", "T1", "C2", "u1", "deal show"))).plain_text().count(
        "Contoso"
    ) >= 1
