"""Walk-away: readiness, the honest math, and the bluff warning."""

from __future__ import annotations

import pytest

from bot.playbooks import walkaway as wa
from tests.playbooks.helpers import deal

READY = {
    "alternative": "Google Workspace for 60% of users",
    "walk_threshold_agreed": True,
    "timeline_in_control": True,
}
MATH = {
    "ms_annual_cost": 1_000_000,
    "term_years": 3,
    "annual_escalator_pct": 0,
    "alternative_annual_cost": 800_000,
    "switching_cost": 500_000,
}


def rules(a):
    return {i.rule for i in a.reasons + a.math}


def test_readiness_facts_are_asked_first(kb):
    a = wa.assess(deal({}), kb)
    assert a.verdict is None and a.missing == wa.READINESS


def test_numbers_asked_once_the_position_is_real(kb):
    a = wa.assess(deal(READY), kb)
    assert a.verdict is None and a.missing == wa.MATH


@pytest.mark.parametrize("alternative", ["none", "no", "Nothing really", "no alternative"])
def test_no_alternative_is_not_credible(kb, alternative):
    a = wa.assess(deal({"alternative": alternative}), kb)
    assert a.verdict == wa.NOT_CREDIBLE
    assert {"walkaway.no-alternative", "walkaway.no-bluff"} <= rules(a)


def test_threshold_and_timeline(kb):
    a = wa.assess(deal({**READY, "walk_threshold_agreed": False}), kb)
    assert a.verdict == wa.NOT_CREDIBLE and "walkaway.threshold-not-agreed" in rules(a)
    b = wa.assess(deal({**READY, "timeline_in_control": False}), kb)
    assert b.verdict == wa.NOT_CREDIBLE and "walkaway.timeline-not-controlled" in rules(b)


def test_math_favors_staying_just_below_the_line(kb):
    # Microsoft 3M vs alternative 2.4M + 0.6M = 3.0M: equal is not cheaper, so stay.
    a = wa.assess(deal({**READY, **MATH, "switching_cost": 600_000}), kb)
    assert a.verdict == wa.STAY and "walkaway.math-favors-staying" in rules(a)
    assert "walkaway.close-call" in rules(a)


def test_math_favors_leaving(kb):
    a = wa.assess(deal({**READY, **MATH}), kb)
    assert a.verdict == wa.WALK
    item = next(i for i in a.math if i.rule == "walkaway.math-favors-leaving")
    assert "$3M" in item.text and "$2.9M" in item.text


def test_escalators_compound(kb):
    assert wa.ms_total(1_000_000, 3, 10) == pytest.approx(1_000_000 + 1_100_000 + 1_210_000)
    # Flat, Microsoft is cheaper; with a 10% yearly increase it is not.
    flat = {**READY, **MATH, "alternative_annual_cost": 950_000, "switching_cost": 250_000}
    assert wa.assess(deal(flat), kb).verdict == wa.STAY
    rising = wa.assess(deal({**flat, "annual_escalator_pct": 10}), kb)
    assert rising.verdict == wa.WALK and "walkaway.escalators-count" in rules(rising)


def test_inflated_switching_cost(kb):
    f = {**READY, **MATH, "ms_claimed_switching_cost": 760_000}
    assert "walkaway.inflated-switching-cost" in rules(wa.assess(deal(f), kb))
    f = {**READY, **MATH, "ms_claimed_switching_cost": 750_000}  # exactly 1.5x: not flagged
    assert "walkaway.inflated-switching-cost" not in rules(wa.assess(deal(f), kb))


def test_the_math_is_shown_whenever_the_costs_are_known(kb):
    a = wa.assess(deal(MATH), kb)  # nothing known about readiness
    assert a.verdict == wa.WALK
    assert "walkaway.math-favors-leaving" in rules(a) and "walkaway.check-readiness" in rules(a)
    # A yearly cost for the alternative says there is one: only the other two are open.
    assert a.missing == [] and a.strengthen == ["walk_threshold_agreed", "timeline_in_control"]


def test_credibility_is_judged_beside_the_math_not_instead_of_it(kb):
    a = wa.assess(deal({**MATH, "walk_threshold_agreed": False}), kb)
    assert a.verdict == wa.WALK
    assert {"walkaway.math-favors-leaving", "walkaway.threshold-not-agreed", "walkaway.no-bluff"} <= rules(a)


def test_math_favoring_staying_wins_over_a_weak_position(kb):
    a = wa.assess(deal({**MATH, "alternative_annual_cost": 1_200_000, "timeline_in_control": False}), kb)
    assert a.verdict == wa.STAY
    assert "walkaway.math-favors-staying" in rules(a) and "walkaway.timeline-not-controlled" in rules(a)


# --- decided by what is known (seed 001): ask only what could still change the verdict -------


