"""Facts as people say them, told over several messages (issue #21): counts in words and
ordinals, totals over a term made yearly and said so, a percentage over a known budget made an
amount and shown as assumed, decisions reported with "if", and never a new deal from a story."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.features import default_knowledge
from bot.understanding.facts import read_facts
from bot.understanding.values import read_money, read_term

KB = default_knowledge()
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def read(text: str, **known: object) -> dict:
    return {f.key: f.value for f in read_facts(text, KB, now=NOW, tz="Europe/London", known=known)}


async def facts_of(chat) -> str:
    return (await chat("deal show")).plain_text().split("Timeline")[0]


async def test_a_deal_told_over_messages_keeps_what_was_said_and_how_it_was_worked_out(chat, deal):
    first = await chat("quick context: that was our fifth session with the account team")
    assert "Rounds with the account team: 5" in first.headline
    offer = await chat("their proposal is 4.5M spread over three years")
    assert offer.intent == "fact.stated"
    assert "Microsoft offer per year: $1.5M (4.5M over 3 years, so 1.5M a year)" in offer.headline
    assert "Term (years): 3" in offer.headline
    budget = await chat("budget is 1.2m a year; the gap is all the Copilot uplift")
    said = budget.plain_text()
    assert "Budget target set: yes" in said and "Sticking point: Copilot uplift" in said
    assert "Sticking point worth per year: $300k (assumed: the gap between their offer (1.5M)" in said
    shown = await facts_of(chat)
    assert "Rounds with the account team: 5" in shown and "$1.5M" in shown and "$300k" in shown


async def test_a_percentage_over_the_budget_becomes_their_offer_shown_as_assumed(chat, deal):
    await chat("our budget is 2M a year")
    reply = await chat("their quote came back 15% over it")
    assert "Microsoft offer per year: $2.3M (assumed: 15 % over the budget of 2M)" in reply.plain_text()


async def test_a_decision_told_with_if_is_recorded(chat, deal):
    reply = await chat("the board decided that we walk if they stay above 2m a year")
    said = reply.plain_text()
    assert "Walk threshold agreed: yes" in said
    assert "Walk-away price per year (kept to ourselves): $2M" in said


async def test_a_story_that_mentions_a_new_negotiation_creates_no_deal(chat, deal):
    reply = await chat("New one: group EA renewal. Their opening offer is 5.4m TCV on a 3y term.")
    assert reply.intent == "deal.new"
    assert reply.headline.startswith("I've kept that on Woodgrove EA renewal.")
    assert "Microsoft offer per year: $1.8M" in reply.plain_text()
    start = next(a for a in reply.actions if a.label.startswith("Start deal"))
    assert start.label == "Start deal “group EA renewal”"
    listed = (await chat("deal list")).plain_text()
    assert "group EA renewal" not in listed
    assert "$1.8M" in await facts_of(chat)  # on the deal at hand
    made = await chat(action=start.payload)  # asked, with the button: now it is made
    assert made.headline.startswith("Started group EA renewal.")


async def test_asking_for_a_new_deal_in_words_still_makes_one(chat, deal):
    reply = await chat("can we open a new deal for the Fabric pilot, separate from the EA")
    assert reply.headline.startswith("Started Fabric pilot.")


async def test_telling_a_budget_is_not_a_teams_stance(chat, deal):
    reply = await chat("finance signed off our renewal budget last week, 1.1m a year")
    shown = await facts_of(chat)
    assert "Budget per year (kept to ourselves): $1.1M" in shown
    assert "Internal alignment" not in shown, reply.plain_text()


@pytest.mark.parametrize(
    "text, known, expected",
    [
        ("we met the AE five times already", {}, {"rounds_with_account_team": 5}),
        ("the third call with their rep is next week", {}, {}),
        ("we haven't sat down with the account team yet", {}, {"rounds_with_account_team": 0}),
        ("4 meetings in and nothing moves", {}, {"rounds_with_account_team": 4}),
        (
            "their offer is 18% over our budget",
            {"budget_per_year": 2_500_000},
            {"ms_annual_cost": 2_950_000.0},
        ),
        ("their offer is 18% over our budget", {}, {}),  # no base known: nothing to work out
        (
            "the budget is 4.5 Mio € over the three-year term",
            {},
            {"budget_per_year": 1_500_000.0, "budget_target_set": True, "term_years": 3},
        ),
        (
            "Zoom would be about 20k a month",
            {},
            {"alternative": "Zoom", "alternative_annual_cost": 240_000.0},
        ),
        ("finance hasn't set a target price yet", {}, {"budget_target_set": False}),
        # content with Microsoft's offer is not behind our ask (round-2 authors: "IT happy with the
        # offer, Finance not" is a team apart)
        ("procurement thinks the offer is fine", {}, {"internal_alignment": "Procurement not yet"}),
        ("nobody has looked at the alternative properly", {}, {}),
        ("leadership has not agreed any walk-away number", {}, {"walk_threshold_agreed": False}),
        ("Jane said she could 'probably' do a five-year term", {}, {}),
        ("our CIO is exec sponsor", {}, {"exec_sponsor": True, "exec_sponsor_role": "CIO"}),
        ("if they stay above 2m we walk", {}, {}),  # a condition, not a decision
        ("so is walking actually the right call or am i crazy", {}, {}),
        ("the contract lapsed on 31 Oct and we're on an extension", {}, {"renewal_date": "2026-10-31"}),
    ],
)
def test_sentences_as_people_say_them(text, known, expected):
    assert read(text, **known) == expected


def test_values_read_terms_and_european_thousands():
    assert read_term("over the three-year term").years == 3
    assert read_term(" TCV on a 3y term").years == 3
    assert read_term(" a year") is None and read_term(" in 2027") is None
    assert read_money("ca. 600.000 € one time")[0].amount == 600_000
    assert read_money("$1.500")[0].amount == 1.5  # a dot before the currency stays a decimal
    assert read_money("or am i crazy") == []  # "a m" is no amount


async def test_a_statement_told_as_repeated_counts_as_said_that_often(chat, deal):
    first = await chat("the AE has told us it's their final offer three times now")
    assert first.intent == "ms.statement" and "(3rd time, AE, today)" in first.headline
    again = await chat("they said final offer again today")
    assert "(4th time" in again.headline
    undone = await chat(action=again.actions[-1].payload)
    assert undone.intent == "undo"
    await chat(action=first.actions[-1].payload)
    fresh = await chat("the AE says this is their final offer")
    assert "(1st time" in fresh.headline  # undone statements count no more


def test_repeats_are_read_only_when_told():
    from bot.understanding.values import read_repeats

    assert read_repeats("for the fourth time they say it's the best they can do") == 4
    assert read_repeats("twice already") == 2
    assert read_repeats("they said it again") is None
