"""Coaching judgement as conversations (issue #13): "not sure" is an answer the playbooks reason
with and say what they assumed; Microsoft's moves get their own counter-move; disclosure says
how to use what may be shared. Facts are stated the way people say them."""

from __future__ import annotations

from bot.reply import Reply


def rules_of(reply: Reply) -> list[str]:
    return reply.rules


async def tell(chat, *lines: str) -> None:
    for line in lines:
        await chat(line)


PRICE_CASE = (
    "we've had 4 rounds with the account team",
    "IT, finance and procurement are all on board",
    "the sticking point is Copilot price, worth $400k a year",
)
WALK_COSTS = (
    "the alternative would cost $1.5M a year",
    "Microsoft costs $2M a year over a 3 year term with a 5% yearly increase",
    "switching would cost us $400k",
)


# --- "not sure" in the escalation playbook ---------------------------------------------


async def test_not_sure_the_offer_was_benchmarked_means_benchmark_it_first(chat, deal):
    await tell(
        chat,
        *PRICE_CASE,
        "the AE said this is their final offer",
        "the AE said again it's the best they can do",
    )
    asked = await chat("should we escalate?")
    assert asked.intent == "form.ask"
    await chat("yes")  # Finance has a budget target
    reply = await chat("not sure")  # checked against benchmarks?
    assert reply.verdict == "not_yet"
    assert "escalation.offer-unchecked" in reply.rules
    assert "escalation.trigger-final-position" not in reply.rules
    text = reply.plain_text()
    assert "I've taken it as unchecked" in text and "benchmarks first" in text
    assert any(a.payload.get("keys") == ["offer_uncompetitive"] for a in reply.actions)


async def test_not_sure_about_a_budget_target_means_ask_finance_first(chat, deal):
    await tell(chat, *PRICE_CASE)
    # Untold, the budget target is the one thing to confirm before the call, not a form.
    first = await chat("should we escalate?")
    assert first.verdict == "escalate_now" and first.questions == []
    assert "escalation.confirm-budget-target" in first.rules
    assert "make sure Finance has set a budget target" in first.plain_text()
    update = next(a for a in first.actions if a.payload.get("keys") == ["budget_target_set"])
    asked = await chat("", action=update.payload)
    assert [q.id for q in asked.questions] == ["budget_target_set"]
    reply = await chat("not sure")
    assert reply.verdict == "not_yet"
    assert "escalation.budget-target-unknown" in reply.rules
    assert "escalation.no-budget-target" not in reply.rules  # not read as "no"
    assert "Ask Finance first" in reply.plain_text() and "I've assumed it hasn't" in reply.plain_text()


async def test_not_sure_how_many_rounds_means_write_them_down_first(chat, deal):
    await tell(chat, *PRICE_CASE[1:])
    asked = await chat("should we escalate?")
    assert [q.id for q in asked.questions] == ["rounds_with_account_team"]
    reply = await chat("not sure")
    assert reply.verdict == "not_yet" and "escalation.rounds-unknown" in reply.rules
    assert "too few to count" in reply.plain_text()
    assert "escalation.too-early" not in reply.rules


async def test_not_sure_the_teams_agree_is_taken_as_not_aligned_and_said_so(chat, deal):
    await tell(chat, PRICE_CASE[0], PRICE_CASE[2])
    asked = await chat("should we escalate?")
    assert [q.id for q in asked.questions] == ["internal_alignment"]
    reply = await chat("not sure")
    assert reply.verdict == "not_yet" and "escalation.alignment-unknown" in reply.rules
    assert "I've taken them as not aligned yet" in reply.plain_text()


async def test_not_sure_what_the_point_is_worth_is_assumed_big_enough_and_said(chat, deal):
    await tell(chat, PRICE_CASE[1], "the sticking point is Copilot price")
    asked = await chat("should we escalate?")
    assert [q.id for q in asked.questions] == ["rounds_with_account_team", "sticking_point_value_per_year"]
    await chat("4")
    reply = await chat("no idea")  # the budget target, untold, is to confirm before the call
    assert reply.verdict == "escalate_now" and "escalation.confirm-budget-target" in reply.rules
    assert "escalation.value-unknown" in reply.rules and "escalation.minor-issue" not in reply.rules
    assumed = next(s for s in reply.sections if s.title == "What I assumed")
    assert "I've assumed it's big enough" in assumed.items[0].text


