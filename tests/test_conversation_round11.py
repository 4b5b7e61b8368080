"""Round-7 sealed classes (issue #21, session 11), in our own words: a sentence that names a
yes/no fact's topic but not its outcome states nothing; a share of an amount named right there is
the worth, not the amount; a sentence that only points back ("That's where we're stuck") names the
point in the sentence before it; a question about the plan told a message before, with a remark
after it, is still the question about that plan."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.features import default_knowledge
from bot.understanding.facts import read_facts
from bot.understanding.reading import read

KB = default_knowledge()
NOW = datetime(2026, 12, 7, 10, 0)


def facts(text: str) -> dict:
    return {f.key: f.value for f in read(text, KB, now=NOW).facts}


@pytest.mark.parametrize("said", ["We got their quote benchmarked last month.", "We had it benchmarked."])
def test_a_benchmark_told_without_its_result_says_nothing_about_the_offer(said):
    assert "offer_uncompetitive" not in facts(said)


def test_a_benchmark_with_its_result_still_says_it():
    assert facts("We got their quote benchmarked and it is far above market.")["offer_uncompetitive"] is True


@pytest.mark.parametrize(
    "said, worth",
    [
        ("The escalator costs us about 6% of their 2m annual figure.", 120_000),
        ("That uplift is roughly 15% of the current 800k.", 120_000),
    ],
)
def test_a_share_of_an_amount_named_there_is_the_worth_not_the_amount(said, worth):
    assert {f.key: f.value for f in read_facts(said, KB, now=NOW)}["sticking_point_value_per_year"] == worth


@pytest.mark.parametrize(
    "said, point",
    [
        ("The Dynamics uplift is way above what peers pay. That's the real blocker.", "Dynamics uplift"),
        ("They refuse to bundle Teams Phone for the call centre. That's where we're stuck.", "Teams Phone"),
        ("Microsoft is asking for a 5% increase every year. That's what we can't get past.", "5% annual"),
    ],
)
def test_a_sentence_pointing_back_names_the_point_before_it(said, point):
    assert point in facts(said)["sticking_point"]


def test_their_rise_on_what_we_pay_pointed_back_is_the_point_with_its_worth():
    said = facts("We currently pay 2m a year and they want 6% on top. That's the sticking point.")
    assert said["sticking_point"] == "6% increase"
    assert said["sticking_point_value_per_year"] == 120_000
    assert "ms_annual_cost" not in said  # the new total is no offer a listener notes


@pytest.mark.parametrize("said", ["It was a long call. That's the main thing.", "That's the sticking point?"])
def test_a_pointing_sentence_with_nothing_before_it_names_nothing(said):
    assert "sticking_point" not in facts(said)


async def test_a_plan_told_then_judged_with_a_remark_after_the_question(chat, deal):
    await chat("our head of IT is fuming, he said 'let's just get the CEO to ring their area VP'")
    reply = await chat("would we really do that?? worried it makes things worse")
    assert reply.intent == "escalation.check", reply.headline


def test_a_question_with_a_short_remark_after_it_is_read_as_the_question():
    said = "Jane asked what our budget is. Can I tell her? Just want to be careful."
    assert read(said, KB, now=NOW).intent == "disclosure.share"
