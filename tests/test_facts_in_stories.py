"""Facts as people tell them in a story, each class in our own words: a sticking point inside
Microsoft's statement, the sponsor who agreed to front it, our ask in one line, team heads for
their teams, Microsoft's own switching figure told as "it'd be", currency signs with their
country, a budget "set" for the renewal, a walk-away never landed on."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.features import default_knowledge
from bot.understanding.facts import read_facts

KB = default_knowledge()
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def read(text: str) -> dict:
    return {f.key: f.value for f in read_facts(text, KB, now=NOW, tz="Europe/London")}


@pytest.mark.parametrize(
    ("text", "point"),
    [
        (
            "Three calls now and the seller still refuses to budge on the Defender add-on price.",
            "Defender add-on price",
        ),
        ("Priya has declined to move on the 8% uplift for Teams Phone.", "8% uplift"),
        (
            "The account manager insists the Copilot minimum seat count is non-negotiable.",
            "Copilot minimum seat count",
        ),
        ("Their rep keeps saying the annual price rise is 'policy'.", "annual price rise"),
    ],
)
def test_a_sticking_point_inside_microsofts_statement(text, point):
    assert read(text).get("sticking_point") == point


@pytest.mark.parametrize(
    "text",
    [
        "We won't move on our budget this time.",
        "Finance won't budge on the ceiling.",
        "Jane didn't give us the extra discount.",
    ],
)
def test_our_own_refusal_or_a_missing_concession_is_no_sticking_point(text):
    assert "sticking_point" not in read(text)


def test_the_sponsor_who_agreed_to_front_it():
    said = read("Our COO, Ravi, has agreed to front the escalation as exec sponsor.")
    assert said.get("exec_sponsor") is True
    assert read("she's happy to act as executive sponsor on this one").get("exec_sponsor") is True
    assert "exec_sponsor" not in read("the CFO hasn't agreed to be the sponsor")


def test_our_ask_in_one_line_is_the_escalation_ask_not_a_discount():
    said = read(
        "Legal, the CFO and procurement have all signed off on the ask: hold price increases to 2% a year."
    )
    assert said.get("escalation_ask") == "hold price increases to 2% a year"
    said = read("The ask: cap yearly increases at 4%.")
    assert "ask_discount_pct" not in said
    said = read("What we want is flat pricing for three years and the Visio seats thrown in.")
    assert said.get("escalation_ask", "").startswith("flat pricing for three years")


def test_team_heads_speak_for_their_teams_unless_the_sentence_is_about_the_budget():
    said = read("Our CIO, the CFO and purchasing all signed off on the position.")
    assert said.get("internal_alignment") == "IT yes, Finance yes, Procurement yes"
    said = read("procurement locked the budget at 3m, CFO approved it")
    assert "internal_alignment" not in said


def test_microsofts_switching_figure_told_as_it_would_be():
    said = read("Our partner puts switching at about 600k one-off. The AE is claiming it'd be 2m plus.")
    assert said.get("switching_cost") == 600_000 and said.get("ms_claimed_switching_cost") == 2_000_000


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("finance has set NZ$ 800k a year for this renewal", 800_000),
        ("Finance has set C$1.2m a year aside for the renewal", 1_200_000),
    ],
)
def test_a_budget_set_for_the_renewal_in_a_country_dollar(text, value):
    assert read(text).get("budget_per_year") == value


def test_microsofts_offer_in_plain_words_and_a_yearly_escalation():
    said = read("Microsoft came in at A$2.2m a year with a 5% escalation every year.")
    assert said.get("ms_annual_cost") == 2_200_000 and said.get("annual_escalator_pct") == 5


def test_a_walk_away_never_landed_on_and_a_budget_never_given():
    assert (
        read("leadership still hasn't landed on a figure at which we'd actually walk").get(
            "walk_threshold_agreed"
        )
        is False
    )
    assert read("Finance still hasn't given me a budget figure.").get("budget_target_set") is False


def test_a_reply_that_carries_the_story_on_is_not_the_words_of_an_open_text_answer():
    from bot.forms import read_form_answers

    def answer(text: str) -> dict:
        return read_form_answers(text, ["alternative"], KB, now=NOW, tz="Europe/London")

    assert answer("Zoho, probably") == {"alternative": "Zoho, probably"}
    assert answer("No one has costed a move yet. It's mostly talk in the corridor.") == {}
    assert answer("And separately the CSM keeps nudging us about a Teams Rooms pilot for the offices.") == {}


@pytest.mark.parametrize(
    ("text", "alt"),
    [
        ("The board keeps muttering that we could simply move to AWS if this drags on.", "AWS"),
        ("Honestly we might switch to Salesforce, nobody has run the numbers though.", "Salesforce"),
    ],
)
def test_the_alternative_named_in_passing_even_in_a_threat(text, alt):
    assert read(text).get("alternative") == alt


def test_an_alternative_we_rule_out_is_none():
    assert "alternative" not in read("We will never move to Google, whatever happens.")


def test_a_migration_counted_in_things_moved_and_into_azure():
    said = read(
        "Next financial year we're planning to move roughly 250 servers from the old data centre into Azure."
    )
    assert said.get("planned_migration", "").startswith("250 servers from the old data centre into Azure")


def test_a_benchmark_that_found_the_offer_above_market_and_one_that_did_not():
    assert (
        read("An advisor benchmarked it for us and it sits well above market.").get("offer_uncompetitive")
        is True
    )
    assert "offer_uncompetitive" not in read("We benchmarked it and it's not above market at all.")


def test_engineering_help_floated_by_their_specialist_and_no_sponsor_asked_yet():
    said = read("Their TS suggested we join the private preview and talk to the product group.")
    assert said.get("engineering_engagement") is True
    assert read("No executive has been asked to sponsor this yet.").get("exec_sponsor") is False


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("Moving away from Microsoft would cost us about 450k all told.", "switching_cost", 450_000),
        ("The seller told us it'd cost 1.5M to move.", "ms_claimed_switching_cost", 1_500_000),
        ("Our COO Dana is championing this one.", "exec_sponsor", True),
        ("That makes six calls with their team and nothing has changed.", "rounds_with_account_team", 6),
        ("Microsoft's revised figure is 1.3 million a year.", "ms_annual_cost", 1_300_000),
        ("Our spending limit is 800k a year.", "budget_per_year", 800_000),
        ("We can stretch to 950k at most.", "budget_per_year", 950_000),
        ("Still no budget figure from finance.", "budget_target_set", False),
        ("They are pushing a 5-year commit.", "term_years", 5),
    ],
)
def test_everyday_wording_of_deal_facts(text, key, value):
    assert read(text).get(key) == value


def test_a_walk_away_told_before_who_approved_it_and_we_are_aligned():
    said = read("We'd walk above 1.2M a year, and leadership approved that last month.")
    assert said.get("walk_threshold_agreed") is True
    assert (
        read("We're all aligned internally now.").get("internal_alignment")
        == "IT yes, Finance yes, Procurement yes"
    )


def test_a_rise_over_what_we_pay_told_in_one_long_sentence():
    said = read(
        "They have come back with a renewal that's 10% higher than what we're paying now, three-year term, "
        "and we currently pay 2M a year."
    )
    assert said.get("deal_value_per_year") == 2_000_000
    assert said.get("ms_annual_cost") == 2_200_000


def test_the_day_their_vp_phoned_is_no_renewal_date():
    said = read(
        "News on the renewal: their regional VP called our CIO on Tuesday asking what the hold-up is."
    )
    assert "renewal_date" not in said
    assert read("The renewal is due on Tuesday.").get("renewal_date") == "2026-12-01"


async def test_alignment_told_team_by_team_is_kept_as_read(chat, deal):
    reply = await chat(
        "Quick update: IT and Finance are firmly behind our position, Procurement is still unconvinced."
    )
    shown = (await chat("deal show")).plain_text()
    assert "IT yes, Finance yes, Procurement not yet" in shown, (reply.headline, shown)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "We got IT, Finance and Procurement on the same page on Monday.",
            "IT yes, Finance yes, Procurement yes",
        ),
        (
            "Finally have IT and Procurement behind us; finance not yet.",
            "IT yes, Finance not yet, Procurement yes",
        ),
    ],
)
def test_a_team_list_after_a_short_lead_keeps_every_team(text, said):
    found = {f.key: f.value for f in read_facts(text, KB, now=NOW)}
    assert found.get("internal_alignment") == said