async def test_a_worth_untold_with_everything_else_known_is_escalated_with_it_to_confirm(chat, deal):
    await tell(chat, *PRICE_CASE[:2], "the sticking point is Copilot price")
    reply = await chat("should we escalate?")
    assert reply.verdict == "escalate_now" and "escalation.confirm-worth" in reply.rules
    assert "escalation.value-unknown" not in reply.rules and reply.missing == []


async def test_not_sure_what_the_sticking_point_is_means_agree_the_ask_first(chat, deal):
    await tell(chat, *PRICE_CASE[:2])
    asked = await chat("should we escalate?")
    assert asked.questions[0].id == "sticking_point"
    reply = await chat("not sure")
    if reply.intent == "form.ask":  # the money question is still open; it can't change the verdict
        reply = await chat("not sure")
    assert reply.verdict == "not_yet" and "escalation.point-unknown" in reply.rules
    assert "Agree the one ask first" in reply.plain_text()


# --- "not sure" in the walk-away playbook -------------------------------------------------


async def test_not_sure_the_walk_point_is_agreed_is_not_established_not_no(chat, deal):
    await tell(chat, "our alternative is Google Workspace", "set timeline in our control: yes")
    asked = await chat("should we walk away?")
    assert [q.id for q in asked.questions] == ["walk_threshold_agreed"]
    reply = await chat("not sure")
    assert reply.verdict == "walk_not_credible"
    assert "walkaway.threshold-unknown" in reply.rules and "walkaway.not-established" in reply.rules
    assert "walkaway.threshold-not-agreed" not in reply.rules and "walkaway.no-bluff" not in reply.rules
    assert "I've taken it as not agreed" in reply.plain_text()


async def test_the_math_decides_even_when_the_timeline_is_unsure(chat, deal):
    await tell(chat, *WALK_COSTS, "our alternative is Google Workspace", "set walk threshold agreed: yes")
    await chat("set timeline in our control: not sure")
    await chat("set Microsoft offer per year: $2M")
    reply = await chat("does the honest math say we should walk?")
    assert reply.verdict == "walk_is_right", reply.plain_text()
    assert "walkaway.math-favors-leaving" in reply.rules and "walkaway.timeline-unknown" in reply.rules
    assert "walkaway.timeline-not-controlled" not in reply.rules
    assert "I've assumed Microsoft can wait" in reply.plain_text()


async def test_not_sure_there_is_an_alternative_is_assumed_none(chat, deal):
    await chat("set alternative: not sure")
    reply = await chat("should we walk away?")
    for _ in range(3):
        if reply.intent == "form.ask":
            reply = await chat("yes")
    assert reply.verdict == "walk_not_credible"
    assert "walkaway.alternative-unknown" in reply.rules and "walkaway.no-alternative" not in reply.rules
    assert "I've assumed there's none" in reply.plain_text()


async def test_a_cost_nobody_knows_gives_no_walk_on_a_guess(chat, deal):
    await tell(chat, *WALK_COSTS, "set Microsoft offer per year: $2M", "our alternative is Google Workspace")
    await tell(chat, "set walk threshold agreed: yes", "set timeline in our control: yes")
    await chat("set alternative per year: not sure")
    reply = await chat("should we walk away?")
    # An alternative nobody has costed is no walk position (seed 001: a credible walk needs a
    # costed alternative), so the verdict is "don't threaten it", with the math still open.
    assert reply.verdict == "walk_not_credible", reply.plain_text()
    assert "walkaway.alternative-not-costed" in reply.rules
    assert "walkaway.math-unknown" in reply.rules and "walkaway.math-favors-leaving" not in reply.rules
    assert "needs alternative per year, and you're not sure of it yet" in reply.plain_text()


# --- "not sure" in the program levers ---------------------------------------------------