def test_no_agreed_walk_point_is_not_credible_now_whatever_else_is_missing(kb):
    a = wa.assess(deal({"alternative": "AWS", "walk_threshold_agreed": False}), kb)
    assert a.verdict == wa.NOT_CREDIBLE and a.missing == []
    assert {"walkaway.threshold-not-agreed", "walkaway.no-bluff"} <= rules(a)
    # What would make it credible is listed, not asked.
    assert "timeline_in_control" in a.strengthen and "alternative_annual_cost" in a.strengthen


def test_an_alternative_named_but_not_costed_is_not_credible(kb):
    f = {
        "alternative": "Google Workspace",
        "walk_threshold_agreed": True,
        "alternative_annual_cost": "unknown",
    }
    a = wa.assess(deal(f), kb)
    assert a.verdict == wa.NOT_CREDIBLE and "walkaway.alternative-not-costed" in rules(a)


def test_offer_under_the_agreed_walk_point_is_stay_without_asking_the_timeline(kb):
    f = {
        "alternative": "on-prem Exchange plus Proton",
        "walk_threshold_agreed": True,
        "walk_threshold_per_year": 10_000_000,
        "ms_annual_cost": 8_400_000,
    }
    a = wa.assess(deal(f), kb)
    assert a.verdict == wa.STAY and a.missing == []
    assert {"walkaway.below-agreed-point", "walkaway.quiet-leverage"} <= rules(a)
    assert "timeline_in_control" not in a.strengthen


def test_a_walk_price_on_record_is_leadership_agreeing_one(kb):
    a = wa.assess(deal({"walk_threshold_per_year": 10_000_000, "ms_annual_cost": 9_000_000}), kb)
    assert a.verdict == wa.STAY and "walkaway.below-agreed-point" in rules(a)


def test_under_the_walk_point_but_cheaper_elsewhere_asks_what_the_math_needs(kb):
    f = {
        "walk_threshold_agreed": True,
        "walk_threshold_per_year": 800_000,
        "ms_annual_cost": 700_000,
        "alternative_annual_cost": 500_000,
        "switching_cost": 300_000,
    }
    a = wa.assess(deal(f), kb)
    assert a.verdict is None and a.missing == ["term_years", "annual_escalator_pct"]


def test_an_alternative_dearer_than_microsoft_is_stay_before_switching_is_costed(kb):
    f = {
        "alternative": "on-prem",
        "alternative_annual_cost": 9_800_000,
        "ms_annual_cost": 8_400_000,
        "term_years": 3,
        "annual_escalator_pct": 0,
    }
    a = wa.assess(deal(f), kb)
    assert a.verdict == wa.STAY and "walkaway.alternative-dearer" in rules(a)
    assert a.missing == [] and "switching_cost" in a.strengthen and "timeline_in_control" in a.strengthen


def test_a_flat_price_needs_no_term_to_see_the_alternative_is_dearer(kb):
    f = {"alternative_annual_cost": 1_100_000, "ms_annual_cost": 1_000_000, "annual_escalator_pct": 0}
    assert wa.assess(deal(f), kb).verdict == wa.STAY


def test_leaving_cheaper_even_with_their_price_taken_flat_is_walk(kb):
    # 1.2M x 3 + 1.5M = 5.1M against at least 1.9M x 3 = 5.7M: the untold increase can only add.
    f = {
        "walk_threshold_agreed": True,
        "alternative_annual_cost": 1_200_000,
        "switching_cost": 1_500_000,
        "ms_annual_cost": 1_900_000,
        "term_years": 3,
        "ms_claimed_switching_cost": 6_000_000,
    }
    a = wa.assess(deal(f), kb)
    assert a.verdict == wa.WALK
    assert {"walkaway.math-favors-leaving-flat", "walkaway.inflated-switching-cost"} <= rules(a)
    assert "annual_escalator_pct" in a.strengthen and "timeline_in_control" in a.strengthen


def test_a_cheaper_alternative_that_the_increase_could_still_decide_is_asked(kb):
    # 0.95M x 3 + 0.25M = 3.1M against 3M flat: only a yearly increase would tip it, so ask it.
    f = {
        "alternative_annual_cost": 950_000,
        "switching_cost": 250_000,
        "ms_annual_cost": 1_000_000,
        "term_years": 3,
    }
    a = wa.assess(deal(f), kb)
    assert a.verdict is None and a.missing == ["annual_escalator_pct"]


def test_the_one_missing_figure_is_asked_before_the_readiness_questions(kb):
    f = {"alternative": "on-prem", "switching_cost": 6_000_000, "term_years": 3, "ms_annual_cost": 8_400_000}
    f["annual_escalator_pct"] = 5
    a = wa.assess(deal(f), kb)
    assert a.verdict is None and a.missing == ["alternative_annual_cost"]
