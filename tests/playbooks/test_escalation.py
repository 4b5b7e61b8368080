"""The escalation playbook on plain data: each rule fires, stays quiet just past its
threshold, and asks when its facts are missing."""

from __future__ import annotations

import pytest

from bot.playbooks import escalation as esc
from bot.understanding.alignment import parse_alignment
from tests.playbooks.helpers import NOW, READY, deal, final


def rules(a: esc.Assessment) -> set[str]:
    return {i.rule for i in a.blockers + a.fixes + a.support + a.who if i.rule}


def with_(**changes):
    return {**READY, **changes}


def test_ready_deal_escalates_now_citing_ready(kb):
    a = esc.assess(deal(READY), kb, NOW)
    assert a.verdict == esc.ESCALATE_NOW
    assert {"escalation.ready", "escalation.channels-tried", "escalation.aligned"} <= rules(a)


def test_missing_core_facts_are_asked_not_guessed(kb):
    a = esc.assess(deal({}), kb, NOW)
    assert a.verdict is None
    assert a.missing == esc.CORE_FACTS


def test_one_round_is_too_early_but_the_way_stays_open(kb):
    a = esc.assess(deal(with_(rounds_with_account_team=1)), kb, NOW)
    assert a.verdict == esc.NOT_YET and "escalation.too-early" in rules(a)
    b = esc.assess(deal(with_(rounds_with_account_team=2)), kb, NOW)
    assert "escalation.too-early" not in rules(b)


def test_too_early_is_decided_even_with_other_facts_missing(kb):
    a = esc.assess(deal({"rounds_with_account_team": 1}), kb, NOW)
    assert a.verdict == esc.NOT_YET
    assert a.missing == []
    assert a.strengthen == ["internal_alignment", "sticking_point", "sticking_point_value_per_year"]
    assert "internal_alignment" in a.open_facts


def test_two_rounds_means_one_more_counter_offer_three_is_enough(kb):
    a = esc.assess(deal(with_(rounds_with_account_team=2)), kb, NOW)
    assert a.verdict == esc.NOT_YET and "escalation.exhaust-standard-channels" in rules(a)
    b = esc.assess(deal(with_(rounds_with_account_team=3)), kb, NOW)
    assert "escalation.exhaust-standard-channels" not in rules(b)


@pytest.mark.parametrize(
    "answer,missing",
    [
        ("Finance and IT yes, procurement not yet", ["Procurement"]),
        ("not yet", ["IT", "Finance", "Procurement"]),
        ("IT is on board but finance and procurement disagree", ["Finance", "Procurement"]),
        ("Finance yes", ["IT", "Procurement"]),
    ],
)
def test_align_first_names_who_is_not_aligned(kb, answer, missing):
    a = esc.assess(deal(with_(internal_alignment=answer)), kb, NOW)
    assert a.verdict == esc.NOT_YET
    item = next(i for i in a.fixes if i.rule == "escalation.align-first")
    for team in missing:
        assert team in item.text
    assert "internal_alignment" in a.open_facts


@pytest.mark.parametrize(
    "answer",
    [
        "yes",
        "all aligned",
        "IT, Finance and Procurement all agreed",
        True,
        "yes IT and finance agree, procurement too",
        "IT is on board, finance as well, procurement also",
    ],
)
def test_alignment_yes(kb, answer):
    assert all(v is True for v in parse_alignment(answer).values())


def test_a_team_said_to_agree_too_follows_the_team_before_it(kb):
    assert parse_alignment("finance says no, procurement too") == {
        "it": None,
        "finance": False,
        "procurement": False,
    }


def test_minor_issue_under_floor_and_under_share_of_deal(kb):
    th = kb.section("escalation.thresholds")
    small = esc.assess(deal(with_(sticking_point_value_per_year=th.minor_floor_per_year - 1)), kb, NOW)
    assert small.verdict == esc.DO_NOT and "escalation.minor-issue" in rules(small)
    at_floor = esc.assess(
        deal(with_(sticking_point_value_per_year=th.minor_floor_per_year, deal_value_per_year=None)), kb, NOW
    )
    assert "escalation.minor-issue" not in rules(at_floor)
    share = th.minor_share_of_deal * 10_000_000
    under = esc.assess(
        deal(with_(deal_value_per_year=10_000_000, sticking_point_value_per_year=share - 1)), kb, NOW
    )
    assert "escalation.minor-issue" in rules(under)
    at = esc.assess(deal(with_(deal_value_per_year=10_000_000, sticking_point_value_per_year=share)), kb, NOW)
    assert "escalation.minor-issue" not in rules(at) and "escalation.big-enough" in rules(at)