async def test_not_sure_about_a_migration_is_not_a_migration(chat, deal):
    asked = await chat("which programs fit?")
    assert [q.id for q in asked.questions] == ["planned_migration"]
    reply = await chat("not sure")
    assert reply.verdict == "none_fit"
    assert "programs.migration-funding" not in reply.rules
    assert "programs.condition-unknown" in reply.rules and "planned migration" in reply.plain_text()


async def test_an_unsure_sponsor_leaves_that_program_out_and_says_so(chat, deal):
    await chat("we're migrating to Azure next year")
    await chat("set executive sponsor: not sure")
    reply = await chat("which programs fit?")
    assert reply.verdict == "levers"
    assert "programs.migration-funding" in reply.rules
    assert "programs.executive-engagement" not in reply.rules
    assert "programs.condition-unknown" in reply.rules and "executive sponsor" in reply.plain_text()


# --- Microsoft's moves ---------------------------------------------------------------------


async def _logged(chat, said: str) -> Reply:
    reply = await chat(said)
    assert reply.intent == "ms.statement" and reply.verdict == "logged", (said, reply.intent)
    return reply


async def test_their_executive_calling_ours_gets_the_counter_move(chat, deal):
    for said in [
        "Microsoft's area VP reached out directly to our CEO",
        "our CFO got a call from their area VP about the renewal",
        "their GM went around us to our CIO",
    ]:
        reply = await _logged(chat, said)
        assert reply.rules == ["counter.their-exec-to-ours"], said
        text = reply.plain_text()
        assert "Brief your executive today" in text and "one consistent message" in text
        assert "follows up on your open issues, on your terms" in text
        assert "Kept on the timeline" not in text


async def test_a_concession_their_executive_makes_on_a_call_is_a_verbal_commitment(chat, deal):
    reply = await _logged(chat, "on the call their area VP agreed to waive the 5% uplift")
    assert reply.rules == ["counter.call-concession", "counter.verbal-commitment"]
    assert "commitments register as #" in reply.plain_text() and "waive the 5% uplift" in reply.plain_text()
    confirm = reply.actions[0]
    assert confirm.payload["intent"] == "draft.confirm" and confirm.payload["what"] == "waive the 5% uplift"
    register = await chat("commitments")
    assert (
        register.verdict == "open"
        and "area VP (AVP), 2026-11-23: waive the 5% uplift" in register.plain_text()
    )
    draft = await chat(action=confirm.payload)
    assert draft.intent == "draft.confirm" and "waive the 5% uplift" in draft.plain_text()


async def test_undoing_a_call_concession_takes_it_off_the_register(chat, deal):
    reply = await _logged(chat, "during the meeting the AE promised a 3% cap on increases")
    undo = next(a for a in reply.actions if a.payload.get("intent") == "undo")
    await chat(action=undo.payload)
    register = await chat("commitments")
    assert register.verdict == "empty"


async def test_a_promise_they_refuse_to_put_in_the_contract_is_the_escalation_trigger(chat, deal):
    reply = await _logged(chat, "the AE promised a price hold but refuses to put it in the contract")
    assert reply.rules == ["escalation.trigger-verbal-promises", "counter.verbal-commitment"]
    assert [a.label for a in reply.actions] == ["Draft a confirming email", "Should we escalate?", "Undo"]
    assert reply.actions[0].payload["what"] == "a price hold"
    await tell(chat, *PRICE_CASE, "set budget target set: yes")
    check = await chat(action=reply.actions[1].payload)
    assert check.verdict == "escalate_now" and "escalation.trigger-verbal-promises" in check.rules


async def test_refusing_to_write_down_a_verbal_offer_is_the_same_trigger(chat, deal):
    reply = await _logged(chat, "the AE verbally offered free training but refuses to write it down")
    assert "escalation.trigger-verbal-promises" in reply.rules
    assert reply.actions[0].payload["what"] == "free training"


async def test_a_full_deployment_clause_for_a_discount_gets_the_deployment_advice(chat, deal):
    for said in [
        "they'll give us an extra 10% if we commit to full deployment by year 2",
        "Microsoft offered 15% off in exchange for a full deployment clause",
        "you can have a 20% discount, but we need you to deploy 100% of the licences by year 2, the VP said",
    ]:
        reply = await chat(said)
        assert reply.rules == ["counter.punitive-deployment"], (said, reply.rules)
        text = reply.plain_text()
        assert "good-faith adoption" in text and "no punitive true-up" in text
        assert "business conditions change" in text and "strings" not in text


