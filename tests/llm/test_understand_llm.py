"""Understanding with the LLM (COACH_LLM_UNDERSTAND): an unclear or long message goes to the
loopback model with a strict JSON schema; its answer is checked; every failure leaves the turn
to the local reading; the drafting rules hold (timeout, shared daily budget, kill switch,
redaction, budget figures never sent). The real Coach, wired by adapters/runtime.py."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text as sql

from adapters.runtime import Runtime
from bot.features import default_knowledge
from bot.llm.usage import used
from bot.reply import Reply
from bot.skills import Skills
from bot.understanding.llm_reader import (
    LlmReading,
    check_reading,
    llm_fact_keys,
    llm_intents,
    minimise_message,
    needs_llm,
    reader_from_env,
)
from bot.understanding.reading import read
from tests.llm.conftest import (
    CANARY,
    CANARY_FORMS,
    GOOD,
    TEST_SKILLS,
    chat_on,
    logged_facts,
    settings_for,
)
from tests.llm.fake_llm import Refusal

KB = default_knowledge()


def said(value: Any, by: str = "us", confidence: float = 0.9, message: int = 1) -> dict[str, Any]:
    """One fact as the model gives it: its value, who said it, how sure, which message."""
    return {"value": value, "said_by": by, "confidence": confidence, "message": message}


UNCLEAR = "hmm, the paper they sent is nowhere near where we need it to be, thoughts"


@pytest.fixture
def skills() -> Skills:
    return TEST_SKILLS


async def event_count(rt: Runtime) -> int:
    async with rt.engine.connect() as conn:
        return int((await conn.execute(sql("SELECT count(*) FROM deal_events"))).scalar_one())


def understood_by_llm(reply: Reply) -> bool:
    return "llm.understood" in reply.rules


# --- the model's reading is used, after checking ---------------------------------------------


async def test_an_unclear_message_takes_the_models_intent_and_checked_facts(start, llm):
    rt = await start(COACH_LLM_UNDERSTAND="true")
    chat = chat_on(rt)
    await chat("deal new Woodgrove EA renewal")
    llm.answer_json(
        {
            "intent": "deal.show",
            "confidence": 0.82,
            "facts": {
                "deal_value_per_year": said("2.4M"),  # a string where a number belongs: read as money
                "renewal_date": said("2027-02-30"),  # no such day: dropped
                "rounds_with_account_team": said(3),
            },
        }
    )
    said_now = "hmm, 2.4M a year is nowhere near where we need it to be, thoughts?"
    assert read(said_now, KB, now=datetime.now(UTC)).intent is None  # unclear to the local reading
    reply = await chat(said_now)
    assert reply.intent == "deal.show" and understood_by_llm(reply), reply.plain_text()
    assert "Noted" in reply.plain_text() and "$2.4M" in reply.plain_text()
    assert await logged_facts(rt) == {
        "deal_value_per_year": 2_400_000,  # the model's, read again as money
        "rounds_with_account_team": 3,
    }
    assert len(llm.requests) == 1

    # The facts came with an undo, like facts read locally.
    undo = next(a for a in reply.actions if a.payload.get("intent") == "undo")
    await chat(action=undo.payload)
    shown = await chat("deal show")
    assert "$2.4M" not in shown.plain_text().split("Timeline")[0]


async def test_an_unknown_intent_is_dropped_and_the_local_answer_stands(start, llm):
    rt = await start(COACH_LLM_UNDERSTAND="true")
    chat = chat_on(rt)
    await chat("deal new Woodgrove EA renewal")
    before = await event_count(rt)
    llm.answer_json({"intent": "deal.delete_all", "confidence": 1, "facts": {}})
    reply = await chat(UNCLEAR)
    assert reply.intent == "unknown" and not understood_by_llm(reply)
    assert await event_count(rt) == before


async def test_a_statement_the_model_reads_is_logged_with_an_undo(start, llm):
    rt = await start(COACH_LLM_UNDERSTAND="true")
    chat = chat_on(rt)
    await chat("deal new Woodgrove EA renewal")
    llm.answer_json(
        {
            "intent": "none",
            "confidence": 0.9,
            "facts": {"term_years": said(3), "offer_uncompetitive": said(True)},
        }
    )
    reply = await chat("so it is three more years with them, and frankly their number is off the pace")
    assert reply.intent == "fact.stated" and understood_by_llm(reply), reply.plain_text()
    assert await logged_facts(rt) == {"term_years": 3, "offer_uncompetitive": True}
    assert any(a.payload.get("intent") == "undo" for a in reply.actions)


async def test_without_a_deal_the_models_intent_is_used_and_its_facts_are_not(start, llm):
    rt = await start(COACH_LLM_UNDERSTAND="true")
    chat = chat_on(rt)
    llm.answer_json({"intent": "help", "confidence": 0.7, "facts": {"term_years": said(3)}})
    reply = await chat("hmm ok, three years left on it and I am lost here")
    assert reply.intent == "help" and understood_by_llm(reply)
    assert await logged_facts(rt) == {}


async def test_a_form_answer_the_local_reader_misses_is_read_by_the_model(start, llm):
    rt = await start(COACH_LLM_UNDERSTAND="true")
    chat = chat_on(rt)
    await chat("deal new Woodgrove EA renewal")
    asked = await chat("is it time to escalate?")
    assert asked.intent == "form.ask" and "sticking_point" in asked.missing
    llm.answer_json(
        {
            "intent": "none",
            "confidence": 0.6,
            "facts": {
                # Message 2 of the story: "is it time to escalate?" was the first.
                "sticking_point": said("the Copilot price", message=2),
                "sticking_point_value_per_year": said(600000, message=2),
            },
        }
    )
    reply = await chat(
        "well it is mostly that copilot thing, something like six hundred grand a year i reckon"
    )
    assert "Sticking point" in reply.plain_text() and "$600k" in reply.plain_text(), reply.plain_text()
    facts = await logged_facts(rt)
    assert facts["sticking_point"] == "the Copilot price"
    assert facts["sticking_point_value_per_year"] == 600_000


# --- failures: the local "not understood" path, nothing written --------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "{not json",
        '["a list", "not an object"]',
        500,
        Refusal(),
    ],
    ids=["malformed", "not-an-object", "http-500", "refusal"],
)
async def test_a_bad_answer_leaves_the_turn_to_the_local_reading(start, llm, answer):
    rt = await start(COACH_LLM_UNDERSTAND="true")
    chat = chat_on(rt)
    await chat("deal new Woodgrove EA renewal")
    before = await event_count(rt)
    llm.script = [answer]
    reply = await chat(UNCLEAR)
    assert reply.intent == "unknown" and not understood_by_llm(reply)
    assert await event_count(rt) == before
    assert len(llm.requests) == 1


async def test_a_slow_model_is_cut_off_and_the_turn_answers_locally(start, llm):
    rt = await start(COACH_LLM_UNDERSTAND="true", COACH_LLM_TIMEOUT="0.5")
    chat = chat_on(rt)
    await chat("deal new Woodgrove EA renewal")
    before = await event_count(rt)
    llm.delay = 3.0
    llm.answer_json({"intent": "deal.show", "confidence": 1, "facts": {"term_years": said(3)}})
    started = time.monotonic()
    reply = await chat(UNCLEAR)
    assert time.monotonic() - started < 2.0
    assert reply.intent == "unknown" and await event_count(rt) == before


async def test_a_slow_model_holds_no_database_lock(start, llm):
    """The reading runs before the turn's transaction: another conversation's write goes
    through while one message waits on the model (SQLite's single writer included)."""
    rt = await start(COACH_LLM_UNDERSTAND="true")
    chat = chat_on(rt)
    await chat("deal new Woodgrove EA renewal")
    await chat("deal new Contoso", conversation="c2")
    llm.delay = 1.5
    llm.answer_json({"intent": "deal.show", "confidence": 1, "facts": {}})
    reading = asyncio.create_task(chat(UNCLEAR))
    await asyncio.sleep(0.3)
    t0 = time.monotonic()
    noted = await chat("note: meanwhile, elsewhere", conversation="c2")
    assert noted.intent == "note" and not reading.done()
    assert time.monotonic() - t0 < 1.0
    assert (await reading).intent == "deal.show"


# --- switches and the budget -------------------------------------------------------------------


async def test_switched_off_by_default_nothing_is_sent(start, llm):
    rt = await start()  # an LLM is configured for drafting, understanding not agreed to
    assert rt.coach.services.drafter is not None and rt.coach.services.llm_reader is None
    chat = chat_on(rt)
    await chat("deal new Woodgrove EA renewal")
    reply = await chat(UNCLEAR)
    assert reply.intent == "unknown" and llm.requests == []
    assert reader_from_env(rt.kb, settings=settings_for(llm)) is None
    assert reader_from_env(rt.kb, settings=settings_for(llm, COACH_LLM_UNDERSTAND="false")) is None


async def test_the_kill_switch_stops_understanding_calls(start, llm):
    rt = await start(COACH_LLM_UNDERSTAND="true", COACH_LLM_DISABLED="true")
    chat = chat_on(rt)
    await chat("deal new Woodgrove EA renewal")
    reply = await chat(UNCLEAR)
    assert reply.intent == "unknown" and llm.requests == []


async def test_the_daily_budget_is_shared_with_drafting(start, llm, clock):
    rt = await start(COACH_LLM_UNDERSTAND="true", COACH_LLM_DAILY_BUDGET="2")
    chat = chat_on(rt)
    await chat("deal new Woodgrove EA renewal")
    llm.answer_json({"intent": "deal.show", "confidence": 1, "facts": {}})
    assert (await chat(UNCLEAR)).intent == "deal.show"  # request 1: a reading
    llm.default = GOOD
    drafted = await chat(action={"intent": "test.template_draft"})  # request 2: a draft
    assert drafted.draft_source == "llm"
    reply = await chat(UNCLEAR)  # spent: not sent, answered locally
    assert reply.intent == "unknown" and len(llm.requests) == 2
    async with rt.sessions() as s:
        tenant = int((await s.execute(sql("SELECT id FROM tenants WHERE external_id = 't1'"))).scalar_one())
        assert await used(s, tenant, clock.now.strftime("%Y-%m-%d")) == (2, 240)


async def test_commands_and_clear_short_messages_never_go(start, llm):
    rt = await start(COACH_LLM_UNDERSTAND="true")
    chat = chat_on(rt)
    await chat("deal new Woodgrove EA renewal")
    await chat("is it time to escalate?")
    await chat("should we escalate now?")
    await chat("note: " + "the CFO wants a call before Friday about the uplift and the terms " * 3)
    assert llm.requests == []


# --- what is sent ------------------------------------------------------------------------------


async def test_the_request_is_a_strict_json_schema_of_known_intents_and_facts(start, llm):
    rt = await start(COACH_LLM_UNDERSTAND="true")
    chat = chat_on(rt)
    await chat("deal new Woodgrove EA renewal")
    llm.answer_json({"intent": "none", "confidence": 0, "facts": {}})
    await chat(UNCLEAR)
    (rec,) = llm.requests
    fmt = rec.response_format
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    schema = rec.schema
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"intent", "confidence", "facts"}
    assert schema["properties"]["intent"]["enum"] == [*llm_intents(rt.kb), "none"]
    facts = schema["properties"]["facts"]
    assert facts["additionalProperties"] is False and set(facts["required"]) == set(facts["properties"])
    assert list(facts["properties"]) == llm_fact_keys(rt.kb)
    value = facts["properties"]["deal_value_per_year"]
    assert value["type"] == ["object", "null"] and value["additionalProperties"] is False
    assert set(value["required"]) == {"value", "said_by", "confidence", "message"}
    assert value["properties"]["said_by"]["enum"] == ["us", "microsoft"]
    assert value["properties"]["value"]["type"] == "number"
    assert facts["properties"]["renewal_date"]["properties"]["value"]["type"] == "string"
    assert facts["properties"]["offer_uncompetitive"]["properties"]["value"]["type"] == "boolean"
    assert not any("budget" in k or "walk" in k or "internal" in k for k in facts["properties"])
    assert "undo" not in schema["properties"]["intent"]["enum"]
    assert UNCLEAR in rec.user and "never instructions" in rec.system


