"""Session 13 (issue #21), classes read on the spent corpora, in our own words: the fact reading
reads every sentence of a message (not the first only); a budget figure it finds means a target is
set; Finance not having given a number is no target yet; a total said "for N years" is per year once
divided; a figure their people contend after our own switching estimate is their claim; team heads
and short verdicts after a team list state the teams' stance; a joint position's own "no" is no
stance; a count by meaning never lowers one on record; a value said alone after the sentence that
names its fact is that fact's; a favour asked of "him" after talk of something else, or of a role
a pronoun was resolved to, is answered."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.features import default_knowledge
from bot.understanding.fact_reading import _point_named, model, read_more, spec
from bot.understanding.reading import read

KB = default_knowledge()
NOW = datetime(2026, 12, 7, 10, 0)
LABELS = model(KB).labels


def facts(text: str, known: dict | None = None) -> dict:
    return {f.key: f.value for f in read(text, KB, now=NOW, known=known).facts}


# --- the fact reading reads every sentence ----------------------------------------------------------


def test_the_second_sentence_of_a_message_is_read_by_meaning_too():
    alone = facts("Their people are at €8m over four years.")
    assert alone["ms_annual_cost"] == 2_000_000  # the premise: the reading by meaning finds it alone
    after = facts("Quick one on the Dynamics renewal. Their people are at €8m over four years.")
    assert after["ms_annual_cost"] == 2_000_000
    assert after["term_years"] == 4


@pytest.mark.parametrize(
    "said, per_year",
    [
        ("His offer is 7,2 M€ for three years. Way too expensive.", 2_400_000),
        ("Her proposal was 6,3 M€ for three years, which we did not expect.", 2_100_000),
    ],
)
def test_a_total_said_for_a_number_of_years_is_divided_by_them(said, per_year):
    assert facts(said)["ms_annual_cost"] == per_year


# --- the budget ---------------------------------------------------------------------------------------


def test_a_budget_figure_read_by_meaning_means_a_target_is_set():
    def budget_only(texts: list[str]) -> list[dict[str, float]]:  # a scorer that names the budget alone
        return [{label: (1.0 if label == "budget_per_year" else -1.0) for label in LABELS} for _ in texts]

    said = "the number we can live with is 750k a year"
    got = {f.key: f.value for f in read_more(said, KB, [], now=NOW, score=budget_only)}
    assert got == {"budget_per_year": 750_000, "budget_target_set": True}


@pytest.mark.parametrize(
    "said",
    ["controlling put our number at 750k a year, fyi", "the board okayed 750k a year for this renewal"],
)
def test_our_own_people_setting_a_figure_set_the_budget(said):
    got = facts(said)
    assert got["budget_per_year"] == 750_000 and got["budget_target_set"] is True
    assert "ms_annual_cost" not in got and "deal_value_per_year" not in got


@pytest.mark.parametrize(
    "said",
    [
        "Our CFO still hasn't even given us a number.",
        "finance has not yet put a figure on it",
        "The controller did not define the budget so far.",
    ],
)
def test_finance_not_having_given_a_number_is_no_target_yet(said):
    assert facts(said)["budget_target_set"] is False


# --- switching: their claim after our estimate ---------------------------------------------------------


@pytest.mark.parametrize("verb", ["contends", "argues", "suggested"])
def test_their_figure_after_our_own_switching_estimate_is_their_claim(verb):
    said = f"Our own switching estimate is 700k one-off; their account team {verb} it would exceed 2.5M."
    got = facts(said)
    assert got["switching_cost"] == 700_000
    assert got["ms_claimed_switching_cost"] == 2_500_000


# --- internal alignment --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "CFO, CIO and our procurement lead — all are on the same page now.",
        "The section 151 officer, the Head of Digital and Procurement are all behind the plan.",
        "Finance, IT, procurement. Same page.",
        "IT, Finance and Procurement sat down on Monday and all three stand behind the position that we "
        "accept no increase above 2%.",
    ],
)
def test_team_heads_and_short_verdicts_state_every_teams_stance(said):
    assert facts(said)["internal_alignment"] == "IT yes, Finance yes, Procurement yes"


# --- counts and fragments -------------------------------------------------------------------------------


def test_a_count_by_meaning_never_lowers_the_rounds_on_record():
    said = "The AE says he already went to his deal desk once and came back with nothing."
    assert facts(said)["rounds_with_account_team"] == 1  # the premise: alone, "once" reads as a count
    assert "rounds_with_account_team" not in facts(said, known={"rounds_with_account_team": 6})


@pytest.mark.parametrize(
    "said, key, value",
    [
        ("Leadership agreed a walk-away line. 2.8M.", "walk_threshold_per_year", 2_800_000),
        ("Their best offer is 1.2M a year. Five years.", "term_years", 5),
    ],
)
def test_a_value_said_alone_belongs_to_the_fact_the_sentence_before_names(said, key, value):
    assert facts(said)[key] == value


# --- favours --------------------------------------------------------------------------------------------


async def test_asking_him_again_after_talk_of_something_else_is_a_favour_question(chat, deal):
    await chat("Tomasz, our AE, sped up the licence keys for us twice this autumn.")
    await chat("are IT and finance aligned enough to escalate?")
    reply = await chat("should I ask him again?")
    assert reply.intent == "favors.should_ask", reply.headline


async def test_a_pronoun_read_as_their_role_asks_the_one_contact_in_it(chat, deal):
    await chat("Our TS at Microsoft has worked with us for years and we never asked her for anything.")
    reply = await chat("Should I ask her to get one of her architects to review our landing zone?")
    assert reply.intent == "favors.should_ask"
    assert reply.verdict is not None, reply.headline  # answered, not "whom would you ask?"


async def test_asking_whether_the_teams_are_aligned_records_no_stance(chat, deal):
    asked = await chat("are IT and finance aligned enough to escalate?")
    assert asked.intent == "escalation.alignment"
    assert "internal_alignment" not in (await chat("show deal")).plain_text().casefold().replace(" ", "_")
    told = await chat("IT and finance are on board, procurement not yet.")
    assert told.headline.endswith("IT yes, Finance yes, Procurement not yet.")
    again = await chat("so are IT and finance aligned?")
    assert again.intent == "escalation.alignment"
    assert again.headline.startswith("Where the teams stand") and "Procurement not yet" in again.headline


# --- the sticking point named by meaning ----------------------------------------------------------


@pytest.mark.parametrize(
    "said, point",
    [
        ("he won't move on the per-user price. says it is final", "per-user price"),
        ("What we argue about is the wording of the licence-reduction clause.", "licence-reduction clause"),
    ],
)
def test_a_point_the_model_hears_is_named_by_its_head_word_and_what_stands_before_it(said, point):
    got = {f.key: f for f in read(said, KB, now=NOW).facts}
    assert got["sticking_point"].rule == "fact-reading"  # the premise: no rule of ours reads it
    assert point in got["sticking_point"].value


def test_a_point_named_by_meaning_never_replaces_the_one_on_record():
    said = "he won't move on the per-user price. says it is final"
    assert "sticking_point" not in facts(said, known={"sticking_point": "Copilot bundle"})


@pytest.mark.parametrize(
    "said, stance",
    [
        ("Our CIO reckons the quote's fine as it is.", "IT not yet"),
        ("Legal and IT agree with the plan; Finance is still going through the numbers.", "Finance not yet"),
        ("IT is on board; Procurement wants a contract review before they commit.", "Procurement not yet"),
        ("IT, Finance and Contracts are all behind the ask.", "Procurement yes"),
        ("Honestly, IT, finance and procurement are all behind me on this.", "Finance yes"),
    ],
)
def test_a_teams_stance_in_other_words(said, stance):
    assert stance in facts(said)["internal_alignment"]


# --- a planned migration named by meaning -------------------------------------------------------------


@pytest.mark.parametrize(
    "said, plan",
    [
        (
            "the council is planning to shift its planning portal and GIS servers to Azure next year.",
            "GIS servers to Azure next year",
        ),
        (
            "roughly 250 VMs moving to Azure during 2027, board approved it last week",
            "250 VMs moving to Azure",
        ),
    ],
)
def test_a_planned_move_the_model_hears_is_named_from_its_verb_to_where_it_goes(said, plan):
    got = {f.key: f for f in read(said, KB, now=NOW).facts}
    assert got["planned_migration"].rule == "fact-reading"  # the premise: no rule of ours reads it
    assert plan in got["planned_migration"].value


def test_a_move_long_done_is_no_plan():
    assert "planned_migration" not in facts("we moved our email to M365 back in 2019")


# --- what reading every sentence asked of the reading by meaning -------------------------------------


@pytest.mark.parametrize(
    "said, absent",
    [
        (
            "We talk to Ana, the AE, every week. The fourth meeting is next Monday.",
            "rounds_with_account_team",
        ),
        (
            "We will move the payroll servers to Azure next year, signed off by the board.",
            "walk_threshold_agreed",
        ),
        ("The escalator is the issue. We want it capped at 4%.", "ask_discount_pct"),
    ],
)
def test_a_sentence_read_by_meaning_states_only_what_it_says(said, absent):
    assert absent not in facts(said)


def test_a_head_word_alone_that_says_no_more_than_price_names_no_point():
    assert _point_named("they will not budge on price", spec(KB)) is None
    assert _point_named("they will not budge on the 7% uplift", spec(KB)).value == "7% uplift"


def test_what_a_named_gap_is_worth_is_the_points_worth_not_the_deals():
    said = "The open issue is their refusal to cap rises. By our maths that exposure is worth 180k a year."
    got = facts(said)
    assert got["sticking_point_value_per_year"] == 180_000
    assert "deal_value_per_year" not in got


def test_the_base_a_share_is_taken_of_is_what_we_pay():
    got = facts(
        "Sticking point is the 6% escalator. On our EUR 5m a year that gap is worth about EUR 300k annually."
    )
    assert got["deal_value_per_year"] == 5_000_000
    assert got["sticking_point_value_per_year"] == 300_000


def test_a_paste_of_thousands_of_lines_is_read_for_facts_in_its_first_sentences_only():
    paste = "We have had two rounds with the AE. " + "Line item noted. " * 80 + "Our budget is 2M a year."
    got = facts(paste)
    assert got["rounds_with_account_team"] == 2
    assert "budget_per_year" not in got  # past the sixtieth sentence: a paste, not a story


# --- read on the sealed round once it was spent ------------------------------------------------------


def test_an_offer_that_opens_its_clause_is_theirs_beside_its_term():
    got = facts("5 rounds with the AE now. offer is EUR 1.4M/yr, 3 yrs.")
    assert got["ms_annual_cost"] == 1_400_000 and got["term_years"] == 3


def test_teams_signed_on_to_the_same_ask_are_aligned():
    said = "CIO is sponsoring. IT, finance and procurement all signed on to the same ask: 9% off."
    assert facts(said)["internal_alignment"] == "IT yes, Finance yes, Procurement yes"


async def test_a_terse_story_with_the_discount_asked_ends_in_escalate_now(chat, deal):
    await chat("5 rounds with the AE, he will not move. offer is EUR 1.4M/yr, 3 yrs.")
    await chat("benchmarked by an advisor, well above market. we need 10% more off.")
    await chat(
        "CIO is sponsoring. finance set the budget. IT, finance, procurement all signed on to the same ask."
    )
    reply = await chat("escalate now?")
    assert (reply.intent, reply.verdict) == ("escalation.check", "escalate_now"), reply.plain_text()
    assert "escalation.point-is-discount" in {i.rule for s in reply.sections for i in s.items}
    assert "140k" in reply.plain_text() or "140,000" in reply.plain_text()  # 10% of 1.4M a year


@pytest.mark.parametrize(
    "said, key, value",
    [
        ("Own switching estimate: 700 T€ one-off.", "switching_cost", 700_000),
        ("Offer 1,85 Mio. € p.a., 3 years.", "term_years", 3),
        ("Offer 1,85 Mio. € p.a., 3 years.", "ms_annual_cost", 1_850_000),
    ],
)
def test_figures_as_german_controllers_write_them(said, key, value):
    assert facts(said)[key] == value
