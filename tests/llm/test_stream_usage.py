"""Token counting for streamed drafts, and the output-limit parameter by model family, through
the real openai client against the loopback server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert

from bot.db.engine import session_factory
from bot.db.models import Tenant
from bot.llm.usage import used
from tests.llm.conftest import GOOD, request

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DAY = "2026-11-23"
GOOD_WORDS = len(GOOD.split(" "))


async def _tenant(sessions) -> int:
    async with sessions() as s, s.begin():
        row = await s.execute(
            insert(Tenant).values(platform="console", external_id="t1", created_at=NOW).returning(Tenant.id)
        )
        return row.scalar_one()


async def test_a_streamed_draft_records_its_tokens_in_the_budget_row(llm, make_drafter, engine):
    sessions = session_factory(engine)
    tenant = await _tenant(sessions)
    llm.script = [GOOD]
    result = await make_drafter(sessions=sessions, COACH_LLM_STREAM="true").draft(
        request(tenant=tenant, now=NOW)
    )
    assert result.source == "llm" and result.text == GOOD
    assert llm.requests[0].body["stream_options"] == {"include_usage": True}
    async with sessions() as s:
        assert await used(s, tenant, DAY) == (1, 100 + GOOD_WORDS)


async def test_a_streamed_repair_adds_both_calls_tokens(llm, make_drafter, engine):
    sessions = session_factory(engine)
    tenant = await _tenant(sessions)
    first = GOOD + " Sign this or else."
    llm.script = [first, GOOD]
    result = await make_drafter(sessions=sessions, COACH_LLM_STREAM="1").draft(
        request(tenant=tenant, now=NOW)
    )
    assert result.source == "llm" and result.requests == 2
    async with sessions() as s:
        assert await used(s, tenant, DAY) == (2, 200 + GOOD_WORDS + len(first.split(" ")))


@pytest.mark.parametrize("stream", ["false", "true"])
@pytest.mark.parametrize("model", ["o3-mini", "o1", "gpt-5", "gpt-5-mini-2025-08-07", "o4-mini"])
async def test_reasoning_models_get_max_completion_tokens_and_no_temperature(
    llm, make_drafter, model, stream
):
    llm.script = [GOOD]
    result = await make_drafter(
        COACH_LLM_MODEL=model, COACH_LLM_MAX_TOKENS="321", COACH_LLM_STREAM=stream
    ).draft(request())
    assert result.source == "llm", result.reason  # the loopback server answers 400 otherwise
    body = llm.requests[0].body
    assert body["max_completion_tokens"] == 321
    assert "max_tokens" not in body and "temperature" not in body


@pytest.mark.parametrize("model", ["gpt-4o-mini", "gpt-4.1", "m1", "llama-3.1-70b"])
async def test_chat_models_keep_max_tokens_and_temperature(llm, make_drafter, model):
    llm.script = [GOOD]
    assert (await make_drafter(COACH_LLM_MODEL=model).draft(request())).source == "llm"
    body = llm.requests[0].body
    assert body["max_tokens"] == 700 and body["temperature"] == 0.3
    assert "max_completion_tokens" not in body


async def test_the_setting_decides_where_the_name_does_not_say(llm, make_drafter):
    # An Azure deployment (or a gateway alias) named after the team, serving a reasoning model.
    llm.script = [GOOD]
    drafter = make_drafter(COACH_LLM_MODEL="drafts-prod", COACH_LLM_TOKEN_PARAM="max_completion_tokens")
    assert (await drafter.draft(request())).source == "llm"
    assert "max_completion_tokens" in llm.requests[0].body


async def test_without_the_setting_a_reasoning_model_under_another_name_falls_back_to_the_template(
    llm, make_drafter
):
    llm.script = [GOOD]
    llm.responder = None
    result = await make_drafter(COACH_LLM_MODEL="o3-mini", COACH_LLM_TOKEN_PARAM="max_tokens").draft(
        request()
    )
    assert result.source == "template"  # the 400 is an answer, not a crash