async def test_emails_phones_and_budget_figures_never_reach_the_model(start, llm):
    rt = await start(COACH_LLM_UNDERSTAND="true")
    chat = chat_on(rt)
    await chat("deal new Woodgrove EA renewal")
    llm.answer_json({"intent": "none", "confidence": 0, "facts": {}})
    await chat(
        "ugh. our budget is $1,937,411 tops and they want 2.4M; loop in jane.doe@contoso.com "
        "or call +1 425 555 0188 before we reply to them"
    )
    raw = llm.requests[0].raw
    for form in CANARY_FORMS:
        assert form not in raw
    assert "2.4M" not in raw  # in a message naming the budget, every figure is withheld
    assert "jane.doe@contoso.com" not in raw and "555 0188" not in raw
    assert "[email]" in raw and "[phone]" in raw and "[withheld]" in raw


async def test_the_deals_stored_budget_is_withheld_when_typed_without_a_word(start, llm):
    rt = await start(COACH_LLM_UNDERSTAND="true")
    chat = chat_on(rt)
    await chat("deal new Woodgrove EA renewal")
    llm.default = GOOD
    await chat(action={"intent": "test.template_draft"})  # stores the budget ceiling, the canary
    llm.answer_json({"intent": "none", "confidence": 0, "facts": {}})
    await chat(
        f"right, so what if we just offered them {CANARY:,} and 12% off E5, called it a day and moved "
        "on with our lives before the quarter closes and everyone goes on holiday for a while"
    )
    raw = llm.requests[-1].raw
    assert all(form not in raw for form in CANARY_FORMS)
    assert "12%" in raw and "[withheld]" in raw


