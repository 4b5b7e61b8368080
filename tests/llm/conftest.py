"""Fixtures: a loopback OpenAI-compatible server, drafters built on the real openai client, and
the runtime as `coach serve` builds it with its LLM settings pointing at that server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import text as sql

from adapters.runtime import Runtime
from bot.actions import Payload
from bot.context import Context
from bot.features import skills_with
from bot.llm import DraftRequest
from bot.llm.config import LlmSettings
from bot.llm.drafter import LlmDrafter
from bot.llm.polish import polish
from bot.llm.setup import make_client
from bot.reply import Reply
from bot.settings import Settings
from bot.skills import Skills, skill
from bot.turn import Turn
from tests.llm.fake_llm import FakeLLM

CANARY = 1_937_411  # the budget ceiling: must never reach any request
CANARY_FORMS = ("1937411", "1,937,411", "1.94M", "1.937", "1 937 411")
WALK_AWAY = 2_050_000

FACTS: dict[str, Any] = {
    "deal_value_per_year": 2_400_000,
    "renewal_date": "2027-06-30",
    "sticking_point": "the 12% uplift on E5 (questions to jane.doe@contoso.com or +1 425 555 0188)",
    "escalation_ask": "hold E5 at today's price for the full term",
    "ask_discount_pct": 12,
    "rounds_with_account_team": 3,
    "budget_ceiling": CANARY,
    "walk_away_price": WALK_AWAY,
    "internal_notes": f"CFO: we could stretch to {CANARY:,} if pushed",
}

TEMPLATE = (
    "Subject: Woodgrove EA renewal: working together to close the gap\n\n"
    "Dear Area Vice President,\n\n"
    "We value our partnership with Microsoft. Our teams have worked hard over 3 rounds, but we are "
    "still apart on the 12% uplift on E5.\n\n"
    "What we need to get this done: hold E5 at today's price for the full term.\n\n"
    "Could we find time in the next two weeks to solve this together?\n\n"
    "Kind regards,\nChief Financial Officer"
)

GOOD = (
    "Dear Area Vice President,\n\nThank you for the work our teams have put into the Woodgrove renewal over "
    "3 rounds. We are still apart on the 12% uplift on E5. To close, we ask that E5 is held at today's "
    "price for the full term. Could we meet in the next two weeks?\n\nKind regards,\nChief Financial Officer"
)

LLM_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "COACH_LLM_MODEL",
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_DEPLOYMENT",
    "OPENAI_API_VERSION",
    "AZURE_OPENAI_API_VERSION",
    "COACH_LLM_TIMEOUT",
    "COACH_LLM_MAX_TOKENS",
    "COACH_LLM_MAX_RETRIES",
    "COACH_LLM_DAILY_BUDGET",
    "COACH_LLM_STREAM",
    "COACH_LLM_DISABLED",
    "COACH_LLM_UNDERSTAND",
)


@pytest.fixture(autouse=True)
def _no_llm_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in LLM_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env file


@pytest.fixture
async def llm() -> AsyncIterator[FakeLLM]:
    fake = FakeLLM()
    runner = web.AppRunner(fake.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    fake.url = f"http://127.0.0.1:{port}"
    yield fake
    await runner.cleanup()


StartRuntime = Callable[..., Awaitable[Runtime]]
Say = Callable[..., Awaitable[Reply]]


@pytest.fixture
async def start(
    monkeypatch: pytest.MonkeyPatch, db_url: str, clock, llm: FakeLLM, skills: Skills
) -> AsyncIterator[StartRuntime]:
    """`rt = await start(COACH_LLM_UNDERSTAND="true", ...)`: the runtime as `coach serve` builds
    it (adapters/runtime.py), with the LLM settings from the environment pointing at the loopback
    model and the `skills` fixture's intents (a module with probe skills overrides it)."""
    made: list[Runtime] = []

    async def make(**env: str) -> Runtime:
        monkeypatch.setenv("OPENAI_BASE_URL", f"{llm.url}/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        rt = await Runtime.start(
            Settings(COACH_DATABASE_URL=db_url), migrate=False, clock=clock, skills=skills
        )
        made.append(rt)
        return rt

    yield make
    for rt in made:
        await rt.close()


def chat_on(rt: Runtime) -> Say:
    """One person's console conversation with the runtime's coach."""

    async def say(text: str = "", *, action: dict | None = None, conversation: str = "c1") -> Reply:
        reply = await rt.coach.handle(Turn("console", "t1", conversation, "u1", text=text, action=action))
        assert reply is not None
        return reply

    return say


async def logged_facts(rt: Runtime) -> dict[str, Any]:
    """Every fact logged on the database, the last value of each key."""
    async with rt.engine.connect() as conn:
        rows = await conn.execute(sql("SELECT payload FROM deal_events WHERE kind = 'fact' ORDER BY id"))
        out: dict[str, Any] = {}
        for (payload,) in rows:
            payload = payload if isinstance(payload, dict) else json.loads(payload)
            out[payload["key"]] = payload["value"]
        return out


def settings_for(fake: FakeLLM, **env: Any) -> LlmSettings:
    values: dict[str, Any] = {
        "OPENAI_BASE_URL": f"{fake.url}/v1",
        "OPENAI_API_KEY": "sk-test",
        "COACH_LLM_MODEL": "m1",
    }
    values.update(env)
    return LlmSettings(_env_file=None, **values)


MakeDrafter = Callable[..., LlmDrafter]


@pytest.fixture
def make_drafter(llm: FakeLLM, kb) -> MakeDrafter:
    made: list[LlmDrafter] = []

    def make(*, sessions=None, leak_check=None, token_provider=None, **env: Any) -> LlmDrafter:
        settings = settings_for(llm, **env)
        drafter = LlmDrafter(
            make_client(settings, token_provider=token_provider),
            settings,
            kb,
            sessions=sessions,
            leak_check=leak_check,
        )
        made.append(drafter)
        return drafter

    return make


def request(**kw: Any) -> DraftRequest:
    values: dict[str, Any] = {
        "kind": "escalation",
        "facts": dict(FACTS),
        "template_text": TEMPLATE,
        "tenant": 1,
        "names": ("Jane Doe", "Raj Patel"),
    }
    values.update(kw)
    return DraftRequest(**values)


def assert_no_canary(fake: FakeLLM) -> None:
    for rec in fake.requests:
        for form in CANARY_FORMS:
            assert form not in rec.raw, f"budget canary {form!r} reached {rec.path}"
        assert "2050000" not in rec.raw and "2,050,000" not in rec.raw  # the walk-away figure
        assert "CFO: we could stretch" not in rec.raw  # internal notes


# A stand-in for a template draft skill (the real ones live with the escalation playbook):
# it renders the template and hands it to the drafting layer, as they will.


@skill("test.template_draft", payload=Payload)
async def _template_draft(ctx: Context, _: Payload) -> Reply:
    assert ctx.deal is not None
    for key, value in FACTS.items():
        if ctx.deal.facts.get(key) != value:
            await ctx.set_fact(key, value)
    reply = Reply(headline="Executive escalation note:", intent="test.template_draft", draft=TEMPLATE)
    return await polish(ctx, reply, "escalation")


# The shipped intents and the stand-in above: the table the LLM tests' coaches answer from.
TEST_SKILLS = skills_with(_template_draft)
