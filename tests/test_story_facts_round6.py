"""Facts read from a deal told over several messages, as people say them (issue #21, round 6):
teams' stances told without "aligned" and merged message by message, the sticking point a
person complains of with its yearly cost, a sentence opener that is no one's name, and the last
question read as the question it is. Wording here is our own, not the corpora's."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.features import default_knowledge
from bot.understanding.facts import read_facts

KB = default_knowledge()
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def read(text: str, **known: object) -> dict:
    return {f.key: f.value for f in read_facts(text, KB, now=NOW, tz="Europe/London", known=known)}


def told(*messages: str) -> dict:
    """The facts a story leaves, each message read with what the ones before it told."""
    known: dict = {}
    for m in messages:
        known.update(read(m, **known))
    return known


# --- 1. internal alignment as people say it ------------------------------------------------------


def test_the_speaker_and_a_team_of_one_mind():
    said = read("Procurement and I, we see it exactly the same way.")
    assert said["internal_alignment"] == "Procurement yes"
    said = read(
        "me and finance think the same. our engineering lot adore the Azure roadmap and won't want a fight."
    )
    assert said["internal_alignment"] == "IT not yet, Finance yes"


def test_a_team_content_with_their_offer_is_not_behind_our_ask():
    said = read("Our CFO is happy with the quote, procurement reckons it's too pricey.")
    assert said["internal_alignment"] == "Finance not yet, Procurement not yet"
    said = read("Legal would take the proposal as it stands, Finance doesn't.")
    assert said["internal_alignment"] == "Finance not yet, Legal not yet"
    # content with our own deal is agreement
    said = read("finance, procurement and it all fine w the plan now")
    assert said["internal_alignment"] == "IT yes, Finance yes, Procurement yes"


def test_a_team_that_set_the_figure_is_behind_it_with_the_others():
    said = read("Finance set our ceiling at 3.1m a year, and IT and Procurement both back it.")
    assert said["internal_alignment"] == "IT yes, Finance yes, Procurement yes"
    # setting a figure alone says nothing of a stance
    assert "internal_alignment" not in read("Finance set our ceiling at 3.1m a year.")


def test_a_team_with_no_number_yet_is_undecided_beside_another_stance():
    said = read("Procurement's right behind us. Finance still haven't settled on a target, though.")
    assert said["internal_alignment"] == "Finance not yet, Procurement yes"
    said = read("finance havent given us a figure yet and keep fighting with IT over scope")
    assert said["internal_alignment"] == "IT not yet, Finance not yet"
    # told alone, it is news about the budget only
    said = read("Finance still haven't come up with a budget number, they're arguing among themselves.")
    assert "internal_alignment" not in said
    assert said["budget_target_set"] is False


def test_lower_case_it_as_the_team_only_where_a_pronoun_cannot_stand():
    said = read("finance + procurement signed off on the ask, it not yet")
    assert said["internal_alignment"] == "IT not yet, Finance yes, Procurement yes"
    assert "internal_alignment" not in read("we discussed it, it is fine by me")


def test_one_team_named_does_not_drag_the_others():
    said = told(
        "IT and Procurement are behind our position.",
        "Finance is with us too now.",
    )
    assert said["internal_alignment"] == "IT yes, Finance yes, Procurement yes"
    said = told("Finance agrees with me.")
    assert said["internal_alignment"] == "Finance yes"


def test_a_committee_decision_and_a_colleague_are_no_team_stance():
    assert "internal_alignment" not in read(
        "The finance committee decided last month that we would move if the price tops 2m a year."
    )
    assert "internal_alignment" not in read("A colleague in finance says that's fine by her.")
    assert "internal_alignment" not in read("Legal said a firm no to any logo use.")


# --- 2. the sticking point implied, and its worth ------------------------------------------------


def test_a_yearly_rise_they_hold_to_is_the_sticking_point_with_its_cost():
    said = read(
        "Their number is 4m in year one, then a 5% uplift each year: 5% of 4m is 200k more every year."
    )
    assert said["annual_escalator_pct"] == 5
    assert said["sticking_point"] == "5% annual uplift"
    assert said["sticking_point_value_per_year"] == 200_000
    said = read("the AE is still sitting on a 6% price increase every year", ms_annual_cost=3_000_000)
    assert said["sticking_point"] == "6% annual price increase"
    assert said["sticking_point_value_per_year"] == 180_000
    # a rise told with no complaint is no sticking point
    assert "sticking_point" not in read("their offer is 2m a year with a 4% annual uplift")


def test_a_point_named_as_a_product_takes_the_rise_told_beside_it():
    said = read("two calls in, stuck on copilot - they want a 10% increase every yr, we want 4%")
    assert said["sticking_point"] == "10% annual increase on Copilot"


def test_the_worth_as_a_share_of_the_spend_named_before_it():
    said = told(
        "main sticking point: they refuse to cap the storage price rises.",
        "against our ~$3M/yr spend that's roughly 6% of exposure a year",
    )
    assert said["deal_value_per_year"] == 3_000_000
    assert said["sticking_point_value_per_year"] == 180_000


def test_the_distance_above_what_we_want_is_the_points_worth():
    said = read("we're still stuck on the Defender add-on, which they price 150k a year above what we want")
    assert said["sticking_point_value_per_year"] == 150_000
    assert "ms_annual_cost" not in said


def test_the_point_said_with_other_verbs():
    said = read("The single open disagreement concerns the price of the Teams Rooms licences.")
    assert said["sticking_point"] == "price of the Teams Rooms licences"
    said = read("The unresolved issue is the cap on yearly rises.")
    assert said["sticking_point"] == "cap on yearly rises"
    assert "sticking_point" not in read("we keep getting stuck on the same thing")


def test_a_sticking_point_told_is_a_fact_not_their_statement():
    from bot.understanding.reading import read as read_message

    r = read_message("sticking point: they won't cap the support price rises", KB, now=NOW)
    assert r.intent == "deal.tell"
    assert [s.rule for s in r.steps][-1] == "point-told-is-a-fact"
    r = read_message("the AE said the sticking point is the cap and they won't move", KB, now=NOW)
    assert r.intent == "ms.statement"


def test_a_figure_restated_is_not_another_fact():
    said = read("Microsoft's renewal offer is $3.3M over three years, so $1.1M a year")
    assert said["ms_annual_cost"] == 1_100_000
    assert "deal_value_per_year" not in said


# --- 3. a capitalised sentence opener is no one's name -----------------------------------------------


def test_a_sentence_opener_is_never_a_contact_or_a_speaker():
    from bot.understanding.reading import read as read_message

    r = read_message("Afterwards their AVP rang our COO to 'see how things are going'.", KB, now=NOW)
    assert [c.name for c in r.contacts] == []
    assert r.speaker is not None and r.speaker.who == "their AVP"
    r = read_message("Honestly their TS has been brilliant.", KB, now=NOW)
    assert [c.name for c in r.contacts] == []
    r = read_message("Also Malik our AE asked for a reference call.", KB, now=NOW)
    assert [(c.name, c.role) for c in r.contacts] == [("Malik", "ae")]
    r = read_message("Emily our CSM chased the deal desk for us.", KB, now=NOW)
    assert [c.name for c in r.contacts] == ["Emily"]


# --- 4. the last question read as the question it is -----------------------------------------------


def _intent(text: str) -> str | None:
    from bot.understanding.reading import read as read_message

    return read_message(text, KB, now=NOW).intent


def test_calling_their_executive_ourselves_is_the_escalation_question():
    assert (
        _intent("Should I phone their GM myself? We met at a partner event last year.") == "escalation.check"
    )
    assert _intent("should we email their regional VP directly?") == "escalation.check"


def test_help_preparing_for_the_meeting_is_meeting_prep():
    assert _intent("Could you help us get ready for it?") == "meeting.prep"
    assert _intent("the new TS joins us on Friday, can you prep me") == "meeting.prep"


def test_no_meeting_yet_is_zero_rounds_told_by_us():
    from bot.understanding.reading import read as read_message

    r = read_message(
        "We haven't had a single session with Microsoft so far, the quote lands next week.", KB, now=NOW
    )
    assert {f.key: f.value for f in r.facts}["rounds_with_account_team"] == 0
    assert r.speaker is not None and r.speaker.side == "us"
    assert read("Budget number we haven't settled yet.")["budget_target_set"] is False


def test_a_name_with_accents_is_a_name():
    from bot.understanding.reading import read as read_message

    r = read_message("Our new customer success manager, Siobhán, joins the call on Monday.", KB, now=NOW)
    assert [(c.name, c.role) for c in r.contacts] == [("Siobhán", "csm")]


async def test_a_question_of_its_own_is_no_answer_to_the_coachs(chat, deal):
    await chat("Our agreement runs out on 31 March 2027.")
    await chat("Microsoft hasn't met us yet, and next week I have the first meeting.")
    reply = await chat("How much time do we still have?")
    assert reply.intent == "timeline.status", reply.plain_text()


async def test_a_contact_told_in_a_story_keeps_the_facts_beside_it(chat, deal):
    reply = await chat(
        "We've met the account team three times so far, and their new CSM, Søren, joins the next session."
    )
    assert "Søren" in reply.plain_text(), reply.plain_text()
    reply = await chat("Could you help me prepare for it?")
    assert reply.intent == "meeting.prep", reply.plain_text()
    shown = await chat("status")
    assert "Rounds with the account team: 3" in shown.plain_text()


# --- 5. alternatives with qualifiers, and dates nobody meant ---------------------------------------


def test_an_alternative_keeps_its_qualifiers():
    assert read("We ran the full Google Workspace for Nonprofits pilot over the summer.")["alternative"] == (
        "Google Workspace for Nonprofits"
    )
    said = read("Our fallback, Google Workspace via a local reseller, came out at 410k a year.")
    assert said["alternative"] == "Google Workspace via a local reseller"
    assert said["alternative_annual_cost"] == 410_000
    said = read("We priced AWS plus Okta with our integrator. 2.2m a year all in.")
    assert said["alternative"] == "AWS plus Okta"
    assert said["alternative_annual_cost"] == 2_200_000
    said = read(
        "We've costed an alternative: moving our 1,200 shop staff to E3 with a partner's security add-on."
    )
    assert said["alternative"] == "E3 with a partner's security add-on"


def test_an_alternative_named_though_nobody_costed_it():
    assert read("Honestly nobody has priced Salesforce yet.")["alternative"] == "Salesforce"
    assert read("my boss keeps saying we 'can always go to Zoom'")["alternative"] == "Zoom"
    assert "alternative" not in read("we won't move to Zoom")


def test_counted_people_are_no_money():
    said = read(
        "We looked hard at Google Workspace for our 6,500 field users. The all-in cost is 1.3m a year."
    )
    assert said["alternative_annual_cost"] == 1_300_000


def test_a_bound_goes_to_the_walk_away():
    said = read("Leadership agreed we'd move to the alternative if their price tops 2.6m a year.")
    assert said["walk_threshold_per_year"] == 2_600_000
    assert "alternative_annual_cost" not in said


def test_days_of_events_and_their_calendar_are_no_deadlines():
    assert "renewal_date" not in read("Had our second call with the AE last Thursday about the renewal.")
    assert "renewal_date" not in read("5th session today on the EA renewal")
    assert "signature_date" not in read("the AE keeps mentioning their quarter close on 31 March")
    said = read("The cabinet meets to approve the renewal on 12 February.")
    assert said == {"decision_date": "2027-02-12"}
    assert "signature_date" not in read("We signed the current agreement on 1 March 2026.")