def test_price_issue_without_budget_target_waits_and_an_untold_target_is_confirmed(kb):
    no_target = esc.assess(deal(with_(budget_target_set=False)), kb, NOW)
    assert no_target.verdict == esc.NOT_YET and "escalation.no-budget-target" in rules(no_target)
    # Every core fact supports going up and only the budget target is untold: the verdict, with
    # the target as the one thing to confirm before the call (no blocking form).
    untold = esc.assess(deal({k: v for k, v in READY.items() if k != "budget_target_set"}), kb, NOW)
    assert untold.verdict == esc.ESCALATE_NOW and untold.missing == []
    assert [i.rule for i in untold.confirm] == ["escalation.confirm-budget-target"]
    assert "budget_target_set" in untold.open_facts


def test_a_budget_figure_on_record_is_a_target_set(kb):
    facts = {k: v for k, v in READY.items() if k != "budget_target_set"}
    a = esc.assess(deal({**facts, "budget_per_year": 2_000_000}), kb, NOW)
    assert a.verdict == esc.ESCALATE_NOW and a.confirm == []


def test_an_untold_budget_target_joins_a_form_asked_anyway(kb):
    facts = {k: v for k, v in READY.items() if k != "budget_target_set"}
    a = esc.assess(deal(facts, [final(20), final(5)]), kb, NOW)
    assert a.verdict is None and a.missing == ["budget_target_set", "offer_uncompetitive"]


def test_terms_issue_needs_no_budget_target_and_goes_to_the_cio(kb):
    facts = {k: v for k, v in READY.items() if k != "budget_target_set"}
    a = esc.assess(deal({**facts, "sticking_point": "licence reduction right and flexibility"}), kb, NOW)
    assert a.verdict == esc.ESCALATE_NOW
    assert "escalation.deliverer-cio" in rules(a) and "escalation.no-budget-target" not in rules(a)


def test_emotional_words_mean_not_yet_without_asking(kb):
    a = esc.assess(deal({}), kb, NOW, "I'm so fed up with this AE, should we escalate?")
    assert a.verdict == esc.NOT_YET and "escalation.emotional" in rules(a)
    calm = esc.assess(deal(READY), kb, NOW, "should we escalate now?")
    assert "escalation.emotional" not in rules(calm)


def test_escalating_again_soon(kb):
    th = kb.section("escalation.thresholds")
    recent = esc.assess(deal(READY, [(th.again_within_days - 1, "escalation", {"text": "x"})]), kb, NOW)
    assert recent.verdict == esc.DO_NOT and "escalation.too-soon-again" in rules(recent)
    older = esc.assess(deal(READY, [(th.again_within_days, "escalation", {"text": "x"})]), kb, NOW)
    assert "escalation.too-soon-again" not in rules(older)


def test_undone_escalation_does_not_count(kb):
    d = deal(READY, [(1, "escalation", {"text": "x"}), (0, "undo", {"event_id": 7})])
    assert d.live_events("escalation") == []
    assert esc.assess(d, kb, NOW).verdict == esc.ESCALATE_NOW


def test_final_position_trigger_needs_repeats_and_a_checked_offer(kb):
    once = esc.assess(deal(READY, [final()]), kb, NOW)
    assert "escalation.trigger-final-position" not in rules(once) and once.verdict == esc.ESCALATE_NOW
    twice_unchecked = esc.assess(deal(READY, [final(20), final(5)]), kb, NOW)
    assert twice_unchecked.verdict is None and twice_unchecked.missing == ["offer_uncompetitive"]
    twice = esc.assess(deal(with_(offer_uncompetitive=True), [final(20), final(5)]), kb, NOW)
    assert "escalation.trigger-final-position" in rules(twice)
    fair = esc.assess(deal(with_(offer_uncompetitive=False), [final(20), final(5)]), kb, NOW)
    assert "escalation.verify-offer" in rules(fair)