# --- disclosure -------------------------------------------------------------------------------


async def test_a_planned_azure_investment_is_strategic_and_used_in_the_deal_structure(chat, deal):
    reply = await chat("can I tell the AE about our planned Azure investment?")
    assert reply.intent == "disclosure.share" and reply.verdict == "strategic"
    assert "disclosure.initiatives-structure" in reply.rules
    text = reply.plain_text()
    assert "MACC commitment you trade for concessions" in text and "Don't volunteer it early" in text


async def test_the_csm_never_hears_the_azure_plans(chat, deal):
    reply = await chat("should I mention our Azure plans to the CSM?")
    assert reply.verdict == "protect" and "disclosure.initiatives" in reply.rules
    assert "disclosure.initiatives-structure" not in reply.rules


# --- escalation: every verdict from the minimal facts that decide it (seed 000) ------------


async def test_one_round_is_not_yet_counter_in_writing_first(chat, deal):
    reply = await chat("we've only had one round with the account team, should we escalate?")
    assert reply.verdict == "not_yet" and "escalation.too-early" in reply.rules
    assert "Counter in writing first" in reply.plain_text()
    strengthen = next(s for s in reply.sections if s.title == "To strengthen the case")
    assert strengthen.items  # the other facts are asked for, but the verdict came first


async def test_an_angry_demand_for_our_ceo_is_not_yet(chat, deal):
    reply = await chat("I'm furious, get our CEO to call theirs, should we escalate?")
    assert reply.verdict == "not_yet" and "escalation.emotional" in reply.rules
    assert "sleep on it" in reply.plain_text()


async def test_a_trivial_amount_is_never_escalated(chat, deal):
    await tell(
        chat,
        "we've had 4 rounds with the account team",
        "the sticking point is support fees, worth $10k a year",
    )
    reply = await chat("should we escalate?")
    assert reply.verdict == "do_not_escalate" and "escalation.minor-issue" in reply.rules
    assert "$10k a year is small" in reply.plain_text()


async def test_going_up_again_two_weeks_later_is_too_soon(chat, deal):
    await chat("we escalated to their area VP 2 weeks ago")
    reply = await chat("should we escalate?")
    assert reply.verdict == "do_not_escalate" and "escalation.too-soon-again" in reply.rules
    assert "You escalated 14 days ago" in reply.plain_text()


async def test_a_small_discount_gap_is_the_aes_to_grant(chat, deal):
    await tell(chat, *PRICE_CASE)
    reply = await chat("we need 5% more off, should we escalate?")
    assert reply.verdict == "do_not_escalate" and "escalation.ae-can-approve" in reply.rules
    assert "within what the account executive can approve" in reply.plain_text()


async def test_two_teams_apart_is_not_yet_without_asking_the_value(chat, deal):
    await tell(chat, "we've had 3 rounds", "finance is not aligned, procurement isn't either, IT is on board")
    reply = await chat("should we escalate?")
    assert reply.verdict == "not_yet" and "escalation.align-first" in reply.rules
    assert "Finance and Procurement are not aligned yet" in reply.plain_text()
    assert reply.questions == []


async def test_data_residency_needs_no_dollar_value_and_the_cio_carries_it(chat, deal):
    await tell(chat, "we've had 4 rounds", "everyone is aligned now", "the sticking point is data residency")
    reply = await chat("should we escalate?")
    assert reply.verdict == "escalate_now", reply.plain_text()
    assert "escalation.deliverer-cio" in reply.rules
    assert "Roughly what is the sticking point worth" not in reply.plain_text()


async def test_an_exploding_offer_is_a_trigger_for_a_time_out(chat, deal):
    await tell(chat, *PRICE_CASE, "set budget target set: yes")
    logged = await chat("the AE says we must sign by the end of the month or lose the discount")
    assert "counter.sign-by" in logged.rules
    assert logged.actions[0].label == "Draft a calm reply"
    reply = await chat("should we escalate?")
    assert reply.verdict == "escalate_now" and "escalation.trigger-exploding-offer" in reply.rules
    assert "why the rush" in reply.plain_text()


