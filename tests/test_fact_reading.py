"""Facts said in words the rules don't know, read by meaning (issue #21, rule `fact-reading`):
a classifier trained on strangers' sentences says which facts a sentence states, the typed value
readers give the value, and only an asserted sentence with exactly one value of the right type
counts. A fact the rules read is never replaced; questions, conditions and hedges state nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.features import default_knowledge
from bot.understanding.model import MULTI, train
from bot.understanding.reading import read

KB = default_knowledge()
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def facts(text: str) -> dict[str, tuple[object, str]]:
    """key -> (value, the rule that read it: "" for the fact rules)."""
    return {f.key: (f.value, f.rule) for f in read(text, KB, now=NOW, tz="Europe/London").facts}


async def test_a_deal_told_in_plain_words_is_recorded_with_how_the_figure_was_worked_out(chat, deal):
    met = await chat("Their account people have sat down with us on five occasions now.")
    assert "Rounds with the account team: 5" in met.plain_text()
    spend = await chat("Our spend with them on the tenant sits at about $95k each month.")
    assert "$1.14M ($95k each month, so 1.14M a year)" in spend.plain_text()
    rise = await chat("Their annual price rise is baked in at 6 per cent.")
    assert "Yearly increase in their offer (%): 6" in rise.plain_text()
    shown = (await chat("deal show")).plain_text()
    assert "Rounds with the account team: 5" in shown and "$1.14M" in shown


@pytest.mark.parametrize(
    ("said", "key", "value"),
    [
        ("Their account people have sat down with us on five occasions now.", "rounds_with_account_team", 5),
        ("Their annual price rise is baked in at 6 per cent.", "annual_escalator_pct", 6),
        (
            "Our spend with them on the tenant sits at about $95k each month.",
            "deal_value_per_year",
            1_140_000.0,
        ),
        (
            "Our chief executive plays golf with the Microsoft country lead most Sundays.",
            "ceo_knows_ms_leadership",
            True,
        ),
    ],
)
def test_the_reading_finds_what_the_rules_miss_and_says_so(said, key, value):
    assert facts(said)[key] == (value, "fact-reading")


@pytest.mark.parametrize(
    "said",
    [
        "What if they offered us 6 per cent off?",  # a question
        "If the quote stays at 900k a year we would look at Google.",  # a condition
        "Our chief executive might know someone at Microsoft, I am not sure.",  # a hedge
        "Their account people have sat down with us a number of times.",  # no count said
        "Should we push for the CFO to sponsor this?",
    ],
)
def test_nothing_is_read_from_what_asserts_nothing_or_has_no_value(said):
    assert not [k for k, (_, rule) in facts(said).items() if rule == "fact-reading"]


def test_a_fact_the_rules_read_is_never_replaced_nor_its_figure_given_to_another():
    got = facts("Budget is 1.2m a year, their quote is 1.5m a year.")
    assert got["budget_per_year"] == (1_200_000.0, "")
    assert got["ms_annual_cost"] == (1_500_000.0, "")
    assert not [k for k, (_, rule) in got.items() if rule == "fact-reading"]


def test_a_multi_label_model_scores_each_label_on_its_own():
    pairs = [
        ("we met them four times", "rounds"),
        ("four meetings so far with the account team", "rounds"),
        ("budget is set at one million", "budget"),
        ("finance fixed the budget last week", "budget"),
        ("four meetings in and finance fixed the budget", MULTI.join(["budget", "rounds"])),
        ("nice weather today", "none"),
        ("thanks for the help", "none"),
    ]
    model = train(pairs)
    assert model.labels == ("budget", "none", "rounds")
    both = dict(zip(model.labels, model.scores("three meetings and the budget is fixed"), strict=True))
    assert both["budget"] > 0 and both["rounds"] > 0 and both["none"] < 0


def test_a_number_of_months_is_how_long_not_how_many_rounds():
    # Told in passing how long talks have run, and how many meetings: only the meetings count.
    from datetime import UTC, datetime

    from bot.understanding.reading import read

    now = datetime(2026, 11, 30, tzinfo=UTC)
    both = read(
        "we've been haggling with their rep for about three months, four proper meetings so far", KB, now=now
    )
    assert {f.key: f.value for f in both.facts}.get("rounds_with_account_team") == 4
    only_time = read("we've been at it with their account rep for six weeks now", KB, now=now)
    assert "rounds_with_account_team" not in {f.key for f in only_time.facts}