def test_exploding_offer_trigger_is_recent_only(kb):
    th = kb.section("escalation.thresholds")
    ev = {"type": "deadline", "label": "sign by a deadline", "text": "x"}
    assert "escalation.trigger-exploding-offer" in rules(
        esc.assess(deal(READY, [(th.recent_days, "ms_statement", ev)]), kb, NOW)
    )
    stale = esc.assess(deal(READY, [(th.recent_days + 1, "ms_statement", ev)]), kb, NOW)
    assert "escalation.trigger-exploding-offer" not in rules(stale)


def test_verbal_promises_and_stalls_trigger(kb):
    verbal = {"type": "verbal_refused", "text": "x"}
    assert "escalation.trigger-verbal-promises" in rules(
        esc.assess(deal(READY, [(3, "ms_statement", verbal)]), kb, NOW)
    )
    stall = {"type": "stall", "text": "x"}
    one = esc.assess(deal(READY, [(3, "ms_statement", stall)]), kb, NOW)
    assert "escalation.trigger-stalls" not in rules(one)
    two = esc.assess(deal(READY, [(9, "ms_statement", stall), (3, "ms_statement", stall)]), kb, NOW)
    assert "escalation.trigger-stalls" in rules(two)


def test_ceo_only_for_very_large_deals_with_a_relationship(kb):
    th = kb.section("escalation.thresholds")
    big = with_(deal_value_per_year=th.ceo_min_deal_value_per_year, ceo_knows_ms_leadership=True)
    assert "escalation.deliverer-ceo" in rules(esc.assess(deal(big), kb, NOW))
    no_rel = with_(deal_value_per_year=th.ceo_min_deal_value_per_year, ceo_knows_ms_leadership=False)
    assert "escalation.deliverer-cfo" in rules(esc.assess(deal(no_rel), kb, NOW))
    smaller = with_(deal_value_per_year=th.ceo_min_deal_value_per_year - 1, ceo_knows_ms_leadership=True)
    assert "escalation.deliverer-ceo" not in rules(esc.assess(deal(smaller), kb, NOW))


def test_target_is_never_a_level_that_cannot_approve(kb):
    leader, below, known = esc.target_leader(kb, 12, non_standard=False)
    assert leader.key == "avp" and below.key == "ae" and known
    assert leader.max_discount_pct >= 12
    leader, _, _ = esc.target_leader(kb, 25, non_standard=False)
    assert leader.key == "avp"
    leader, _, _ = esc.target_leader(kb, 26, non_standard=False)
    assert leader.key == "regional_gm"
    leader, _, known = esc.target_leader(kb, None, non_standard=False)
    assert leader.key == "avp" and not known


def test_an_ask_the_ae_can_approve_does_not_need_escalation(kb):
    a = esc.assess(deal(with_(ask_discount_pct=8)), kb, NOW)
    assert a.verdict == esc.DO_NOT and "escalation.ae-can-approve" in rules(a)
    b = esc.assess(deal(with_(ask_discount_pct=9)), kb, NOW)
    assert "escalation.ae-can-approve" not in rules(b) and "escalation.target-authority" in rules(b)


def test_checklist_ticks_from_the_deal(kb):
    items = esc.checklist(deal(READY, [(1, "draft", {"template": "escalation"})]), kb)
    assert [i.done for i in items] == [True, True, True, False, True]
    assert len(items) == 5 and all(i.rule for i in items)
    assert not any(i.done for i in esc.checklist(deal({}), kb, "I'm furious!!")[:4])


def test_reply_shape(kb):
    d = deal(with_(rounds_with_account_team=2))
    reply = esc.to_reply(esc.assess(d, kb, NOW), d, kb)
    assert reply.verdict == "not_yet" and reply.verdict_label == "Not yet."
    assert reply.rules and any(s.style == "checklist" for s in reply.sections)
    intents = [a.payload["intent"] for a in reply.actions]
    assert "draft.escalation" in intents and "reminders.add" in intents


def test_two_teams_apart_decides_not_yet_without_the_dollar_value(kb):
    split = {"rounds_with_account_team": 3, "internal_alignment": "IT yes, Finance no, Procurement no"}
    a = esc.assess(deal(split), kb, NOW)
    assert a.verdict == esc.NOT_YET and "escalation.align-first" in rules(a)
    assert a.strengthen == ["sticking_point", "sticking_point_value_per_year"]