async def test_two_stalls_are_a_reason_to_go_up(chat, deal):
    await tell(chat, *PRICE_CASE, "set budget target set: yes")
    await chat("the rep says they are checking internally")
    await chat("the AE said again they need to check with deal desk")
    reply = await chat("should we escalate?")
    assert reply.verdict == "escalate_now" and "escalation.trigger-stalls" in reply.rules


async def test_final_twice_and_above_market_is_the_final_position_trigger(chat, deal):
    await tell(chat, *PRICE_CASE, "set budget target set: yes", "set offer uncompetitive: yes")
    await chat("the AE said this is their final offer")
    await chat("the AE said again this is the best they can do")
    reply = await chat("should we escalate?")
    assert reply.verdict == "escalate_now" and "escalation.trigger-final-position" in reply.rules
    assert "called this their final position twice" in reply.plain_text()


async def test_a_thirty_percent_gap_goes_past_the_area_vp(chat, deal):
    await tell(chat, *PRICE_CASE, "set budget target set: yes")
    reply = await chat("we're 30% apart, should we escalate?")
    aim = [i.text for s in reply.sections for i in s.items if i.rule == "escalation.target-authority"]
    assert aim and "regional general manager" in aim[0] and "area VP can't approve this" in aim[0]


async def test_a_very_large_deal_with_a_ceo_who_knows_them_lets_the_ceo_carry_it(chat, deal):
    await tell(chat, *PRICE_CASE, "set budget target set: yes", "the agreement is worth $12M a year")
    await chat("set CEO knows Microsoft's leadership: yes")
    reply = await chat("should we escalate?")
    assert reply.verdict == "escalate_now" and "escalation.deliverer-ceo" in reply.rules


async def test_maximum_under_global_policy_asks_for_a_creative_structure(chat, deal):
    reply = await _logged(chat, "their VP said this is the maximum allowed under our global policy")
    assert reply.rules == ["counter.global-policy"]
    assert "creative structure" in reply.plain_text()


async def test_a_case_study_for_a_discount_is_a_new_proposal_to_cost(chat, deal):
    reply = await _logged(chat, "they'll cut the price 12% if we extend to a 5 year term")
    assert reply.rules == ["counter.strings-attached"]
    assert "Cost the string" in reply.plain_text()


# --- walk-away (seed 001) ----------------------------------------------------------------------


async def test_no_alternative_means_never_threaten_to_walk(chat, deal):
    await chat("set alternative: none")
    reply = await chat("should we threaten to walk?")
    assert reply.verdict == "walk_not_credible"
    assert {"walkaway.no-alternative", "walkaway.no-bluff"} <= set(reply.rules)


async def test_the_math_says_stay_and_keep_the_walk_quiet(chat, deal):
    await tell(
        chat,
        "the alternative would cost $2.5M a year",
        "Microsoft costs $2M a year over a 3 year term with a 2% yearly increase",
        "set Microsoft offer per year: $2M",
        "switching would cost us $400k",
    )
    reply = await chat("walk away?")
    assert reply.verdict == "stay"
    assert {"walkaway.math-favors-staying", "walkaway.quiet-leverage"} <= set(reply.rules)


async def test_everything_in_place_and_cheaper_elsewhere_means_walking_is_right(chat, deal):
    await tell(chat, *WALK_COSTS, "set Microsoft offer per year: $2M", "our alternative is Google Workspace")
    await tell(chat, "set walk threshold agreed: yes", "set timeline in our control: yes")
    reply = await chat("should we walk away?")
    assert reply.verdict == "walk_is_right"
    assert {"walkaway.math-favors-leaving", "walkaway.position-ready"} <= set(reply.rules)


async def test_microsofts_switching_price_is_checked_against_ours(chat, deal):
    await chat("switching would cost us $400k")
    reply = await _logged(chat, "the AE said moving to Google would cost us $3M")
    assert "walkaway.inflated-switching-cost" in reply.rules


