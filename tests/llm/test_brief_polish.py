"""The brief's summary paragraph, polished by the LLM under the drafting guardrails (real openai
client, loopback OpenAI-compatible server, the real core); the template whenever that fails."""

from __future__ import annotations

import pytest

from bot.db.engine import session_factory
from bot.playbooks import brief as br
from bot.services import CoachServices
from tests.pdf import pdf_text

BUDGET_FORMS = ("2400000", "2,400,000", "2.4M", "2.4 million")
WALK_FORMS = ("2700000", "2,700,000", "2.7M", "2.7 million")
POLISHED = (
    "Woodgrove is stuck on Copilot price, worth about $300k a year, after 4 rounds with the "
    "account team. We are asking for an extra 12% off."
)


@pytest.fixture
async def told(chat, deal, coach, make_drafter, engine):
    """A deal told in sentences, with the LLM drafter configured (no retries: a fast failure)."""

    def configure(**env: str) -> None:
        env.setdefault("COACH_LLM_MAX_RETRIES", "0")
        # the coach of this test, its services built again with the drafter (they are frozen)
        coach.services = CoachServices(drafter=make_drafter(sessions=session_factory(engine), **env))

    for line in [
        "we renew on 2027-03-31",
        "we've had 4 rounds with the account team",
        "the sticking point is Copilot price, worth about $300k a year",
        "budget per year: 2400000",
        "set walk threshold per year: 2700000",
        "set ask discount pct: 12",
        "the AE said this is their final offer",
    ]:
        await chat(line)
    return configure


def summary_of(reply) -> list:
    (section,) = [s for s in reply.sections if s.title == "Summary"]
    return section.items


def brief_pdf_text(reply) -> str:
    (doc,) = [a for a in reply.attachments if a.kind == "document"]
    return pdf_text(doc.render())


async def test_the_polished_summary_is_shown_and_printed(told, chat, llm, tmp_path):
    told()
    llm.script = [POLISHED]
    reply = await chat("one-pager for our CFO")
    items = summary_of(reply)
    assert items[0].text == POLISHED
    assert items[-1].rule == "llm.drafted"
    assert len(llm.requests) == 1 and "Copilot price" in llm.requests[0].raw
    for form in (*BUDGET_FORMS, *WALK_FORMS):  # never sent, even for an internal brief
        assert form not in llm.requests[0].raw, form
    text = " ".join(brief_pdf_text(reply).split())
    assert "after 4 rounds with the account team" in text  # the PDF drawn after has the polish


async def test_a_polish_that_invents_a_figure_falls_back_to_the_template(told, chat, llm):
    told()
    invented = POLISHED.replace("$300k", "$450k")
    llm.script = [invented, invented]  # the first try and its one repair
    reply = await chat("one-pager for our CFO")
    items = summary_of(reply)
    assert "$450k" not in items[0].text and "worth about $300k a year" in items[0].text
    assert items[-1].rule == "llm.template" and "figures the deal doesn't hold" in items[-1].text


@pytest.mark.parametrize(
    ("env", "script", "delay", "why"),
    [
        ({}, [503], 0.0, "couldn't be reached"),
        ({"COACH_LLM_TIMEOUT": "0.5"}, [POLISHED], 2.0, "didn't answer in time"),
        ({"COACH_LLM_DISABLED": "true"}, [POLISHED], 0.0, "switched off"),
        ({"COACH_LLM_DAILY_BUDGET": "0"}, [POLISHED], 0.0, "allowance"),
    ],
)
async def test_llm_down_slow_off_or_over_budget_keeps_the_template(told, chat, llm, env, script, delay, why):
    told(**env)
    llm.script, llm.delay = list(script), delay
    reply = await chat("executive summary of this deal")
    items = summary_of(reply)
    assert items[0].text.startswith("The sticking point is Copilot price, worth about $300k a year.")
    assert items[-1].rule == "llm.template" and why in items[-1].text


async def test_a_brief_for_the_ae_never_sends_a_protected_fact(told, chat, llm, kb):
    told()
    llm.script = [POLISHED]
    reply = await chat("brief for the AE")
    assert reply.verdict == "for_microsoft"
    (sent,) = llm.requests
    for form in (*BUDGET_FORMS, *WALK_FORMS, "2027-03-31", "31 Mar 2027", "Escalate now"):
        assert form not in sent.raw, form
    # Only what the AE's brief shows went out: its summary, no facts of the deal.
    assert "Copilot price" in sent.raw
    assert '"renewal_date"' not in sent.raw and '"rounds_with_account_team"' not in sent.raw
    assert summary_of(reply)[0].text == POLISHED
    assert br.INTERNAL not in reply.plain_text().split()[:3]
