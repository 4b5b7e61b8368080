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


@pytest.mark.parametrize(
    "asked",
    [
        "is that wise? I don't want to get it wrong",
        "should we go ahead with that? I really don't want to mess it up",
    ],
)
async def test_a_plan_told_then_judged_with_a_remark_after_the_question(chat, deal, asked):
    # the remark alone reads as "cancel" or nothing; the question before it judges the plan
    await chat("our head of IT is fuming, he said 'let's just get the CEO to ring their area VP'")
    reply = await chat(asked)
    assert reply.intent == "escalation.check", reply.headline


# Round-8 classes (authors 45-48), in our own words.


async def test_leaving_weighed_against_what_we_pay_now_when_their_offer_is_untold(chat, deal):
    await chat("AWS priced the same estate at 900k a year.")
    await chat("We pay Microsoft 1.6m a year today on a three-year EA.")
    await chat("Our own migration estimate is 400k one-off, and the board agreed we leave above 1.5m a year.")
    reply = await chat("Do the numbers say we go?")
    assert reply.intent == "walkaway.check"
    assert reply.verdict == "walk_is_right", reply.headline
    rules = [i.rule for s in reply.sections for i in s.items]
    assert "walkaway.staying-at-current-spend" in rules
    assert "current offer" in reply.plain_text()  # their offer is asked for, to strengthen the case


def test_their_renewal_priced_is_their_offer_and_amounts_are_exact():
    said = facts("Their renewal came in at 4.1m a year.")
    assert said == {"ms_annual_cost": 4_100_000}


@pytest.mark.parametrize(
    "said, point",
    [
        ("The sole remaining point of disagreement is a cap on yearly increases.", "cap on yearly increases"),
        ("The single outstanding matter is the price of our Power BI seats.", "price of our Power BI seats"),
        (
            "The real problem is that they insist on bundling Teams Premium for everyone.",
            "bundling Teams Premium",
        ),
    ],
)
def test_the_point_named_as_the_one_matter_left(said, point):
    assert point in facts(said)["sticking_point"]


def test_a_worth_in_a_relative_clause_with_an_estimate_word_is_the_points():
    said = facts("The only open item is the Project pricing, which comes to maybe $8,000 a year.")
    assert said["sticking_point_value_per_year"] == 8000
    assert "rounds_with_account_team" not in facts("we met them 3 times, maybe 4")


@pytest.mark.parametrize(
    "said",
    [
        "Finance, IT and Procurement are singing from the same hymn sheet now.",
        "IT, Finance and Procurement speak with one voice on this.",
        "IT, Finance and Procurement signed the same two-page position last week.",
    ],
)
def test_our_teams_agreeing_in_idiom(said):
    assert facts(said)["internal_alignment"] == "IT yes, Finance yes, Procurement yes"


def test_a_plan_to_contact_their_executive_judged_on_its_timing_is_the_escalation_question():
    said = (
        "Our chairman is unhappy with the price. He could contact the Microsoft executive himself."
        " Is this the right moment?"
    )
    assert read(said, KB, now=NOW).intent == "escalation.check"


async def test_the_favour_told_with_an_aside_is_what_the_short_question_asks_about(chat, deal):
    await chat("Our licences from last week still haven't shown up.")
    await chat(
        "I'm thinking of asking Rui, the seller who closed that order, to chase the provisioning team."
    )
    reply = await chat("Should I ask him?")
    assert reply.intent == "favors.should_ask"
    assert reply.verdict == "ask", reply.headline  # landing his own order is his job, not a favour
    assert "Rui" in reply.headline


async def test_whom_the_coach_asked_for_is_never_a_question_of_its_own(chat, deal):
    asked = await chat("should I ask for a price hold?")
    assert asked.headline == "Whom would you ask for a price hold?"
    reply = await chat("Would it be wise to ask for that right now?")
    assert "Would it be wise" not in reply.plain_text(), reply.plain_text()


@pytest.mark.parametrize(
    "said, amount, currency",
    [
        ("R$ 40 mil por ano", 40_000, "BRL"),
        ("R$ 22 milhões", 22_000_000, "BRL"),
        ("MXN 3 millones", 3_000_000, "MXN"),
    ],
)
def test_amounts_in_portuguese_and_spanish(said, amount, currency):
    from bot.understanding.money import read_money

    [m] = read_money(said)
    assert (m.amount, m.currency) == (amount, currency)


def test_their_person_telling_us_what_leaving_costs_is_their_claim_not_our_estimate():
    said = facts(
        "We costed the move carefully at about 300k one-off. Priya told us switching would cost at"
        " least 2m, but she has never seen our plan."
    )
    assert said["switching_cost"] == 300_000
    assert said["ms_claimed_switching_cost"] == 2_000_000


@pytest.mark.parametrize(
    "said, intent",
    [
        ("My manager wants to know: is it ok to tell the CSM our budget?", "disclosure.share"),
        ("Our COO (Dana) is asking whether we should take it to their VP now.", "escalation.check"),
    ],
)
def test_a_question_relayed_for_someone_else_is_that_question(said, intent):
    assert read(said, KB, now=NOW).intent == intent


def test_the_words_that_relay_a_question_are_not_read_by_the_model():
    bare = "are we better off going to AWS?"
    relayed = read("My boss wants to know — " + bare, KB, now=NOW)
    assert relayed.ranking == read(bare, KB, now=NOW).ranking