# --- programs (seed 003) -----------------------------------------------------------------------


async def test_a_planned_migration_asks_for_funding_inside_the_renewal(chat, deal):
    await chat("we're migrating to Azure next year")
    reply = await chat("which programs fit?")
    assert reply.verdict == "levers"
    assert {"programs.migration-funding", "programs.fold-into-renewal"} <= set(reply.rules)
    assert "before you migrate" in reply.plain_text()


async def test_a_reference_request_is_traded_bounded(chat, deal):
    await chat("set planned migration: no")
    reply = await chat("they want us to do a case study, which programs fit?")
    assert "programs.bounded-reference" in reply.rules


async def test_nothing_planned_means_no_lever_yet(chat, deal):
    reply = await chat("which programs fit?")
    reply = await chat("no")
    assert reply.verdict == "none_fit" and reply.rules == ["programs.none-fit"]


# --- "not sure" for a date -------------------------------------------------------------------


async def test_not_sure_when_we_renew_is_kept_as_not_sure(chat, deal):
    await chat("set renewal date: not sure")
    facts = await chat("facts")
    assert "not sure" in facts.plain_text().casefold()


# --- "not sure", fact kind by fact kind --------------------------------------------------------


async def test_not_sure_of_the_renewal_date_answers_with_the_calendar_and_stops_asking(chat, deal):
    asked = await chat("where are we on the timeline?")
    assert [q.id for q in asked.questions] == ["renewal_date"]
    reply = await chat("not sure")
    assert reply.verdict == "calendar" and "timeline.renewal-unknown" in reply.rules
    assert reply.questions == [] and "anniversary date on your agreement" in reply.plain_text()
    again = await chat("where are we on the timeline?")
    assert again.questions == [] and "timeline.renewal-unknown" in again.rules


async def test_not_sure_of_our_switching_cost_leaves_their_claim_unchecked(chat, deal):
    claim = await _logged(chat, "the AE said moving to Google would cost us $3M")
    assert [q.id for q in claim.questions] == ["switching_cost"]
    reply = await chat("not sure")
    assert reply.rules == ["walkaway.switching-claim-unchecked"]
    assert "put your own estimate beside it" in reply.plain_text()


async def test_not_sure_the_ceo_knows_their_leadership_keeps_the_cfo_on_it(chat, deal):
    await tell(chat, *PRICE_CASE, "set budget target set: yes", "the agreement is worth $12M a year")
    await chat("set CEO knows Microsoft's leadership: not sure")
    reply = await chat("should we escalate?")
    assert reply.verdict == "escalate_now"
    assert "escalation.deliverer-cfo" in reply.rules and "escalation.deliverer-ceo" not in reply.rules


async def test_not_sure_about_an_alternative_asked_in_the_form(chat, deal):
    await tell(chat, "set walk threshold agreed: yes", "set timeline in our control: yes")
    asked = await chat("is our walk-away position credible?")
    assert [q.id for q in asked.questions] == ["alternative"]
    reply = await chat("no idea")
    assert reply.verdict == "walk_not_credible" and "walkaway.alternative-unknown" in reply.rules
    assert "walkaway.no-alternative" not in reply.rules


async def test_not_sure_the_timeline_is_ours_asked_in_the_form(chat, deal):
    await tell(chat, "our alternative is Google Workspace", "set walk threshold agreed: yes")
    asked = await chat("should we walk away?")
    assert [q.id for q in asked.questions] == ["timeline_in_control"]
    reply = await chat("don't know yet")
    assert reply.verdict == "walk_not_credible"
    assert (
        "walkaway.timeline-unknown" in reply.rules and "walkaway.timeline-not-controlled" not in reply.rules
    )


async def test_not_sure_our_engineers_could_be_design_partners(chat, deal):
    await chat("we're migrating to Azure next year")
    await chat("set engineering engagement on offer: not sure")
    reply = await chat("which programs fit?")
    assert "programs.design-partner" not in reply.rules and "programs.condition-unknown" in reply.rules
    assert "engineering engagement on offer" in reply.plain_text()


