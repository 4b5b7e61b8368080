"""Facts told the way people tell them, round-5 classes (issue #21, session 9): an open item said
in another language's word order ("Open is only …", "Still pending: …"), a difference called a
delta, leadership's ceiling on what we pay as the walk-away line, a decision "fixed" by the board,
the agreement's "anniv", a target set by a bare role ("CFO locked the target at …"), a migration
named as a noun, a price "for 40 licences" kept whole, Microsoft's sign-by date kept apart from
ours, lowercase "it" and "fin" in a team list, a contact introduced in lower case after the role,
and a favour question after a sentence about past asks. Wording here is our own."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.features import default_knowledge
from bot.understanding.facts import read_facts
from bot.understanding.introductions import introductions

KB = default_knowledge()
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def read(text: str, **known: object) -> dict:
    return {f.key: f.value for f in read_facts(text, KB, now=NOW, tz="Europe/London", known=known)}


@pytest.mark.parametrize(
    "said, point",
    [
        ("Still pending: the Copilot price hold.", "Copilot price hold"),
        ("Open is now only the cap on the yearly increase.", "cap on the yearly increase"),
        ("The one pending item is the Teams Phone pricing.", "Teams Phone pricing"),
        ("Outstanding remains just the Defender add-on.", "Defender add-on"),
    ],
)
def test_an_open_item_in_any_word_order_is_the_sticking_point(said, point):
    assert read(said)["sticking_point"] == point


def test_the_price_for_a_count_of_licences_is_kept_whole_and_its_worth_follows():
    said = read("Pending is only the price for 25 Project licences, this is maybe 4.000 euro a year.")
    assert said["sticking_point"] == "price for 25 Project licences"
    assert said["sticking_point_value_per_year"] == 4000
    assert "ms_annual_cost" not in said
    # a year after "for" is no part of the thing
    assert read("the sticking point is the uplift for 2028, worth 300k")["sticking_point"] == "uplift"


def test_a_delta_is_what_the_point_is_worth():
    assert read("the uplift is a ~350k/yr delta in our model")["sticking_point_value_per_year"] == 350000


@pytest.mark.parametrize(
    "said, amount",
    [
        ("Our board decided in September that we must not pay more than €2.2M a year.", 2200000),
        ("The executive committee fixed that we leave if it goes above 1.8M per year.", 1800000),
        ("Leadership agreed we should pay no more than $900k a year.", 900000),
    ],
)
def test_leaderships_ceiling_on_the_price_is_the_agreed_walk_away_line(said, amount):
    got = read(said)
    assert got["walk_threshold_per_year"] == amount
    assert got["walk_threshold_agreed"] is True


def test_a_negation_that_bounds_an_amount_does_not_hide_it_but_a_denial_still_does():
    assert read("We will not pay more than 3M a year.")["walk_threshold_per_year"] == 3000000
    assert read("The deal isn't 2M, it's 2.4M a year.")["deal_value_per_year"] == 2400000


def test_the_board_agreeing_what_we_should_do_is_a_decision_not_a_wish():
    assert read("The board agreed we should ask for 12% off.")["ask_discount_pct"] == 12
    assert "ask_discount_pct" not in read("Should we ask for 12% off?")


def test_the_agreements_anniv_is_its_end():
    assert read("Our EA anniv is 30 Apr 27.")["renewal_date"] == "2027-04-30"


def test_a_target_set_by_a_bare_role_is_our_budget():
    said = read("CFO fixed the target at 3.1M/yr.")
    assert said["budget_per_year"] == 3100000 and said["budget_target_set"] is True


@pytest.mark.parametrize(
    "said, moves",
    [
        ("Our migration of 80 VMs to Azure is on hold until the review is done.", "80 VMs to Azure"),
        ("The move of the billing platform onto Azure starts in May.", "billing platform onto Azure"),
    ],
)
def test_a_migration_named_as_a_noun_is_planned(said, moves):
    assert read(said)["planned_migration"] == moves


def test_microsofts_sign_by_date_is_theirs_and_our_own_is_ours():
    assert "signature_date" not in read("The AE keeps pushing us to sign by 20 December.")
    assert "signature_date" not in read("Microsoft pressing hard to sign by 12/31, their quarter end.")
    assert "signature_date" not in read("Their rep says sign by 18 Dec or the discount lapses.")
    assert "signature_date" not in read("The account exec told us we have to sign before 22 December.")
    assert read("Our CFO says we sign by 15 March at the latest.")["signature_date"] == "2027-03-15"
    assert read("We plan to sign by 15 March.")["signature_date"] == "2027-03-15"


def test_lowercase_it_and_fin_in_a_team_list_are_teams():
    said = read("it, fin and procurement are all on board with the counter now.")
    assert said["internal_alignment"] == "IT yes, Finance yes, Procurement yes"


def test_a_contact_introduced_in_lower_case_after_the_role():
    found = introductions("our ts marek told us he's measured on consumption", KB)
    assert [(c.name, c.role) for c in found] == [("Marek", "ts")]
    assert introductions("our ts told us nothing new", KB) == []


async def test_a_favour_question_after_a_sentence_about_past_asks(chat, deal):
    await chat("our ts marek told us he's measured on azure consumption going live")
    await chat("we need a design review of the new analytics platform before april")
    reply = await chat("we never asked him for anything before. shd i ask marek for the review?")
    assert reply.intent == "favors.should_ask", reply.plain_text()
    assert reply.verdict == "ask", reply.plain_text()


def test_our_own_estimate_after_their_switching_claim_is_our_switching_cost():
    said = read("The AE says leaving would cost us 2.5M; our own number is about 800k.")
    assert said["ms_claimed_switching_cost"] == 2500000 and said["switching_cost"] == 800000


def test_who_makes_the_call_on_a_day_sets_the_decision_date():
    assert read("Our investment board makes the final call on 3 March 2027.")["decision_date"] == "2027-03-03"


def test_a_deadline_of_our_own_that_we_can_move_is_in_our_control():
    assert read("The date is just our own budget cycle, we can move it.")["timeline_in_control"] is True


def test_not_a_single_proper_meeting_is_no_round_yet():
    assert (
        read("We haven't had a single formal pricing session with them yet.")["rounds_with_account_team"] == 0
    )


def test_a_ceo_who_golfs_with_theirs_knows_their_leadership():
    assert read("our chief exec plays golf w/ their country GM")["ceo_knows_ms_leadership"] is True


@pytest.mark.parametrize(
    "said, point",
    [
        ("Fifth session done, zero movement on their 6% yearly uplift.", "6% yearly uplift"),
        ("Lovely people, but on the Defender bundle price they don't budge at all.", "Defender bundle price"),
        ("Still no give from them on the price cap.", "price cap"),
    ],
)
def test_the_point_told_as_where_nothing_moves(said, point):
    assert read(said)["sticking_point"] == point


def test_their_team_met_a_number_of_times_counts_rounds():
    assert read("We've met their team five times since September.")["rounds_with_account_team"] == 5


async def test_her_after_favours_told_of_one_person_is_that_person(chat, deal):
    await chat("We're hiring 200 people in April and their licences have to work from day one.")
    await chat(
        "This year I asked Sofia for favours three times already: a quote extension, a demo and an intro."
    )
    reply = await chat("Now I'd like to ask her to hurry the licence activation. Too much, or can I ask?")
    assert reply.intent == "favors.should_ask", reply.plain_text()
    assert "Sofia" in reply.plain_text() and reply.verdict in ("find_aligned_contact", "unlikely"), (
        reply.plain_text()
    )


def test_a_competitor_we_are_leaving_for_azure_is_no_alternative():
    said = read("We're moving the analytics estate off Google Cloud to Azure next year, about $1.5M/yr.")
    assert "alternative" not in said and "alternative_annual_cost" not in said
    assert read("We got a quote from Google for 1.2M a year.")["alternative_annual_cost"] == 1200000


def test_an_impasse_is_the_point_and_a_rise_applied_to_a_figure_is_worth_its_share():
    said = read("The impasse is their 4% yearly escalator, applied to roughly €5M a year of spend.")
    assert said["sticking_point"] == "4% yearly escalator"
    assert said["sticking_point_value_per_year"] == 200000


def test_what_they_say_is_not_possible_is_the_point():
    assert (
        read("The AE keeps saying the uplift cap is 'simply not possible'.")["sticking_point"] == "uplift cap"
    )


def test_an_agreement_that_rolls_over_on_a_day_ends_then():
    assert read("Our EA rolls over on 30 April 2027.")["renewal_date"] == "2027-04-30"


def test_lowercase_it_heading_a_list_without_commas():
    assert (
        read("it fin procurement all on board")["internal_alignment"]
        == "IT yes, Finance yes, Procurement yes"
    )


async def test_a_named_person_whose_role_was_never_told_is_taken_as_the_account_team(chat, deal):
    await chat("Round three with Ottilie on the Azure commit, she's stuck at 5% off.")
    await chat("Our Google Cloud pilot went well and is costed at 800k a year.")
    reply = await chat("Can I tell Ottilie about the Google Cloud numbers now?")
    assert reply.intent == "disclosure.share", reply.plain_text()
    assert reply.verdict == "strategic", reply.plain_text()
    assert "disclosure.assumed-account-team" in [i.rule for s in reply.sections for i in s.items]


@pytest.mark.parametrize(
    "said, key, amount",
    [
        ("The Google alternative is costed at 2,8 mln PLN per year.", "alternative_annual_cost", 2800000),
        (
            "The only open item is the Visio pricing, roughly 15 tys. PLN per year.",
            "sticking_point_value_per_year",
            15000,
        ),
    ],
)
def test_millions_and_thousands_written_the_polish_way(said, key, amount):
    assert read(said)[key] == amount


def test_we_costed_the_move_is_our_switching_cost():
    assert read("we costed the move at ~350k all in, that's our own number")["switching_cost"] == 350000


def test_the_board_said_we_walk_above_a_figure_is_an_agreed_line():
    said = read("the board said we walk if Microsoft goes over 1.1M a year")
    assert said["walk_threshold_per_year"] == 1100000 and said["walk_threshold_agreed"] is True
    assert "ask_discount_pct" not in read("The AE said we'd get 10% off if we sign this month.")


def test_credits_for_a_proof_of_concept_are_the_technical_teams_topic():
    from bot.playbooks.favors import topic_of

    assert topic_of("POC credits for a sandbox", KB).key == "architecture"
    assert topic_of("a price hold on the quote", KB).key == "commercial"


def test_what_a_refused_point_is_worth_follows_it():
    said = read("the AE won't budge on the 7% uplift, about 180k a year for us")
    assert said["sticking_point"] == "7% uplift" and said["sticking_point_value_per_year"] == 180000
    assert "deal_value_per_year" not in said
    assert read("they won't move on price, our budget is 2M a year")["budget_per_year"] == 2000000
