"""Money keeps the currency it was said in: "€900k" is read back as "€900k", never "$900k";
amounts read back the way people write them ("$999.6k", never "$1,000k"); a clause ending in
an abbreviation ("approx.") still states its figure."""

from __future__ import annotations

import pytest

from bot.amounts import format_money
from bot.understanding.money import amounts_in, read_amount


async def test_an_amount_in_euros_is_read_back_in_euros(chat, deal):
    reply = await chat("The deal is worth €900k a year.")
    assert reply.intent == "fact.stated"
    assert "Deal value per year: €900k" in reply.headline
    assert "$" not in reply.headline
    shown = await chat("show the deal")
    assert "€900k" in shown.plain_text()


async def test_the_deals_currency_carries_to_amounts_said_without_one(chat, deal):
    await chat("Our agreement is worth £1.25M a year.")
    reply = await chat("The sticking point is Copilot pricing, worth 300k a year.")
    assert "£300k" in reply.plain_text()


async def test_an_amount_just_under_a_million_reads_as_said(chat, deal):
    reply = await chat("The deal is worth $999,600 a year.")
    assert "Deal value per year: $999.6k" in reply.headline


async def test_approx_with_its_full_stop_still_states_the_budget(chat, deal):
    reply = await chat("Our budget is approx. $2M a year.")
    assert reply.intent == "fact.stated"
    assert "Budget per year" in reply.headline or "budget" in reply.headline.casefold()
    assert "$2M" in reply.headline


async def test_a_form_answer_in_pounds_is_noted_in_pounds(chat, deal):
    reply = await chat(action={"intent": "walkaway.check"})
    assert reply.intent == "form.ask"
    key = "ms_annual_cost" if "ms_annual_cost" in reply.missing else reply.missing[0]
    assert key


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (1_000_000, "USD", "$1M"),
        (900_000, "EUR", "€900k"),
        (1_250_000, "GBP", "£1.25M"),
        (999_600, None, "$999.6k"),
        (999_960, None, "$1M"),
        (2_400_000, "CHF", "CHF 2.4M"),
        (950, None, "$950"),
        (3_500_000_000, "USD", "$3.5bn"),
    ],
)
def test_amounts_are_written_as_people_write_them(amount, currency, shown):
    assert format_money(amount, currency) == shown


def test_an_amount_keeps_its_currency():
    money = read_amount("about €1,2 Mio. p.a.")
    assert money is not None and money.currency == "EUR" and money.shown == "€1.2M"
    assert amounts_in("we could go to $1.8M, or 1,750,000 at most") == {1_800_000, 1_750_000}


@pytest.mark.parametrize("said", ["approx.", "appr.", "abt.", "ca.", "c."])
async def test_an_abbreviation_ends_no_clause(chat, deal, said):
    reply = await chat(f"Our budget is {said} $2M a year.")
    assert reply.intent == "fact.stated" and "$2M" in reply.headline


def test_the_draft_templates_playbook_imports_no_reader():
    """Drafts get values already read and the amount reader passed in: importing the playbook
    loads nothing of bot/understanding (nor the form answers)."""
    import subprocess
    import sys

    code = (
        "import sys, bot.playbooks.draft_templates; readers = ('bot.understanding', 'bot.forms', "
        "'bot.dialogue'); print(sorted(m for m in sys.modules if m.startswith(readers)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
