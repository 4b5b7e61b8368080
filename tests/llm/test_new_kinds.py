"""The counter-proposal and the agenda request through the real core with an LLM (the loopback
server), and the output checks with the REAL leak check (bot/playbooks/leakcheck.py) as
`coach serve` wires it: a draft that gives away the budget or an urgency date is repaired
once or replaced by the template."""

from __future__ import annotations

import pytest

from bot.coach import Coach
from bot.db.engine import session_factory
from bot.llm.setup import drafter_from_env
from bot.services import CoachServices
from bot.turn import Turn
from tests.llm.conftest import assert_no_canary, settings_for

COUNTER = (
    "Hi Jane,\n\nThank you for the latest proposal. We propose E5 at today's price for 3 years. "
    "It is fair because we add E3 to E5 upgrades over the term, on an agreement worth $2.4M a year. "
    "Could you send a revised quote that reflects this?\n\nThanks,"
)
AGENDA = (
    "Hi Jane,\n\nAhead of our pricing meeting on Thursday, could you share the agenda a couple of days "
    "before? We would like to add one item: a price hold on E5 for the full term.\n\nThanks,"
)


@pytest.fixture
async def talk(engine, kb, clock, llm):
    """`await talk(text)` against a coach whose drafter is the one `coach serve` builds."""
    sessions = session_factory(engine)
    drafter = drafter_from_env(kb, sessions=sessions, settings=settings_for(llm))
    assert drafter is not None and drafter.leak_check is not None  # the people playbooks' check
    coach = Coach(sessions, kb, clock=clock, services=CoachServices(drafter=drafter))

    async def say(text: str = "", action: dict | None = None):
        reply = await coach.handle(
            Turn(platform="console", tenant="t1", conversation="c1", user="u1", text=text, action=action)
        )
        assert reply is not None
        return reply

    await say("deal new Woodgrove EA renewal")
    await say("log commitment: Jane Doe (AE) promised named unit prices in the quote")
    await say("set deal value per year: $2.4M")
    await say("set renewal date: 2027-06-30")
    await say("set budget ceiling: $1,937,411")
    yield say
    await coach.close()
    await drafter.aclose()  # its HTTP client: a kept-alive connection must not outlive the test


async def _counter(talk):
    await talk("set counter offer: E5 at today's price for 3 years")
    await talk("set why it is fair: E3 to E5 upgrades over the term")
    return await talk("draft a counter-proposal to the AE")


async def test_counter_proposal_drafted_by_the_llm_from_allowed_facts(talk, llm):
    llm.script = [COUNTER]
    reply = await _counter(talk)
    assert reply.intent == "draft.counter_proposal"
    assert (reply.draft, reply.draft_source) == (COUNTER, "llm")
    assert "llm.drafted" in reply.rules
    sent = llm.requests[-1].raw
    assert "E5 at today's price for 3 years" in sent and "E3 to E5 upgrades" in sent
    assert_no_canary(llm)


async def test_agenda_request_drafted_by_the_llm(talk, llm):
    await talk("prep me for the pricing meeting with the AE on Thursday")
    llm.script = [AGENDA]
    reply = await talk("draft agenda request: a price hold on E5 for the full term")
    assert reply.intent == "draft.agenda_request"
    assert (reply.draft, reply.draft_source) == (AGENDA, "llm")
    assert "a price hold on E5 for the full term" in llm.requests[-1].raw
    assert "2027-06-30" not in llm.requests[-1].raw  # the renewal date is not on this kind's allow-list
    assert_no_canary(llm)


async def test_a_budget_leak_is_repaired_by_the_real_leak_check(talk, llm):
    # $2.4M is a figure the deal holds, so only the leak check can object to this sentence.
    llm.script = [COUNTER + "\nOur budget is approved up to $2.4M, so there is room.", COUNTER]
    reply = await _counter(talk)
    assert (reply.draft, reply.draft_source) == (COUNTER, "llm")
    assert "gives away budget" in reply.plain_text() and "rewritten once" in reply.plain_text()
    assert "gives away budget" in llm.requests[-1].user  # the repair request names the problem


async def test_an_urgency_date_twice_gives_the_template(talk, llm):
    # 30 June is the renewal date the deal holds: allowed as a figure, caught as urgency.
    urgent = COUNTER + "\nWe need this signed by 30 June because of our fiscal year end."
    llm.script = [urgent, urgent]
    reply = await _counter(talk)
    assert reply.draft_source == "template"
    assert "signed by 30 June" not in (reply.draft or "")
    assert "Our counter-proposal: E5 at today's price for 3 years." in (reply.draft or "")
    assert "gives away urgency" in reply.plain_text() and "failed my checks twice" in reply.plain_text()
    assert len(llm.requests) == 2