async def test_not_sure_what_you_mean_is_not_an_answer(chat, deal):
    await tell(chat, *PRICE_CASE[1:])
    await chat("should we escalate?")
    reply = await chat("not sure what you mean")
    assert reply.intent != "escalation.check"  # the question still stands; nothing was stored
    facts = (await chat("facts")).plain_text()
    assert "Rounds with the account team" not in facts


# --- more of Microsoft's moves -------------------------------------------------------------------


async def test_a_promise_at_the_qbr_is_registered_and_dated(chat, deal):
    reply = await _logged(chat, "yesterday on the call the AE said she could do another 5% on Copilot")
    assert "counter.verbal-commitment" in reply.rules
    assert reply.actions[0].payload["promised_on"] == "2026-11-22"
    assert reply.actions[0].payload["what"] == "do another 5% on Copilot"


async def test_a_plain_promise_from_the_ae_is_a_verbal_commitment(chat, deal):
    reply = await _logged(chat, "the AE promised to hold year-one pricing for year two")
    assert reply.rules == ["counter.call-concession", "counter.verbal-commitment"]
    register = await chat("commitments")
    assert "hold year-one pricing for year two" in register.plain_text()


async def test_their_cvp_emailing_our_cio_is_the_same_counter_move(chat, deal):
    reply = await _logged(chat, "our CIO was contacted by Microsoft's CVP last week")
    assert reply.rules == ["counter.their-exec-to-ours"]


async def test_every_seat_deployed_for_the_price_is_a_deployment_clause(chat, deal):
    reply = await _logged(chat, "the AE said the discount needs us to deploy every seat within a year")
    assert reply.rules == ["counter.punitive-deployment"]


# --- what each role may hear (seed 002) ---------------------------------------------------------


async def test_the_budget_is_never_told_to_the_ae(chat, deal):
    reply = await chat("can I tell the AE our budget?")
    assert reply.verdict == "protect" and "disclosure.budget" in reply.rules


async def test_a_competitor_evaluation_is_the_aes_to_hear_on_purpose(chat, deal):
    reply = await chat("can I tell the AE we're evaluating Google Workspace?")
    assert reply.verdict == "strategic" and "disclosure.strategy" in reply.rules


async def test_technical_requirements_are_safe_with_the_specialist(chat, deal):
    reply = await chat("can I share our technical requirements with the technical specialist?")
    assert reply.verdict == "share" and "disclosure.safe" in reply.rules


async def test_a_promise_from_our_named_ae_is_at_risk_when_the_ae_changes(chat, deal):
    await chat("our AE changed to Jane Smith")
    reply = await _logged(chat, "on the call the AE agreed to waive the uplift on E5")
    assert reply.actions[0].payload["contact"] == "Jane Smith"
    change = await chat("our AE changed to Bob")
    assert change.intent == "contacts.change" and change.verdict == "at_risk"
    assert "waive the uplift on E5" in change.plain_text()


async def test_a_licence_reduction_right_is_escalated_without_a_price_tag(chat, deal):
    await tell(chat, "we've had 3 rounds", "IT, finance and procurement are all on board")
    await chat("the sticking point is a licence-reduction right")
    reply = await chat("should we escalate?")
    assert reply.verdict == "escalate_now", reply.plain_text()
    assert "escalation.deliverer-cio" in reply.rules
    assert not reply.questions


async def test_a_signature_near_with_a_call_promise_open_warns(chat, deal):
    await _logged(chat, "during the meeting the AE promised a 3% cap on increases")
    await chat("set signing date: 2026-12-10")
    listed = await chat("commitments")
    assert listed.verdict == "at_risk" and "commitments.signature-near" in listed.rules
    assert "a 3% cap on increases" in listed.plain_text()


async def test_a_heated_message_after_enough_rounds_is_still_not_yet(chat, deal):
    await tell(chat, *PRICE_CASE, "set budget target set: yes")
    reply = await chat("this is ridiculous, I've had enough, should we escalate?")
    assert reply.verdict == "not_yet" and reply.rules[0] == "escalation.emotional"
    assert "escalation.channels-tried" in reply.rules  # the way up stays open
