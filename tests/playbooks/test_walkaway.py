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
    assert a.missing == [] and a.strengthen == wa.READINESS


def test_credibility_is_judged_beside_the_math_not_instead_of_it(kb):
    a = wa.assess(deal({**MATH, "walk_threshold_agreed": False}), kb)
    assert a.verdict == wa.WALK
    assert {"walkaway.math-favors-leaving", "walkaway.threshold-not-agreed", "walkaway.no-bluff"} <= rules(a)


def test_math_favoring_staying_wins_over_a_weak_position(kb):
    a = wa.assess(deal({**MATH, "alternative_annual_cost": 1_200_000, "timeline_in_control": False}), kb)
    assert a.verdict == wa.STAY
    assert "walkaway.math-favors-staying" in rules(a) and "walkaway.timeline-not-controlled" in rules(a)
