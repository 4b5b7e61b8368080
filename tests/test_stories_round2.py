"""Stories told over several messages end in the right advice (issue #21, round-2 classes):
a team list led by other words still names every team, a team that "says it's too expensive" is
not on board, and a migration said as "our plan is to move ..." with names, symbols and counts
in brackets is heard, so the escalation check and the program levers answer instead of asking.
Wording here is our own, not the corpora's."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.features import default_knowledge
from bot.understanding.facts import read_facts

KB = default_knowledge()
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def read(text: str, **known: object) -> dict:
    return {f.key: f.value for f in read_facts(text, KB, now=NOW, tz="Europe/London", known=known)}


def test_a_team_list_after_a_long_lead_names_every_team():
    said = read(
        "After Monday's budget review with the board, IT, Finance and Procurement backed the position."
    )
    assert said["internal_alignment"] == "IT yes, Finance yes, Procurement yes"
    said = read("Our COO is now the sponsor, and IT, Procurement and Finance are all behind one position.")
    assert said["internal_alignment"] == "IT yes, Finance yes, Procurement yes"
    said = read("eng, procurement and finance all agreed the ask last week")
    assert said["internal_alignment"] == "IT yes, Finance yes, Procurement yes"


def test_a_team_that_finds_the_price_too_high_is_not_on_board():
    said = read("The CIO is fine with the offer, but finance thinks it is too high.")
    # content with Microsoft's offer is not behind our ask either: the two teams are apart (round 6)
    assert said["internal_alignment"] == "IT not yet, Finance not yet"
    # "too" at the end still carries the verdict before it
    assert read("IT agreed, procurement too.")["internal_alignment"] == "IT yes, Procurement yes"


def test_a_list_with_no_verdict_stores_no_stance():
    assert "internal_alignment" not in read(
        "After the offsite, IT, Finance and Procurement met the account team."
    )


def test_a_migration_plan_said_in_other_words_is_heard():
    assert read("The plan is to shift nothing yet.").get("planned_migration") is None
    said = read("Our aim is to migrate the ERP + data warehouse (~250 VMs) to Azure from June 2027.")
    assert said["planned_migration"] == "ERP + data warehouse (~250 VMs) to Azure from June 2027"
    said = read("we're moving our CRM/billing stack to azure next yr")
    assert said["planned_migration"] == "CRM/billing stack to azure next yr"
    said = read("planning to move the on-prem clusters (about 120 nodes) to AKS in 2028")
    assert said["planned_migration"] == "on-prem clusters (about 120 nodes) to AKS in 2028"


async def test_a_story_with_every_team_behind_one_ask_ends_in_escalating(chat, deal):
    await chat("we've had our fifth round with the account team now")
    await chat(
        "the sticking point is their 9% uplift, worth about 500k a year on a 6m a year deal; "
        "our benchmark shows it's above market"
    )
    await chat("the AE has told us four times there's no more room")
    await chat(
        "After Tuesday's steerco, IT, Finance and Procurement signed off on one ask, "
        "and our CFO agreed to sponsor it"
    )
    await chat("Finance has set a budget target")
    reply = await chat("is it time to take this to their area VP?")
    assert reply.intent == "escalation.check", reply.plain_text()
    assert reply.verdict == "escalate_now", reply.plain_text()


async def test_a_migration_told_in_a_story_gets_program_levers(chat, deal):
    await chat("our aim is to move the whole payroll + HR estate (~120 VMs) to Azure from March 2027")
    reply = await chat("which Microsoft programs could we use here?")
    assert reply.intent == "programs.levers"
    assert reply.verdict == "levers", reply.plain_text()


def test_a_walk_point_never_discussed_is_not_agreed():
    assert read("Our exco never discussed a number at which we leave.")["walk_threshold_agreed"] is False
    assert (
        read("leadership hasn't agreed when we would switch, it's all wait and see")["walk_threshold_agreed"]
        is False
    )
    said = read("senior mgmt agreed we walk above 900k/yr")
    assert said["walk_threshold_agreed"] is True and said["walk_threshold_per_year"] == 900000
    assert "walk_threshold_agreed" not in read("We haven't agreed anything since we left the room.")


def test_an_alternative_and_our_own_migration_estimate_said_tersely():
    said = read("alt: google workspace. the migration we priced at about 700k with a partner")
    assert said["alternative"].casefold() == "google workspace" and said["switching_cost"] == 700000
    # a move to Azure is not the cost of leaving Microsoft
    assert "switching_cost" not in read("The migration to Azure was estimated at 400k by the partner.")


async def test_a_walk_story_with_its_own_costs_answers_without_a_form(chat, deal):
    await chat("microsoft wants 800k/yr for 3 years, flat")
    await chat("alt = google workspace at 600k a year, the migration we costed at 900k ourselves")
    await chat("our exec team agreed we'd walk above 750k a year")
    reply = await chat("is leaving the right call?")
    assert reply.intent == "walkaway.check", reply.plain_text()
    assert reply.verdict == "stay", reply.plain_text()


def test_a_term_said_after_the_yearly_price_and_flat_pricing_are_heard():
    said = read("they're asking 1.5m/yr, 5yr, flat")
    assert said["term_years"] == 5 and said["annual_escalator_pct"] == 0
    assert read("the quote is 640k per year over four years")["term_years"] == 4
    # what we paid in the past is no term
    assert "term_years" not in read("we've been paying 900k a year for 6 years")
    assert "annual_escalator_pct" not in read("the partner charges a flat fee for the migration")
    assert read("msft m365 renewal offer 2.2m/yr")["ms_annual_cost"] == 2200000


def test_rounds_said_with_a_word_between_the_count_and_the_rounds():
    assert read("so far we've done four commercial rounds with the AE")["rounds_with_account_team"] == 4
    assert "rounds_with_account_team" not in read("two more formal rounds are planned")


def test_an_amount_opening_the_sentence_after_the_sticking_point_is_its_worth():
    said = read("The last open item is the Teams Phone pricing. Roughly 12k a year, on a 3m/yr deal.")
    assert said["sticking_point_value_per_year"] == 12000
    # no sticking point named before: the amount is nobody's
    assert "sticking_point_value_per_year" not in read("We met the AE on Monday. About 12k a year.")


def test_a_migration_approved_or_greenlit_is_heard_whole():
    said = read(
        "The exco approved moving our SCADA historians and about 90 other servers to Azure over 2028."
    )
    assert said["planned_migration"] == "SCADA historians and about 90 other servers to Azure over 2028"
    said = read("we're about to greenlight migrating ~60% of our AWS estate to Azure next yr")
    assert said["planned_migration"] == "~60% of our AWS estate to Azure next yr"
    assert "planned_migration" not in read("The board has not approved moving anything to Azure.")


async def test_a_migration_told_before_a_disclosure_question_is_strategic(chat, deal):
    await chat("in talks with the AE about a MACC, second call done")
    await chat("internally we're set to greenlight moving our claims platform and 150 VMs to Azure next year")
    reply = await chat("should I tell the AE about the migration or sit on it?")
    assert reply.intent == "disclosure.share", reply.plain_text()
    assert reply.verdict == "strategic", reply.plain_text()


def test_an_alignment_answer_naming_eng_counts_it():
    from bot.understanding.alignment import parse_alignment

    assert parse_alignment("eng, procurement and finance agreed") == {
        "it": True,
        "finance": True,
        "procurement": True,
    }


def test_the_end_of_the_agreement_said_as_runs_through_or_so_it_ends():
    said = read("The EA was signed in May and runs through September 30, 2029.")
    assert said["renewal_date"] == "2029-09-30" and "signature_date" not in said
    said = read("We signed on 1 July 2026; it's a three-year term, so it ends 30 June 2029.")
    # a signature done is no signing date ahead, even with its year (round 6)
    assert said["renewal_date"] == "2029-06-30" and "signature_date" not in said
    # "may" the verb still hedges
    assert "rounds_with_account_team" not in read("We may have had 3 rounds by then.")
