"""Forms live in bot/dialogue/forms.py: typed state stored with the conversation, so a form
suspended by a question survives a restart (SQLite and PostgreSQL) and resumes there; rows
stored before the typed state (`pending` = {"keys": [...]} with or without "suspended") still
load; an answer in another currency is noted in it."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.coach import Coach
from bot.db.engine import session_factory
from bot.db.models import FormState
from bot.dialogue import forms
from bot.dialogue.forms import Form
from bot.turn import Turn


def restarted(engine, kb, clock) -> Coach:
    return Coach(session_factory(engine), kb, clock=clock)  # a new process, same database


async def say(coach: Coach, text: str = "", action: dict | None = None):
    turn = (
        Turn("console", "t1", "c1", "u1", text)
        if action is None
        else Turn("console", "t1", "c1", "u1", "", action=action)
    )
    return await coach.handle(turn)


async def stored_form(coach: Coach) -> Form | None:
    async with coach.sessions() as s:
        row = (await s.execute(select(FormState))).scalars().first()
    return Form.of(row)


async def test_a_suspended_form_resumes_after_a_restart(chat, deal, engine, kb, clock):
    asked = await chat("draft a counter-proposal to the AE")
    assert asked.missing == ["counter_offer"]
    detour = await chat("which deals do we have?")
    assert detour.footer == "Back to the counter-proposal? 1 answer to go."
    fresh = restarted(engine, kb, clock)
    waiting = await stored_form(fresh)
    assert waiting is not None and waiting.suspended and waiting.keys == ("counter_offer",)
    assert waiting.intent == "draft.counter_proposal"
    back = await say(fresh, action={"intent": "form.resume"})
    assert back is not None and back.headline == "Back to the counter-proposal. Still need:"
    assert back.missing == ["counter_offer"]
    again = restarted(engine, kb, clock)
    noted = await say(again, "E5 at today's price for 3 years")
    assert noted is not None and "Our counter-proposal: E5 at today's price for 3 years" in noted.plain_text()
    after = await stored_form(again)  # answered: the question is closed (the draft may ask its next)
    assert after is None or "counter_offer" not in after.keys
    await fresh.close()
    await again.close()


async def test_a_form_stored_in_the_old_shape_still_loads(chat, deal, engine, kb, clock, coach):
    await chat("draft a counter-proposal to the AE")
    async with coach.sessions() as s, s.begin():  # as rows were written before the typed state
        await s.execute(update(FormState).values(pending={"keys": ["counter_offer", "no_longer_a_fact"]}))
    fresh = restarted(engine, kb, clock)
    noted = await say(fresh, "E5 at today's price for 3 years")
    assert noted is not None and "Our counter-proposal: E5 at today's price for 3 years" in noted.plain_text()
    await fresh.close()


async def test_a_suspended_old_row_waits_for_continue(chat, deal, engine, kb, clock, coach):
    await chat("draft a counter-proposal to the AE")
    async with coach.sessions() as s, s.begin():
        await s.execute(update(FormState).values(pending={"keys": ["counter_offer"], "suspended": True}))
    fresh = restarted(engine, kb, clock)
    back = await say(fresh, action={"intent": "form.resume"})
    assert back is not None and back.missing == ["counter_offer"]
    assert (await stored_form(fresh)) == Form(("counter_offer",), (await stored_form(fresh)).resume, False)
    await fresh.close()


async def test_an_answer_in_euros_is_noted_in_euros(chat, deal):
    asked = await chat(action={"intent": "escalation.update", "keys": ["deal_value_per_year"]})
    assert asked.missing == ["deal_value_per_year"]
    noted = await chat("about €900k a year")
    assert "Deal value per year: €900k" in noted.plain_text()
    assert "$900k" not in noted.plain_text()


def test_a_damaged_row_loads_as_an_empty_form_not_a_failed_turn():
    assert Form.stored(None, None) == Form((), {}, False)
    assert Form.stored({"keys": "counter_offer"}, ["x"]) == Form((), {}, False)
    old = Form.stored({"keys": ["a", "b"]}, {"intent": "walkaway.check", "user_text": "should we walk?"})
    assert old.pending() == {"keys": ["a", "b"]}  # written back in the shape it was read
    assert old.rerun() == ("walkaway.check", {}, "should we walk?")
    assert Form.stored({"keys": ["a"], "suspended": True}, {}).pending() == {"keys": ["a"], "suspended": True}


def test_cancel_drops_and_a_command_digresses(kb):
    form = Form(("counter_offer",), {"intent": "draft.counter_proposal"})
    common = dict(new_question=lambda t: None, told=lambda t: False, now=None, tz="UTC")
    dropped = forms.step(form, "cancel", kb, command="cancel", cancel=True, **common)
    assert isinstance(dropped, forms.Drop) and "counter-proposal" in dropped.headline
    away = forms.step(form, "deal list", kb, command="deal.list", cancel=False, **common)
    assert isinstance(away, forms.Digress) and away.intent == "deal.list" and away.form.suspended