def test_our_own_walk_line_agreed_is_no_commitment():
    said = "IT costed the exit at 1m, and the exec team agreed we'd only walk if they go above 2m a year."
    reading = read(said, KB, now=NOW)
    assert reading.intent == "deal.tell"
    assert {f.key for f in reading.facts} >= {"walk_threshold_per_year"}


@pytest.mark.parametrize("said", ["our EA isnt til march 31 2028", "The renewal isn't until 31 March 2028."])
def test_a_date_bounded_by_until_is_no_denial(said):
    assert facts(said)["renewal_date"] == "2028-03-31"


def test_rounds_told_as_times_round_the_table():
    said = facts("We've been round the table with their account team six times since May.")
    assert said["rounds_with_account_team"] == 6


def test_teams_concurring_beside_a_sponsor_named_in_the_same_sentence():
    said = facts(
        "Contracts, Finance and IT have all concurred with our position, and our CFO has agreed to act"
        " as executive sponsor."
    )
    assert said["internal_alignment"] == "IT yes, Finance yes, Procurement yes"
    assert said["exec_sponsor"] is True


def test_a_chief_executive_who_will_front_it_is_the_sponsor():
    assert facts("Our Chief Executive has agreed to front it if needed.")["exec_sponsor"] is True


@pytest.mark.parametrize(
    "said, name, role",
    [
        ("our csm is maya, great to work with", "Maya", "csm"),
        ("new ts omar is measured on workloads deployed", "Omar", "ts"),
        ("ae (lena) asked what our budget is", "Lena", "ae"),
    ],
)
def test_people_named_in_a_message_typed_all_in_lower_case(said, name, role):
    from bot.understanding.facts import read_contacts

    assert [(c.name, c.role) for c in read_contacts(said, KB)] == [(name, role)]


@pytest.mark.parametrize("said", ["our csm is great", "our ae is leaving in march"])
def test_a_lower_case_word_after_a_role_is_not_always_a_name(said):
    from bot.understanding.facts import read_contacts

    assert read_contacts(said, KB) == []


async def test_a_draft_shown_then_asked_about_is_what_is_checked(chat, deal):
    await chat(
        "Here's my reply to their AE: « Hi Leo, thanks for the proposal. Honestly we can't go above"
        " 900k a year, so please sharpen your pencil. Best, Kim »"
    )
    reply = await chat("Could you check it before I send it?")
    assert reply.intent == "leakcheck"
    assert reply.verdict == "flagged", reply.plain_text()
    assert "900k" in reply.plain_text()


def test_a_budget_signed_off_in_the_words_after_it():
    said = facts("it's 800k a year tbh, finance signed it off on monday")
    assert said["budget_per_year"] == 800_000


async def test_a_new_leader_nobody_has_met_asked_a_personal_favour_is_unlikely(chat, deal):
    await chat(
        "Their new AVP for the Nordics, Ms. Ingrid Dahl, started last month. Nobody here has ever met her."
    )
    await chat(
        "Our COO would like to ask her directly, as a personal gesture, to waive the late-payment fees."
    )
    reply = await chat("Is it wise to ask this of her?")
    assert reply.intent == "favors.should_ask"
    assert reply.verdict == "unlikely", reply.plain_text()
    assert "Ingrid Dahl" in reply.headline


async def test_what_we_found_in_an_evaluation_told_to_him_is_strategic_with_the_ae(chat, deal):
    await chat("We ran a month-long pilot of SentinelOne against Defender; it did just as well for less.")
    await chat(
        "Third round with the AE today and he's stuck at 5% off, says he needs the deal desk for more."
    )
    reply = await chat("Should I tell him what we found?")
    assert reply.intent == "disclosure.share"
    assert reply.verdict == "strategic", reply.plain_text()
    assert "account executive" in reply.headline  # "him" is a person, never the deal desk


def test_asking_one_of_our_own_to_call_their_leader_is_the_escalation_question():
    said = "Should I ask our managing director to call the Microsoft country manager this week?"
    assert read(said, KB, now=NOW).intent == "escalation.check"
    assert read("should I ask Jane for a price hold?", KB, now=NOW).intent == "favors.should_ask"


def test_a_team_keen_to_push_back_hard_and_one_that_finds_the_offer_fine():
    said = facts(
        "Procurement wants to push back hard, but our CIO reckons the new offer is 'perfectly fine'."
    )
    assert said["internal_alignment"] == "IT not yet, Procurement yes"


def test_a_meeting_about_the_renewal_is_not_its_date():
    assert "renewal_date" not in facts("Their AE already wants a 'renewal kickoff' in February.")
    assert facts("Our renewal is in February.")["renewal_date"] == "2027-02-01"


def test_a_name_then_its_role_as_a_fragment_is_a_contact():
    from bot.understanding.facts import read_contacts

    assert [(c.name, c.role) for c in read_contacts("Ines. Their CSM.", KB)] == [("Ines", "csm")]
    assert read_contacts("Meeting. Our AE.", KB) == []


async def test_asks_told_in_fragments_then_ask_her_names_the_one_contact(chat, deal):
    await chat("Noor. Our AE.")
    await chat("We've asked her for favours four times since summer and given nothing back.")
    reply = await chat("Now I want free conference passes for my team. Ask her?")
    assert reply.intent == "favors.should_ask"
    assert "Noor" in reply.headline, reply.plain_text()