async def test_a_reading_costs_a_request_and_its_tokens(start, llm, clock):
    rt = await start(COACH_LLM_UNDERSTAND="true")
    chat = chat_on(rt)
    llm.answer_json({"intent": "help", "confidence": 1, "facts": {}})
    await chat(UNCLEAR)
    async with rt.sessions() as s:
        tenant = int((await s.execute(sql("SELECT id FROM tenants WHERE external_id = 't1'"))).scalar_one())
        assert await used(s, tenant, clock.now.strftime("%Y-%m-%d")) == (1, 120)


async def test_the_reader_shares_the_drafters_client(start):
    rt = await start(COACH_LLM_UNDERSTAND="true")
    assert rt.coach.services.llm_reader.client is rt.coach.services.drafter.client


# --- the pure parts -----------------------------------------------------------------------------


def test_which_messages_go_to_the_model(kb):
    assert needs_llm(UNCLEAR, kb)
    assert not needs_llm("is it time to escalate?", kb)  # understood locally, short
    assert not needs_llm("should we escalate now?", kb)  # a command
    assert not needs_llm("deal show", kb)
    assert not needs_llm("note: " + "word " * 60, kb)  # a long command is still a command
    long_question = "is it time to escalate? " + "they keep stalling on every single point we raise " * 3
    assert needs_llm(long_question, kb)  # long: it may carry several facts
    assert needs_llm("They want 2.4M a year. We renew on 30 June 2027.", kb)  # two sentences, figures


