"""Data minimisation: only a kind's allowed facts leave; the budget ceiling, the walk-away
figure and internal notes never do, unless the user typed them; e-mails and phones redacted."""

from __future__ import annotations

import json
import re

from bot.llm.policy import figures, is_secret_key, kinds, minimise, redact
from tests.llm.conftest import CANARY, FACTS, GOOD, assert_no_canary, request


def data_section(user: str) -> dict:
    m = re.search(r"<<<DATA (\w+)\n(.*)\nDATA \1>>>", user, re.DOTALL)
    assert m, "no fenced DATA section"
    return json.loads(m.group(2))


async def test_only_allowed_facts_go_and_the_canary_never_does(llm, make_drafter, kb):
    llm.script = [GOOD]
    result = await make_drafter().draft(request())
    assert result.source == "llm"
    assert_no_canary(llm)
    sent = data_section(llm.requests[0].user)["facts"]
    assert set(sent) <= set(kinds(kb)["escalation"].allow)
    assert "budget_ceiling" not in sent and "walk_away_price" not in sent and "internal_notes" not in sent
    assert sent["deal_value_per_year"] == 2_400_000


async def test_canary_stays_out_of_every_request_when_the_model_leaks_it(llm, make_drafter):
    # The scripted model "knows" the budget and says it twice: the repair request must not
    # carry it back, masked or not.
    leak = GOOD + f" Our budget is ${CANARY:,}, so 1.94M is the most we can pay."
    llm.script = [leak, leak]
    result = await make_drafter().draft(request(instructions=("shorter",)))
    assert result.source == "template"
    assert "budget" in (result.reason or "")
    assert len(llm.requests) == 2
    assert_no_canary(llm)
    assert "[withheld]" in llm.requests[1].user


async def test_canary_stays_out_when_a_template_carries_it_by_mistake(llm, make_drafter):
    llm.script = [GOOD]
    await make_drafter().draft(request(template_text=f"We can go to {CANARY:,} at most."))
    assert_no_canary(llm)


async def test_canary_stays_out_for_every_kind(llm, make_drafter, kb):
    for kind in kinds(kb):
        llm.script = [GOOD]
        await make_drafter().draft(request(kind=kind))
    assert len(llm.requests) == len(kinds(kb))
    assert_no_canary(llm)


async def test_a_budget_the_user_typed_may_go_and_may_be_drafted(llm, make_drafter):
    said = "mention that our budget is $1,937,411"
    llm.script = [GOOD + " Our budget for this renewal is $1,937,411."]
    result = await make_drafter().draft(request(instructions=(said,)))
    assert result.source == "llm", result.reason
    assert "1,937,411" in llm.requests[0].raw
    # ...but the walk-away figure, which they did not type, still never goes.
    assert "2,050,000" not in llm.requests[0].raw and "2050000" not in llm.requests[0].raw


async def test_emails_and_phone_numbers_are_redacted(llm, make_drafter):
    llm.script = [GOOD]
    await make_drafter().draft(request(instructions=("cc bob@woodgrove.com, call him on (425) 555-0100",)))
    raw = llm.requests[0].raw
    assert "jane.doe@contoso.com" not in raw and "bob@woodgrove.com" not in raw
    assert "555 0188" not in raw and "555-0100" not in raw
    assert "[email]" in raw and "[phone]" in raw


def test_redaction_keeps_dates_and_money():
    assert redact("renews 2027-06-30 at $2,400,000; call +44 20 7946 0958") == (
        "renews 2027-06-30 at $2,400,000; call [phone]"
    )


def test_no_allow_list_names_a_secret_fact(kb):
    for name, spec in kinds(kb).items():
        assert [k for k in spec.allow if is_secret_key(k, kb)] == [], name


def test_minimise_withholds_secrets_even_if_an_allow_list_names_them(kb):
    mini = minimise("escalation", {**FACTS, "budget": 5}, kb)
    assert "budget" not in mini.facts and "budget_ceiling" not in mini.facts
    assert float(CANARY) in mini.secrets and 5.0 in mini.secrets


def test_figures_reads_money_percentages_and_counts():
    got = [
        v for v, _ in figures("$2.4M a year, 12% off, 3 rounds, 1,937,411 and 1.94 million on Microsoft 365")
    ]
    assert got == [2_400_000, 12, 3, 1_937_411, 1_940_000]
    spelled = [v for v, _ in figures("fifteen percent, twenty-five per cent and two million, in two weeks")]
    assert spelled == [15, 25, 2_000_000]