def test_a_non_price_sticking_point_needs_no_dollar_value(kb):
    facts = with_(sticking_point="data residency in the EU")
    facts.pop("sticking_point_value_per_year")
    a = esc.assess(deal(facts), kb, NOW)
    assert a.verdict == esc.ESCALATE_NOW
    assert "escalation.deliverer-cio" in rules(a)


def test_same_day_escalation_is_not_shown_as_today_ago(kb):
    a = esc.assess(deal(READY, [(0, esc.ESCALATION_EVENT, {"text": "we escalated"})]), kb, NOW)
    assert a.verdict == esc.DO_NOT
    texts = [i.text for i in a.blockers]
    assert any("earlier today" in t for t in texts) and not any("today ago" in t for t in texts)


# --- escalation from frustration (seed 000: never in the heat of the moment) -----------------


@pytest.mark.parametrize(
    "said",
    [
        "CFO is irritated and wants to fire off an email to their regional VP tonight. Should we escalate?",
        "our ceo is super annoyed tbh, wants to email satya directly lol. shld we escalate this?",
        "Our CIO is very upset with Jane. Should we ask the CIO to call their AVP directly?",
        "I'm so tempted to get the DVC to ring Liam's boss and give him a proper spray. should we",
        "ok so bit of a rant: the AE basically laughed at us. time to go over his head?",
        "our CFO is furious, can she call their GM?",
        "the COO lost his patience and wants to call their VP, should he?",
        "they did WHAT?! should we go to their VP",
    ],
)
def test_heat_is_read_as_a_class(kb, said):
    assert esc.is_emotional(said, kb), said


@pytest.mark.parametrize(
    "said",
    [
        "should we escalate now?",
        "Five rounds, offer benchmarked above market, CFO will sponsor. Escalate to their AVP now?",
        "I'm not angry, just asking: is it time to bring in our CFO?",
        "should our CFO call their area VP this week?",
        "would escalating annoy the account team?",
    ],
)
def test_calm_questions_are_not_heated(kb, said):
    assert not esc.is_emotional(said, kb), said


def test_a_small_point_told_in_anger_is_do_not_even_with_rounds_and_alignment_unknown(kb):
    facts = {
        "deal_value_per_year": 6_000_000,
        "sticking_point": "Viva Insights add-on",
        "sticking_point_value_per_year": 18_000,
    }
    a = esc.assess(deal(facts), kb, NOW, "CFO is irritated and wants to fire off an email tonight")
    assert a.verdict == esc.DO_NOT and a.missing == []
    assert {"escalation.minor-issue", "escalation.emotional"} <= rules(a)
    reply = esc.to_reply(a, deal(facts), kb)
    said = {i.rule for i in reply.sections[0].items}
    assert {"escalation.minor-issue", "escalation.emotional"} <= said
    assert reply.headline.startswith("Don't escalate. 2 reasons")


def test_a_worth_told_as_a_share_of_the_deal(kb):
    base = {"deal_value_per_year": 6_000_000, "sticking_point": "Viva Insights add-on pricing"}
    a = esc.assess(deal({**base, "sticking_point_share_pct": 0.3}), kb, NOW)
    assert a.verdict == esc.DO_NOT and "escalation.minor-issue" in rules(a)
    assert "$18k a year is small" in next(i.text for i in a.blockers)
    alone = esc.assess(deal({"sticking_point": "Viva pricing", "sticking_point_share_pct": 0.3}), kb, NOW)
    assert alone.verdict == esc.DO_NOT and "escalation.minor-share" in rules(alone)
    big = esc.assess(
        deal(
            with_(sticking_point_value_per_year=None, deal_value_per_year=None, sticking_point_share_pct=12.5)
        ),
        kb,
        NOW,
    )
    assert big.verdict == esc.ESCALATE_NOW and "escalation.big-enough-share" in rules(big)


def test_a_share_of_their_offer_is_an_amount_of_the_offer(kb):
    facts = {
        **{k: v for k, v in READY.items() if k != "deal_value_per_year"},
        "sticking_point_value_per_year": None,
        "ms_annual_cost": 3_600_000,
        "sticking_point_share_pct": 12.5,
    }
    a = esc.assess(deal(facts), kb, NOW)
    assert a.verdict == esc.ESCALATE_NOW
    assert "$450k a year is big enough" in next(
        i.text for i in a.support if i.rule == "escalation.big-enough"
    )
