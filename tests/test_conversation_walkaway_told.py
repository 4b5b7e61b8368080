"""Transcripts of a walk-away question after a story told as people tell it (issue #21): the
alternative costed in the sentence after it is named, a move described with what is moved, a
walk point approved in other verbs, leadership never asked for a number. The last reply is the
verdict, not a form."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.features import default_knowledge
from bot.understanding.facts import read_facts

KB = default_knowledge()
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def read(text: str) -> dict:
    return {f.key: f.value for f in read_facts(text, KB, now=NOW, tz="Europe/London")}


def test_the_sentence_after_the_alternative_prices_it():
    said = read("Plan B is AWS. Our cloud team priced it out at 1.2m a year, everything included.")
    assert said["alternative"] == "AWS"
    assert said["alternative_annual_cost"] == 1_200_000


def test_a_microsoft_figure_after_the_alternative_stays_microsoft():
    said = read("Our fallback is Zoom. Microsoft's quote is 900k a year.")
    assert said.get("alternative_annual_cost") is None
    assert said["ms_annual_cost"] == 900_000


def test_a_move_told_with_what_is_moved_names_the_alternative():
    assert read("we might shift all our collaboration tooling over to Zoom")["alternative"] == "Zoom"
    said = read("We are considering to move the service desk from Dynamics to Salesforce.")
    assert said["alternative"] == "Salesforce"


def test_leadership_never_asked_for_a_walk_number_is_not_agreed():
    said = read("the directors have not been asked about a walk-away number")
    assert said["walk_threshold_agreed"] is False
    assert read("no one has put a figure on the walk-away point")["walk_threshold_agreed"] is False


def test_a_walk_point_okayed_in_other_verbs_is_agreed():
    said = read("management okayed walking if the price goes over 1.4m a year")
    assert said["walk_threshold_agreed"] is True
    assert said["walk_threshold_per_year"] == 1_400_000


async def test_a_priced_alternative_and_a_passed_walk_point_give_the_verdict(chat, deal):
    await chat("Microsoft came back at $160k a month, 3 year term, 6% uplift each year")
    await chat("our fallback is Zoom plus Slack. Finance priced it at $1.3M a year all in")
    await chat("our own switching estimate is $700k one-off")
    await chat("the CFO signed off: above $1.8M a year we leave")
    reply = await chat("be straight with me, does leaving pay?")
    assert reply.intent == "walkaway.check"
    assert reply.verdict == "walk_is_right", reply.headline


async def test_an_unpriced_idea_and_no_walk_number_is_no_credible_walk(chat, deal):
    await chat("ops think we could move the whole estate across to AWS if Microsoft won't move on price")
    await chat("the board have not been asked about a walk-away number yet")
    reply = await chat("Microsoft want 1.9m a year for three years. Could we credibly threaten to walk?")
    assert reply.intent == "walkaway.check"
    assert reply.verdict == "walk_not_credible", reply.headline


async def test_an_alternative_dearer_than_the_offer_under_the_agreed_point_is_stay(chat, deal):
    await chat("fallback = google workspace, costed by IT at 2.1m/yr all in")
    await chat("microsoft offer is 1.7m/yr, 3 yrs")
    await chat("switching est ~500k one off")
    await chat("board ok'd walking if it goes above 2m per yr")
    reply = await chat("so, walk or stay?")
    assert reply.intent == "walkaway.check"
    assert reply.verdict == "stay", reply.headline


async def test_an_untold_yearly_increase_that_could_not_change_the_verdict_is_not_asked(chat, deal):
    await chat("the alternative is Zoom, priced at 700k a year")
    await chat("Microsoft offer is 750k a year for 3 years")
    await chat("our honest switching estimate is 1.2m one-off")
    reply = await chat("should we walk away?")
    assert reply.intent == "walkaway.check"
    assert reply.verdict == "stay", reply.headline
    assert any(i.rule == "walkaway.alternative-dearer-any-increase" for s in reply.sections for i in s.items)


async def test_an_untold_yearly_increase_that_could_change_the_verdict_is_asked(chat, deal):
    await chat("the alternative is Zoom, priced at 700k a year")
    await chat("Microsoft offer is 750k a year for 3 years")
    await chat("our honest switching estimate is 200k one-off")
    reply = await chat("should we walk away?")
    assert reply.verdict != "stay", reply.headline


def test_our_own_migration_estimate_is_the_switching_cost_in_any_thousands_mark():
    assert read("our own migration estimate is CHF 900'000 one-off")["switching_cost"] == 900_000
    assert read("the internal exit costing is 450,000 once")["switching_cost"] == 450_000


def test_an_alternative_nobody_has_priced_is_not_costed_and_a_figure_on_record_stays():
    assert read("Nobody has worked out the cost yet, it's an idea.")["alternative_annual_cost"] == "unknown"
    assert read("the option hasn't been priced")["alternative_annual_cost"] == "unknown"
    said = read_facts(
        "no one has put a number on it", KB, now=NOW, known={"alternative_annual_cost": 800_000.0}
    )
    assert not [f for f in said if f.key == "alternative_annual_cost"]
    assert "alternative_annual_cost" not in read("nobody has costed the migration yet")


def test_leadership_that_never_discussed_a_ceiling_has_agreed_no_walk_point():
    assert (
        read("Our leadership team never discussed a maximum price for the renewal.")["walk_threshold_agreed"]
        is False
    )
    assert "walk_threshold_agreed" not in read("Microsoft hasn't set a maximum price")


async def test_an_alternative_only_talked_about_and_never_costed_is_no_credible_walk(chat, deal):
    await chat("we've had a couple of early chats with AWS, nothing more. Nobody has priced it.")
    reply = await chat("could we walk away from Microsoft?")
    assert reply.intent == "walkaway.check"
    assert reply.verdict == "walk_not_credible", reply.headline
