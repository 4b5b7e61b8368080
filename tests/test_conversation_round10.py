"""Round-6 classes (issue #21, session 10), in our own words: a quoted draft's sign-off is the
draft's, not thanks; a question whose "quarter end" sits in the sentence before is not about the
calendar; a person introduced as "one of their specialists" is who "her" means; a team's stance
without the usual words (happy to push back on their price, fully behind it, a joint position
whose own words say "not"); what Microsoft will not give, and what we will not accept, is the
sticking point; its worth told next ("this is around 8.000 €", "worth maybe 6k a year") is the
point's, not the deal's."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.features import default_knowledge
from bot.understanding.facts import read_facts
from bot.understanding.reading import read

KB = default_knowledge()
NOW = datetime(2026, 12, 7, 10, 0)


def facts(text: str) -> dict:
    return {f.key: f.value for f in read_facts(text, KB, now=NOW)}


@pytest.mark.parametrize(
    "said",
    [
        "Sending this to the AE tomorrow: 'Hi Tom, thanks for the updated pricing. We need final"
        " numbers before our steering committee on 3 March. Cheers, Ana.' Is that ok to send?",
        'Planning to send their CSM: "Hello Maria, thanks for your help last week. We are keen to'
        ' start the Copilot pilot. Many thanks, Raj" - anything wrong with it?',
    ],
)
def test_a_quoted_drafts_sign_off_is_the_drafts_not_thanks(said):
    assert read(said, KB, now=NOW).intent == "leakcheck"


def test_a_question_after_a_sentence_about_their_quarter_end_is_not_the_calendar():
    said = "I need Marco to move the signing date past their quarter end. Is it ok to ask him?"
    assert read(said, KB, now=NOW).intent == "favors.should_ask"
    assert read("how far are we from their quarter end?", KB, now=NOW).intent == "timeline.status"


@pytest.mark.parametrize(
    "said, name, role",
    [
        ("I know Priya, one of their technical specialists, from a conference.", "Priya", "ts"),
        ("Marco is one of their CSMs.", "Marco", "csm"),
        ("We met Ana Lopez, a partner manager at Microsoft, last week.", "Ana Lopez", "pdm"),
    ],
)
def test_one_of_their_people_introduced_by_role_is_a_contact(said, name, role):
    found = read(said, KB, now=NOW).contacts
    assert [(c.name, c.role) for c in found] == [(name, role)]


async def test_the_one_of_their_specialists_just_named_is_whom_her_means(chat, deal):
    reply = await chat(
        "Our Defender rollout is stuck because the licences never arrived. I know Priya, one of"
        " their technical specialists, from a conference. Should I ask her as a personal favour"
        " to chase it?"
    )
    assert reply.intent == "favors.should_ask"
    assert reply.verdict == "find_aligned_contact", reply.headline
    assert "Whom would you ask" not in reply.plain_text()


@pytest.mark.parametrize(
    "said, stance",
    [
        ("Finance is happy to push back hard on the price.", "Finance yes"),
        ("IT is pushing back on their new offer, procurement too.", "IT yes, Procurement yes"),
        ("Procurement and our infra group are fully behind it.", "IT yes, Procurement yes"),
        (
            "Finance, IT and Procurement met and jointly endorsed the position that we will not"
            " accept the 6% uplift.",
            "IT yes, Finance yes, Procurement yes",
        ),
        (
            "IT, Finanzen and Einkauf, all three agree with our position.",
            "IT yes, Finance yes, Procurement yes",
        ),
        # pushing back on us, not on Microsoft, is still a team not on board
        ("Procurement is pushing back on the escalation.", "Procurement not yet"),
    ],
)
def test_a_teams_stance_without_the_usual_words(said, stance):
    assert facts(said).get("internal_alignment") == stance


@pytest.mark.parametrize(
    "said, point",
    [
        ("the AE won't throw in free Project for 15 users", "free Project for 15 users"),
        ("They refuse to include Power BI Pro for the analysts.", "Power BI Pro"),
        (
            "Last open item: they won't give the discount for the Teams Phone licences.",
            "discount for the Teams Phone licences",
        ),
        ("We will not accept the 6% annual uplift.", "6% annual uplift"),
    ],
)
def test_what_they_will_not_give_or_we_will_not_accept_is_the_point(said, point):
    assert facts(said).get("sticking_point") == point


@pytest.mark.parametrize(
    "said",
    [
        "We won't accept anything above 2M a year.",
        "Jane won't give us anything more.",
        "We can't accept their offer.",
    ],
)
def test_a_ceiling_or_a_refusal_of_the_whole_offer_is_no_point(said):
    assert "sticking_point" not in facts(said)


def test_this_is_around_an_amount_after_the_point_is_its_worth():
    told = facts("They will not give the discount for the Visio licences. This is around 7.500 € per year.")
    assert told.get("sticking_point_value_per_year") == 7500


async def test_worth_told_next_is_the_points_not_the_deals(chat, deal):
    await chat("their AE won't throw in free Visio for 25 users")
    worth = await chat("worth maybe 5k a year")
    assert "Sticking point worth per year: $5k" in worth.plain_text(), worth.plain_text()
    await chat("we've met them five times on it and finance, IT and procurement are all on board")
    reply = await chat("escalate?")
    assert reply.verdict == "do_not_escalate", reply.headline


async def test_a_walk_inside_leaderships_line_that_flat_math_also_rejects_is_a_stay(chat, deal):
    await chat("Microsoft's offer is 1.9m a year on a five-year term.")
    await chat("The alternative is Google Workspace plus Zoom, costed at 1.75m a year all up.")
    await chat("Switching would be about 1.5m one-off. Microsoft claims 4m.")
    await chat("Leadership agreed we walk if it's above 2.2m a year.")
    reply = await chat("So does leaving actually stack up?")
    assert reply.intent == "walkaway.check"
    assert reply.verdict == "stay", reply.headline
    assert "walkaway.stay-if-flat" in [i.rule for s in reply.sections for i in s.items]


async def test_a_role_named_in_the_follow_up_is_whom_her_means(chat, deal):
    await chat("The AE asked me what our Copilot budget is.")
    await chat("told him we'd get back to him")
    reply = await chat("and if the CSM asks, can I tell her?")
    assert reply.intent == "disclosure.share"
    assert "customer success manager" in reply.headline, reply.headline


@pytest.mark.parametrize("said", ["it's 2.7m, CFO approved it", "2.7m, signed off by the CFO"])
def test_a_figure_approved_in_the_clause_after_it_is_our_budget_not_a_stance(said):
    told = facts(said)
    assert told.get("budget_per_year") == 2_700_000
    assert "internal_alignment" not in told


async def test_what_we_budgeted_asked_by_the_ae_then_the_csm_is_protected(chat, deal):
    first = await chat("AE asked what we've budgeted for Copilot next year")
    assert first.verdict == "protect", first.headline
    await chat("it's 2.7m, CFO approved it")
    reply = await chat("and if the CSM asks, can i tell her?")
    assert reply.verdict == "protect", reply.headline
    assert "customer success manager" in reply.headline


@pytest.mark.parametrize(
    "said, name",
    [
        ("Honestly Marta is the only one at Microsoft who ever replies.", "Marta"),
        ("Ravi from MS helped us a lot last year.", "Ravi"),
        ("our contact at Microsoft, Ana Ruiz, says hi", "Ana Ruiz"),
    ],
)
def test_a_microsoft_person_named_without_a_role_is_theirs(said, name):
    people = [e for e in read(said, KB, now=NOW).entities if e.kind == "person"]
    assert [(e.text, e.side) for e in people] == [(name, "microsoft")]


@pytest.mark.parametrize(
    "said", ["Our CFO Tom met with Microsoft today.", "We moved to Microsoft Teams last year."]
)
def test_our_people_and_products_beside_microsoft_are_not_their_people(said):
    assert [e for e in read(said, KB, now=NOW).entities if e.kind == "person"] == []


async def test_asks_told_as_a_list_done_all_three_empty_the_jar(chat, deal):
    await chat("Honestly Marta is the only one at Microsoft who ever replies.")
    told = await chat(
        "Since the summer I've asked her to extend the trial, get us a free Teams Phone workshop,"
        " and set up a call with the product group. She did all three. Nothing given back."
    )
    assert "3 favours from Marta" in told.headline, told.headline
    reply = await chat("Now I need her to hold the price into March. Should I ask her?")
    assert reply.intent == "favors.should_ask"
    assert reply.verdict == "unlikely", reply.headline
    assert "Marta" in reply.headline


def test_their_answer_on_a_thing_told_as_their_final_word_makes_it_the_point():
    said = "Every time the answer on the Azure commit discount is 'this is the best we can do'."
    assert facts(said).get("sticking_point") == "Azure commit discount"


def test_a_team_that_set_the_target_is_behind_it_with_those_who_back_it():
    told = facts("Finance set the target at 2M a year. Procurement is fully behind it.")
    assert told.get("internal_alignment") == "Finance yes, Procurement yes"


async def test_a_small_deal_in_yen_is_small_for_the_programs(chat, deal):
    await chat("We renew only Microsoft 365 E3 for 120 users, about JPY 12 million per year.")
    await chat("No migration is planned and our policy does not allow us to be a reference.")
    reply = await chat("Are there any Microsoft programs we could use for this renewal?")
    assert reply.intent == "programs.levers"
    assert reply.verdict == "none_fit", reply.headline
    assert "programs.small-account" in reply.rules


async def test_a_small_point_in_rand_is_minor_against_a_floor_shown_in_rand(chat, deal):
    await chat("We've had four rounds with the account team; IT, Finance and Procurement all agree.")
    await chat("The only open item is 10 Visio licences at list price, about R90k a year.")
    reply = await chat("should our CIO call their regional VP about it?")
    assert reply.verdict == "do_not_escalate", reply.headline
    assert "escalation.minor-issue" in reply.rules


def test_microsofts_final_named_by_its_adjective_is_their_price():
    assert facts("Microsoft's final: R55m in year one, then 5% up each year.").get("ms_annual_cost") == 55e6


@pytest.mark.parametrize("said, n", [("4 mtgs w/ AE so far", 4), ("We had 3 mtgs with the AE.", 3)])
def test_meetings_abbreviated_are_rounds(said, n):
    assert facts(said).get("rounds_with_account_team") == n


def test_nobody_asking_for_a_ref_is_no_reference_request():
    assert facts("nobody asked us to be a ref").get("reference_requested") is False


def test_our_exec_calling_the_msft_gm_then_do_we_let_him_is_the_escalation_question():
    said = "CIO is fuming, wants to call the MSFT GM tmrw. do we let him?"
    assert read(said, KB, now=NOW).intent == "escalation.check"


async def test_the_exception_to_everything_agreed_is_the_point_and_a_cold_director(chat, deal):
    told = await chat(
        "Except (and this annoys our service desk lead) the quote still has 15 Project licences at"
        " list price. Like 20k a year, total."
    )
    assert "Sticking point: 15 Project licences" in told.plain_text(), told.plain_text()
    await chat(
        "At a Microsoft conference last spring I swapped cards with Mr Keller, a director in their"
        " Azure business unit. We have not spoken since."
    )
    reply = await chat(
        "Would it be okay to ask him to check with the deal desk whether our quote can be extended?"
    )
    assert reply.intent == "favors.should_ask"
    assert reply.verdict == "unlikely" and "Keller" in reply.headline, reply.headline


def test_an_offer_that_went_up_to_a_figure_is_their_price_not_a_bound():
    told = facts("Their offer went up to 1.8 million a year, with 4% added every year after that.")
    assert told.get("ms_annual_cost") == 1_800_000 and told.get("annual_escalator_pct") == 4
    assert facts("We can pay up to 2M a year.").get("budget_per_year") == 2_000_000


async def test_our_exec_named_before_him_is_whom_him_means_not_their_ae(chat, deal):
    await chat("4 mtgs w/ the AE so far, pricing basically agreed")
    await chat("only open item = they won't throw in 15 Visio licences, ~5k/yr")
    reply = await chat("CFO is furious about it, wants to call the MSFT GM tmrw. do we let him?")
    assert reply.intent == "escalation.check"
    assert reply.verdict == "do_not_escalate", reply.headline


async def test_a_director_in_their_business_group_met_once_is_a_cold_ask(chat, deal):
    await chat(
        "At a Microsoft summit in Dublin I swapped cards with Ms Byrne, a director in the Dynamics"
        " business group. We have not spoken since."
    )
    reply = await chat(
        "Would it be fine to ask her to check with the deal desk whether our quote can be extended?"
    )
    assert reply.verdict == "unlikely" and "Byrne" in reply.headline, reply.headline


@pytest.mark.parametrize(
    "said",
    [
        "Jane's pushing hard to sign before 31 Dec because that's their quarter end.",
        "They want signature by 20 December.",
    ],
)
def test_their_push_to_sign_by_a_date_is_not_our_signing_date(said):
    assert "signature_date" not in {f.key for f in read(said, KB, now=NOW).facts}


def test_our_own_plan_to_sign_by_a_date_is_our_signing_date():
    assert "signature_date" in {f.key for f in read("We want to sign by 20 December.", KB, now=NOW).facts}


def test_a_meeting_ahead_with_their_leader_is_no_relationship_our_ceo_has():
    for said in [
        "CEO now wants to meet her thursday",
        "Their AVP has asked for a meeting with our CFO on the 9th.",
    ]:
        assert "ceo_knows_ms_leadership" not in {f.key for f in read(said, KB, now=NOW).facts}


def test_what_the_point_would_cost_as_a_share_of_the_deal_is_its_worth():
    said = (
        "The one remaining issue is their refusal to cap annual price increases; we estimate the"
        " uncapped increases would cost roughly 12% of the annual value each year."
    )
    told = {f.key: f.value for f in read_facts(said, KB, now=NOW, known={"deal_value_per_year": 2e6})}
    assert told.get("sticking_point_value_per_year") == 240_000


@pytest.mark.parametrize(
    "said, key, value",
    [
        (
            "The EA renewal expires in June. The annual value is approximately $2.6 million.",
            "deal_value_per_year",
            2.6e6,
        ),
        ("Our Vorstand has decided: above 1,5 Mio. € per year we leave.", "walk_threshold_per_year", 1.5e6),
        (
            "Microsoft says switching will cost more than 3 Mio. €, but we don't believe it.",
            "ms_claimed_switching_cost",
            3e6,
        ),
    ],
)
def test_approximately_and_an_abbreviated_million_keep_the_amount_with_its_cue(said, key, value):
    assert facts(said).get(key) == value


@pytest.mark.parametrize(
    "said, point",
    [
        (
            "Third call with their account team and they still won't move off the 9% uplift on Copilot.",
            "9% uplift on Copilot",
        ),
        ("Had our third meeting with the AE today, still far apart on price.", "price"),
        ("we're miles apart on the Teams Phone pricing", "Teams Phone pricing"),
    ],
)
def test_where_they_will_not_move_off_or_we_are_far_apart_is_the_point(said, point):
    assert facts(said).get("sticking_point") == point


@pytest.mark.parametrize(
    "draft, kinds",
    [
        ("Tom, Copilot is non-negotiable for us. Please send pricing for 3,000 seats.", ["position"]),
        ("Hi Jane, we cannot do without Teams Phone, so please send the final quote.", ["position"]),
        # a term we insist on is our ask, fine to say; a question about a product is no leak
        ("Hi Jane, the price cap is non-negotiable for us.", []),
        ("Is Copilot a must-have for a pilot group, in your experience?", []),
    ],
)
def test_a_product_told_as_a_must_have_gives_our_position_away(draft, kinds):
    from bot.playbooks.leakcheck import check
    from bot.understanding.disclosure import reader

    assert check(draft, "ae", KB, read=reader(KB)).kinds == kinds


@pytest.mark.parametrize(
    "said",
    ["And I doubt our ELT would ever sign off on leaving.", "I can't see the board agreeing to walk away."],
)
def test_a_doubt_that_leadership_would_back_a_walk_is_no_walk_line_agreed(said):
    assert facts(said).get("walk_threshold_agreed") is False


def test_teams_pulling_the_same_way_are_aligned():
    said = "internally IT, finance and procurement are all pulling the same way."
    assert facts(said).get("internal_alignment") == "IT yes, Finance yes, Procurement yes"


@pytest.mark.parametrize(
    "said, value",
    [("We're about S$250k a month on it now.", 3_000_000), ("we're at 1.1m a year with them", 1_100_000)],
)
def test_what_we_pay_now_told_as_where_we_are_is_the_deals_value(said, value):
    assert facts(said).get("deal_value_per_year") == value


def test_ringing_their_avp_for_a_personal_favour_is_the_favour_question():
    said = (
        "I was going to ring their AVP, Tom, who I met once at an event, and ask him to sort it as"
        " a personal favour. Good idea?"
    )
    assert read(said, KB, now=NOW).intent == "favors.should_ask"
    assert (
        read("Our CFO wants to ring their AVP tonight. Good idea?", KB, now=NOW).intent == "escalation.check"
    )
    # the model may rank bringing executives in first; the favour said in so many words decides
    said = "Can I ring their VP and ask her to fix the licences as a personal favour?"
    assert read(said, KB, now=NOW).intent == "favors.should_ask"


def test_a_quoted_draft_closed_after_the_name_is_still_the_draft():
    said = (
        "my draft reply to the AE: 'Hi Mike, thanks for the quote. We're fine with anything under"
        " 150k a year, we just need it signed before our FY ends. Cheers, Dan' ok to send?"
    )
    assert read(said, KB, now=NOW).intent == "leakcheck"


def test_the_period_of_performance_ending_is_the_renewal():
    said = "Our current EA's period of performance ends 31 January 2027."
    assert facts(said).get("renewal_date") == "2027-01-31"


def test_reviews_done_for_us_count_as_favours():
    from bot.understanding.events import favours_told

    said = "Priya, their tech specialist, has already done two free config reviews for us this autumn."
    assert favours_told(said, KB, ["Priya"]) == {"Priya": 2}


def test_nobody_costing_a_named_competitor_is_an_alternative_not_costed():
    assert (
        facts("Nobody's actually costed AWS yet, it's more of a feeling.").get("alternative_annual_cost")
        == "unknown"
    )


def test_walking_them_through_our_plan_is_a_disclosure_question():
    assert read("Should I walk the AE through our migration plan?", KB, now=NOW).intent == "disclosure.share"


def test_everything_settled_except_what_they_will_not_waive_and_its_worth_after_it():
    told = facts(
        "everything's basically settled except they won't waive the Project add-on, it's like 3k a year"
    )
    assert told.get("sticking_point") == "Project add-on"
    assert told.get("sticking_point_value_per_year") == 3000


def test_what_we_cannot_get_past_is_the_point():
    assert facts("The escalator is what we can't get past.").get("sticking_point") == "escalator"


def test_all_three_functions_content_with_it_are_aligned():
    assert facts("all three functions are content with it").get("internal_alignment") == (
        "IT yes, Finance yes, Procurement yes"
    )
    assert facts("Finance is content with the offer.").get("internal_alignment") == "Finance not yet"


def test_a_head_inclined_to_accept_their_offer_is_not_behind_us_and_all_three_means_all():
    told = facts(
        "Finance and Procurement are content with our position; the Head of IT, however, is rather"
        " inclined to accept the offer as it stands."
    )
    assert told.get("internal_alignment") == "IT not yet, Finance yes, Procurement yes"
    told = facts(
        "Our Finance Director, our Head of Procurement and I took the position to the board and all"
        " three functions are content with it."
    )
    assert told.get("internal_alignment") == "IT yes, Finance yes, Procurement yes"


def test_teams_behind_pushing_back_are_aligned_and_the_quiet_one_is_not_yet():
    told = facts("Finance and IT are behind pushing back; procurement hasn't weighed in yet.")
    assert told.get("internal_alignment") == "IT yes, Finance yes, Procurement not yet"


async def test_can_i_tell_her_after_her_question_keeps_what_she_asked_about(chat, deal):
    await chat("Our CSM Lina asked how many Copilot seats we plan to buy and what budget we set aside.")
    reply = await chat("can I tell her?")
    assert reply.intent == "disclosure.share"
    assert reply.verdict == "protect", reply.headline


async def test_a_follow_up_after_a_prep_is_about_that_meeting_and_logs_no_second_one(chat, deal, coach):
    from sqlalchemy import func, select

    from bot.db.models import DealEvent

    first = await chat("Prep me for Thursday's call with their AVP.")
    assert first.verdict == "checklist"
    again = await chat("what should we avoid saying?")
    assert again.intent == "meeting.prep"
    assert again.verdict == "checklist" and "area vice president" in again.headline, again.headline
    async with coach.sessions() as s:
        meetings = (await s.execute(select(func.count()).where(DealEvent.kind == "meeting"))).scalar_one()
    assert meetings == 1
