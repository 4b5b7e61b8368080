"""Forms: the coach asks for what it lacks, a person can wander off mid-form and come back,
and the state lives in the database (a new Coach on the same database carries on)."""

from __future__ import annotations

import pytest

from bot.actions import Payload
from bot.coach import Coach
from bot.db.engine import session_factory
from bot.features import skills_with
from bot.reply import Item, Reply, Section
from bot.skills import skill

KEYS = ["renewal_date", "deal_value_per_year"]


@skill("test.needs_facts", payload=Payload)
async def needs_facts(ctx, _: Payload) -> Reply:
    missing = ctx.missing(KEYS)
    if missing:
        return await ctx.ask(missing)
    facts = ctx.deal.facts
    return Reply(
        headline="All set.",
        intent="test.needs_facts",
        verdict="ok",
        sections=[
            Section(items=[Item(f"renews {facts['renewal_date']}, worth {facts['deal_value_per_year']:.0f}")])
        ],
    )


ASK = {"intent": "test.needs_facts"}


@pytest.fixture
def skills():
    return skills_with(needs_facts)


async def test_missing_facts_are_asked_for_with_their_kind(chat, deal):
    reply = await chat(action=ASK)
    assert reply.intent == "form.ask"
    assert reply.missing == KEYS
    assert [q.kind for q in reply.questions] == ["date", "money"]
    assert "Before I can say, 2 things about Woodgrove EA renewal" in reply.headline


async def test_one_answer_can_fill_several_questions_then_the_question_resumes(chat, deal):
    await chat(action=ASK)
    reply = await chat("we renew on 30 June 2027 and the agreement is about $2.4m a year")
    assert reply.verdict == "ok"
    assert "renews 2027-06-30, worth 2400000" in reply.plain_text()
    assert "Noted Renewal date: 2027-06-30; Deal value per year: $2.4M." in reply.plain_text()


async def test_a_partial_answer_asks_only_for_the_rest(chat, deal):
    await chat(action=ASK)
    reply = await chat("renewal is 2027-06-30")
    assert reply.intent == "form.ask"
    assert reply.missing == ["deal_value_per_year"]
    done = await chat("$2.4m")
    assert done.verdict == "ok"


async def test_a_question_mid_form_is_answered_and_the_form_waits(chat, deal):
    await chat(action=ASK)
    detour = await chat("deal list")  # something else entirely
    assert detour.intent == "deal.list"
    assert detour.footer == "Back to my questions? 2 answers to go."
    assert [a.label for a in detour.actions][-2:] == ["Continue", "Drop"]
    back = await chat("renewal 2027-06-30, and roughly 2.4 million per year on the agreement")
    assert back.verdict == "ok"


async def test_an_unreadable_answer_repeats_the_questions(chat, deal):
    await chat(action=ASK)
    reply = await chat("hmm, purple")  # ("not sure" is an answer: see test_forms_never_trap.py)
    assert reply.intent == "form.ask"
    assert reply.headline.startswith("I couldn't read an answer")


async def test_cancel_drops_the_form(chat, deal):
    await chat(action=ASK)
    assert (await chat("cancel")).intent == "form.cancel"
    assert (await chat("2027-06-30")).intent != "form.ask"  # no longer read as an answer


async def test_form_state_survives_a_restart(chat, deal, engine, kb, clock):
    await chat(action=ASK)
    fresh = Coach(
        session_factory(engine), kb, clock=clock, skills=skills_with(needs_facts)
    )  # a new process, same database
    from bot.turn import Turn

    reply = await fresh.handle(
        Turn("console", "t1", "c1", "u1", "renewal 2027-06-30, agreement $2.4m per year")
    )
    await fresh.close()
    assert reply is not None and reply.verdict == "ok"


async def test_buttons_and_card_inputs_answer_the_form(chat, deal):
    await chat(action=ASK)
    half = await chat(action={"intent": "form.answer", "answers": {"renewal_date": "2027-06-30"}})
    assert half.missing == ["deal_value_per_year"]
    junk = await chat(action={"intent": "form.answer", "answers": {"deal_value_per_year": "lots", "x": 1}})
    assert junk.headline.startswith("I couldn't read an answer")
    done = await chat(action={"intent": "form.answer", "answers": {"deal_value_per_year": "2400000"}})
    assert done.verdict == "ok"
    stale = await chat(action={"intent": "form.answer", "answers": {"renewal_date": "2028-01-01"}})
    assert stale.headline == "Those questions were already answered or dropped."
