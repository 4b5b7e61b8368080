"""The leak check's rewrite, polished by the LLM (the loopback server) and checked again before it
is shown: a polished text that still gives something away is never offered, and the words that
leaked never reach the model."""

from __future__ import annotations

import pytest

from bot.coach import Coach
from bot.db.engine import session_factory
from bot.llm.setup import drafter_from_env
from bot.services import CoachServices
from bot.turn import Turn
from tests.llm.conftest import settings_for

MESSAGE = (
    "Hi Jane,\n\nThanks for the revised quote. Finance has cleared 1,5 Mio € a year for this renewal, "
    "so if you can get close to that we are good to go.\n\nCould you split out the Copilot line?\n\n"
    "Best,\nMarta"
)
POLISHED = (
    "Hi Jane,\n\nThank you for the revised quote. We are evaluating the proposal on value; could you send "
    "an itemised quote with named unit prices, and split out the Copilot line?\n\nBest,\nMarta"
)
STILL_LEAKS = POLISHED.replace("Best,", "We are under real time pressure, so speed matters.\n\nBest,")


@pytest.fixture
async def talk(engine, kb, clock, llm):
    sessions = session_factory(engine)
    drafter = drafter_from_env(kb, sessions=sessions, settings=settings_for(llm))
    assert drafter is not None
    coach = Coach(sessions, kb, clock=clock, services=CoachServices(drafter=drafter))

    async def say(text: str = "", action: dict | None = None):
        reply = await coach.handle(
            Turn(platform="console", tenant="t1", conversation="c1", user="u1", text=text, action=action)
        )
        assert reply is not None
        return reply

    await say("deal new Woodgrove EA renewal")
    await say("set budget_per_year: 1500000")
    yield say
    await coach.close()
    await drafter.aclose()  # its HTTP client: a kept-alive connection must not outlive the test


async def test_the_rewrite_is_polished_by_the_llm_and_shown_when_it_is_clean(talk, llm):
    llm.script = [POLISHED]
    reply = await talk(f"check before I send it to the AE: {MESSAGE}")
    assert reply.verdict == "flagged" and "leakcheck.budget-amount" in reply.rules
    assert (reply.draft, reply.draft_source) == (POLISHED, "llm")
    sent = llm.requests[-1].raw
    assert "1,5 Mio" not in sent and "cleared" not in sent  # the leaking sentence never reaches the model
    assert "Copilot line" in sent  # the rest of the message does


async def test_a_polished_text_that_still_leaks_is_never_shown(talk, llm):
    llm.script = [STILL_LEAKS, STILL_LEAKS]
    reply = await talk(f"check before I send it to the AE: {MESSAGE}")
    assert reply.draft_source == "template"
    assert reply.draft is not None and "time pressure" not in reply.draft and "1,5 Mio" not in reply.draft
    assert "Could you split out the Copilot line?" in reply.draft
    assert "Hi Jane," in reply.draft and "Marta" in reply.draft  # greeting and signature kept