def test_check_reading_keeps_only_what_fits(kb):
    intents, keys = llm_intents(kb), llm_fact_keys(kb)
    story = ["we are at 2.4M a year with them, renewal end of June", "our CFO says the offer is off"]
    got = check_reading(
        {
            "intent": "escalation.check",
            "confidence": 0.7,
            "facts": {
                "deal_value_per_year": said(2_400_000.0, message=1),
                "renewal_date": said("2027-06-30", by="microsoft", message=1),
                "decision_date": said("next Tuesday"),  # not a date: dropped
                "rounds_with_account_team": said("three", message=2),
                "offer_uncompetitive": said("yes", message=2),
                "exec_sponsor": said(1),  # a number where a yes/no belongs: dropped
                "term_years": said(-3),  # negative: dropped
                "ask_discount_pct": said(True),  # a yes/no where a number belongs: dropped
                "sticking_point": said("see https://evil.example"),  # a link is never a fact: dropped
                "ms_annual_cost": said(3_100_000),  # money the story never states: dropped
                "alternative": said("AWS", by="microsoft"),  # Microsoft's word on our fact: dropped
                "switching_cost": said(2_400_000, by="microsoft", message=1),  # their claim, kept as theirs
                "escalation_ask": said("hold the price", confidence=0.3),  # unsure: dropped
                "signature_date": None,  # not stated
            },
        },
        kb,
        intents,
        keys,
        story=story,
    )
    assert got is not None and got.intent == "escalation.check" and got.confidence == 0.7
    assert got.values == {
        "deal_value_per_year": 2_400_000,
        "renewal_date": "2027-06-30",
        "rounds_with_account_team": 3,
        "offer_uncompetitive": True,
        "ms_claimed_switching_cost": 2_400_000,
    }
    assert {f.key: (f.said_by, f.current) for f in got.facts}["renewal_date"] == ("microsoft", False)
    assert got.said_now() == {"rounds_with_account_team": 3, "offer_uncompetitive": True}
    assert got.dropped == 8


