"""The per-tenant daily budget (llm_usage, race-safe upsert), the kill switch, and follow-ups
on the last draft through the real core: "shorter", "more formal", "add the price-cap ask"."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert
from sqlalchemy import text as sql

from bot.coach import Coach
from bot.db.engine import session_factory
from bot.db.models import Tenant
from bot.llm.usage import take_request, used
from bot.services import CoachServices
from bot.turn import Turn
from tests.llm.conftest import GOOD, TEMPLATE, TEST_SKILLS, assert_no_canary, request

DAY = "2026-11-23"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def _tenants(sessions, n: int = 2) -> list[int]:
    async with sessions() as s, s.begin():
        for i in range(n):
            await s.execute(insert(Tenant).values(platform="console", external_id=f"t{i}", created_at=NOW))
    return list(range(1, n + 1))


async def test_the_daily_budget_stops_llm_calls_per_tenant(llm, make_drafter, engine):
    sessions = session_factory(engine)
    a, b = await _tenants(sessions)
    drafter = make_drafter(sessions=sessions, COACH_LLM_DAILY_BUDGET="2")
    llm.default = GOOD
    for _ in range(2):
        assert (await drafter.draft(request(tenant=a, now=NOW))).source == "llm"
    over = await drafter.draft(request(tenant=a, now=NOW))
    assert over.source == "template" and "allowance" in (over.reason or "")
    assert len(llm.requests) == 2  # the third never reached the server
    assert (await drafter.draft(request(tenant=b, now=NOW))).source == "llm"  # another workspace
    tomorrow = datetime(2026, 11, 24, 0, 1, tzinfo=UTC)
    assert (await drafter.draft(request(tenant=a, now=tomorrow))).source == "llm"  # a new day
    async with sessions() as s:
        assert await used(s, a, DAY) == (2, 240)
        assert await used(s, b, DAY) == (1, 120)


async def test_a_repair_counts_against_the_budget(llm, make_drafter, engine):
    sessions = session_factory(engine)
    (a,) = await _tenants(sessions, 1)
    llm.script = [GOOD + " Or else."]
    result = await make_drafter(sessions=sessions, COACH_LLM_DAILY_BUDGET="1").draft(
        request(tenant=a, now=NOW)
    )
    assert result.source == "template" and "allowance" in (result.reason or "")
    assert len(llm.requests) == 1


async def test_concurrent_takes_never_exceed_the_budget(engine):
    sessions = session_factory(engine)
    (a,) = await _tenants(sessions, 1)

    async def take() -> bool:
        async with sessions() as s, s.begin():
            return await take_request(s, a, DAY, 5)

    got = await asyncio.gather(*(take() for _ in range(12)))
    assert sum(got) == 5
    async with sessions() as s:
        assert await used(s, a, DAY) == (5, 0)


async def test_the_kill_switch_sends_nothing(llm, make_drafter):
    result = await make_drafter(COACH_LLM_DISABLED="true").draft(request())
    assert (result.source, result.text) == ("template", TEMPLATE)
    assert "switched off" in (result.reason or "")
    assert llm.requests == []


# --- follow-ups through the core ----------------------------------------------------------


@pytest.fixture
async def say(engine, kb, clock):
    made: list[Coach] = []

    def make(drafter):
        coach = Coach(
            session_factory(engine),
            kb,
            clock=clock,
            services=CoachServices(drafter=drafter),
            skills=TEST_SKILLS,
        )
        made.append(coach)

        async def say(text: str = "", action: dict | None = None):
            reply = await coach.handle(
                Turn(platform="console", tenant="t1", conversation="c1", user="u1", text=text, action=action)
            )
            assert reply is not None
            return reply

        return say

    yield make
    for coach in made:
        await coach.close()


async def test_follow_ups_rerun_the_drafter_with_every_instruction(llm, make_drafter, say, engine):
    chat = say(make_drafter(sessions=session_factory(engine)))
    await chat("deal new Woodgrove EA renewal")
    llm.default = GOOD
    first = await chat(action={"intent": "test.template_draft"})
    assert (first.draft, first.draft_source) == (GOOD, "llm")
    assert "llm.drafted" in first.rules

    llm.default = (
        "Dear Area Vice President,\n\nAfter 3 rounds we are still apart on the 12% uplift on E5. "
        "Could we meet to settle it?\n\nKind regards,\nChief Financial Officer"
    )
    short = await chat("shorter")
    assert (short.intent, short.verdict, short.draft_source) == ("draft.revise", "revised", "llm"), (
        short.plain_text()
    )
    assert short.draft == llm.default
    formal = await chat("more formal")
    assert formal.verdict == "revised"
    cap = await chat("add the price-cap ask")
    assert cap.verdict == "revised"
    import json
    import re

    def requests_of(rec) -> list[str]:
        m = re.search(r"<<<REQUESTS (\w+)\n(.*)\nREQUESTS \1>>>", rec.user, re.DOTALL)
        return json.loads(m.group(2)) if m else []

    assert requests_of(llm.requests[0]) == []
    assert requests_of(llm.requests[1]) == ["shorter"]
    assert requests_of(llm.requests[2]) == ["shorter", "more formal"]
    assert requests_of(llm.requests[3]) == ["shorter", "more formal", "add the price-cap ask"]
    # Every follow-up starts from the template, never from a previous LLM draft.
    assert all("Could we find time in the next two weeks" in r.user for r in llm.requests)
    assert_no_canary(llm)


async def test_a_follow_up_whose_draft_fails_shows_the_template_and_why(llm, make_drafter, say, engine):
    chat = say(make_drafter(sessions=session_factory(engine)))
    await chat("deal new Woodgrove EA renewal")
    llm.default = GOOD
    await chat(action={"intent": "test.template_draft"})
    llm.script = [GOOD + " Or else.", GOOD + " Last chance."]
    reply = await chat("make it friendlier")
    assert (reply.verdict, reply.draft, reply.draft_source) == ("template", TEMPLATE, "template")
    assert "llm.template" in reply.rules and "a threat" in reply.plain_text()


async def test_follow_up_without_a_draft(llm, make_drafter, say):
    chat = say(make_drafter())
    await chat("deal new Woodgrove EA renewal")
    reply = await chat("shorter")
    assert (reply.intent, reply.verdict) == ("draft.revise", "no_draft")
    assert "llm.no-draft" in reply.rules and llm.requests == []


async def test_follow_up_without_an_llm(say):
    chat = say(None)
    await chat("deal new Woodgrove EA renewal")
    first = await chat(action={"intent": "test.template_draft"})
    assert (first.draft, first.draft_source) == (TEMPLATE, "template")
    reply = await chat("more formal")
    assert (reply.verdict, reply.rules) == ("needs_llm", ["llm.revise-needs-llm"])


def test_follow_up_phrases_are_understood(kb):
    from bot.understand import understand

    for text in ("shorter", "more formal", "add the price-cap ask", "make it friendlier", "Shorter please"):
        got = understand(text, kb)
        assert got is not None and got.name == "draft.revise", text
    for text in ("should we escalate now?", "add a note that the CFO called", "the AE said this is final"):
        got = understand(text, kb)
        assert got is None or got.name != "draft.revise", text


async def test_a_slow_model_holds_no_database_lock_while_it_writes(llm, make_drafter, engine, kb, clock):
    """The LLM call runs after the turn commits: while one person waits for a slow draft,
    another conversation's turn (a write) goes through at once, on SQLite too."""
    drafter = make_drafter(sessions=session_factory(engine))
    coach = Coach(
        session_factory(engine), kb, clock=clock, services=CoachServices(drafter=drafter), skills=TEST_SKILLS
    )

    async def say(text: str = "", action: dict | None = None, conversation: str = "c1"):
        reply = await coach.handle(Turn("console", "t1", conversation, "u1", text=text, action=action))
        assert reply is not None
        return reply

    await say("deal new Woodgrove EA renewal")
    await say("deal new Contoso", conversation="c2")
    llm.default, llm.delay = GOOD, 1.5
    drafting = asyncio.create_task(say(action={"intent": "test.template_draft"}))
    await asyncio.sleep(0.3)  # the draft is now waiting on the model
    t0 = asyncio.get_running_loop().time()
    noted = await say("note: meanwhile, elsewhere", conversation="c2")
    took = asyncio.get_running_loop().time() - t0
    assert noted.intent == "note" and not drafting.done()
    assert took < 1.0, f"a turn waited {took:.2f}s behind the model call"
    first = await drafting
    assert (first.draft, first.draft_source) == (GOOD, "llm")
    async with engine.connect() as conn:
        kinds = [r[0] for r in (await conn.execute(sql("SELECT kind FROM deal_events ORDER BY id"))).all()]
    assert kinds.count("draft") == 1  # logged once, with the final text
    await coach.close()
