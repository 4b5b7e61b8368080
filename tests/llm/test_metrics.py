"""/metrics counts what the drafter did against a real (loopback) OpenAI-compatible server:
drafts by outcome, model requests, and today's budget read from llm_usage at scrape time."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from adapters.runtime import Runtime, Serving
from adapters.server import build_app
from bot.db.models import Tenant
from bot.settings import Settings
from bot.turn import Turn
from tests.llm.conftest import GOOD, request
from tests.metrics_scrape import parse, value


async def test_llm_calls_failures_and_budget_are_scraped(db_url, llm, clock, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", f"{llm.url}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("COACH_LLM_DAILY_BUDGET", "3")
    rt = await Runtime.start(Settings(COACH_DATABASE_URL=db_url), clock=clock, serving=Serving())
    try:
        async with TestClient(TestServer(await build_app(rt))) as client:
            turn = Turn(platform="console", tenant="t1", conversation="c1", user="u1", text="help")
            await rt.handle(turn)  # makes the workspace
            async with rt.sessions() as s:
                tenant = (await s.execute(select(Tenant.id).where(Tenant.external_id == "t1"))).scalar_one()
            drafter = rt.coach.services.drafter
            llm.script = [GOOD, 500, GOOD + " Or else.", GOOD]  # ok; 500; repair stopped by the budget
            outcomes = [(await drafter.draft(request(tenant=tenant, now=clock.now))).source for _ in range(4)]
            assert outcomes == ["llm", "template", "template", "template"]  # the 4th: over budget

            page = parse(await (await client.get("/metrics")).text())
            assert value(page, "coach_llm_calls_total", kind="escalation", outcome="ok") == 1
            assert value(page, "coach_llm_calls_total", kind="escalation", outcome="error") == 1
            assert value(page, "coach_llm_calls_total", kind="escalation", outcome="budget") == 2
            assert value(page, "coach_llm_requests_total", kind="escalation") == len(llm.requests) == 3
            assert value(page, "coach_llm_budget_per_tenant") == 3
            assert value(page, "coach_llm_requests_today") == 3
            assert value(page, "coach_llm_tokens_today") == 120 * 2  # the 500 used none
            assert value(page, "coach_llm_tenants_today") == 1
            assert value(page, "coach_llm_budget_remaining_min") == 0
            clock.advance(days=1)  # a new UTC day: a fresh budget
            page = parse(await (await client.get("/metrics")).text())
            assert value(page, "coach_llm_requests_today") == 0
            assert value(page, "coach_llm_budget_remaining_min") == 3
    finally:
        await rt.close()