@pytest.mark.parametrize(
    "answer",
    [
        {"intent": "undo", "confidence": 0.9, "facts": {}},  # an intent not offered
        {"intent": "none", "confidence": 7, "facts": {}},  # a confidence past 1
        {"intent": "none", "confidence": True, "facts": {}},  # not a number
        {"intent": "none", "confidence": 0.9, "facts": {"term_years": said(3, confidence="high")}},
        {"intent": "none", "confidence": 0.9, "facts": {"budget_per_year": said(1_900_000)}},  # never sent
        {"intent": "none", "confidence": 0.9, "facts": {"favourite_colour": said("blue")}},  # no such fact
        {"intent": "none", "confidence": 0.9, "facts": {"term_years": said(3, message=3)}},  # past the story
        {"intent": "none", "confidence": 0.9, "facts": {"term_years": {**said(3), "deal": "Contoso"}}},
        {"intent": "none", "confidence": 0.9, "facts": {"term_years": said(3, by="the AE")}},
        {"intent": "none", "confidence": 0.9, "facts": {"term_years": said([3])}},
        {"intent": "none", "confidence": 0.9, "facts": {}, "deal": "rename to Contoso"},
        {"intent": "deal.new", "confidence": 0.9, "facts": {}},
        {"intent": "none", "confidence": 0.9},
        ["not", "an", "object"],
        "nope",
    ],
    ids=[
        "intent-not-offered",
        "confidence-7",
        "confidence-true",
        "fact-confidence-a-word",
        "secret-key",
        "unknown-key",
        "message-past-story",
        "extra-field-in-fact",
        "said-by-not-a-side",
        "list-value",
        "extra-top-level-field",
        "deal-new",
        "facts-missing",
        "a-list",
        "a-string",
    ],
)
def test_an_answer_outside_the_schema_is_refused_whole(kb, answer):
    got = check_reading(answer, kb, llm_intents(kb), llm_fact_keys(kb), story=["a", "we renew in 3 years"])
    assert got is None


def test_the_local_reading_wins_where_sure_and_the_model_fills_the_rest(kb):
    from bot.understanding.llm_reader import LlmFact, merge_facts

    def fact(key, value, confidence=0.9, current=True):
        return LlmFact(key, value, "us", confidence, 2 if current else 1, current)

    reading = LlmReading(
        None,
        0.5,
        (
            fact("ms_annual_cost", 2_500_000),  # local is sure of 2.4M: stays 2.4M
            fact("sticking_point_value_per_year", 700_000, 0.9),  # local unsure (0.65): replaced
            fact("rounds_with_account_team", 4),  # missed locally: filled
            fact("term_years", 5, 0.95, current=False),  # the deal holds 3 from before: stays
            fact("renewal_date", "2027-09-30", 0.7),  # a change, but not sure enough: stays
            fact("decision_date", "2027-03-01", 0.85),  # a change this message states, sure: taken
            fact("budget_per_year", 1_000_000),  # never a never-send fact
        ),
    )
    merged = merge_facts(
        {"ms_annual_cost": (2_400_000, 0.85), "sticking_point_value_per_year": (600_000, 0.65)},
        reading,
        {"term_years": 3, "renewal_date": "2027-06-30", "decision_date": "2027-02-01"},
        kb,
    )
    assert merged.values == {
        "ms_annual_cost": 2_400_000,
        "sticking_point_value_per_year": 700_000,
        "rounds_with_account_team": 4,
        "decision_date": "2027-03-01",
    }
    assert merged.by_llm == {"sticking_point_value_per_year", "rounds_with_account_team", "decision_date"}
    assert merge_facts({"term_years": (3, 0.9)}, None, {}, kb).values == {"term_years": 3}


def test_the_attribution_lists_name_known_facts(kb):
    from bot.understanding.llm_reader import spec_of

    spec = spec_of(kb)
    assert set(spec.ours_only) <= set(kb.facts)
    assert set(spec.their_claim) <= set(spec.ours_only) and set(spec.their_claim.values()) <= set(kb.facts)
    assert not set(spec.their_claim.values()) & set(spec.ours_only)


def test_minimise_message(kb):
    assert minimise_message("call me on +44 20 7946 0958, renewal 2027-06-30 at $2.4M", kb) == (
        "call me on [phone], renewal 2027-06-30 at $2.4M"
    )
    assert minimise_message("our walk-away is 2.05M and they sit at 2.4M", kb) == (
        "our walk-away is [withheld] and they sit at [withheld]"
    )
    assert minimise_message("they sit at 2.4M; we could live with 2,050,000", kb, {2_050_000.0}) == (
        "they sit at 2.4M; we could live with [withheld]"
    )


def test_every_intent_the_model_may_choose_exists(kb):
    from bot.understanding.llm_reader import spec_of

    assert llm_intents(kb) == spec_of(kb).intents
    assert not {"undo", "cancel", "deal.new", "fact.set", "note", "leakcheck"} & set(llm_intents(kb))


def test_a_broken_understand_section_fails_at_load(tmp_path):
    import shutil

    from bot.features import load_knowledge
    from bot.knowledge import KNOWLEDGE_DIR, KnowledgeError

    for f in KNOWLEDGE_DIR.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    path = tmp_path / "llm.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("'\\bbudget',", "'(budget',"), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"llm\.yaml, section 'understand'"):
        load_knowledge(tmp_path)
