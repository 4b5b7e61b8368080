"""Program levers and the renewal timeline."""

from __future__ import annotations

from datetime import date

import pytest

from bot.playbooks import programs, renewal_calendar
from tests.playbooks.helpers import NOW, deal


def test_programs_ask_about_a_planned_migration_first(kb):
    advice = programs.advise(deal({}), kb)
    assert advice.verdict is None and advice.missing == ["planned_migration"]


def test_planned_migration_means_funding_inside_the_renewal(kb):
    advice = programs.advise(deal({"planned_migration": "Azure, 400 VMs"}), kb)
    assert advice.verdict == programs.LEVERS
    assert [i.rule for i in advice.fits] == ["programs.migration-funding", "programs.fold-into-renewal"]
    assert "Azure, 400 VMs" in advice.fits[0].text


def test_no_migration_and_nothing_else_fits(kb):
    advice = programs.advise(deal({"planned_migration": "no"}), kb)
    assert advice.verdict == programs.NONE_FIT and advice.fits[0].rule == "programs.none-fit"


def test_case_study_request_means_bounded_reference(kb):
    d = deal(
        {"planned_migration": "no"},
        [(2, "ms_statement", {"type": "other", "text": "AE asked for a case study"})],
    )
    assert programs.advise(d, kb).fits[0].rule == "programs.bounded-reference"
    assert (
        programs.advise(deal({"planned_migration": "no"}), kb, "they want a case study").verdict == "levers"
    )


def test_custom_incentives_from_the_large_account_threshold(kb):
    th = kb.section("programs.thresholds")
    big = programs.advise(
        deal({"planned_migration": "no", "deal_value_per_year": th.large_account_per_year}), kb
    )
    assert "programs.custom-incentives" in [i.rule for i in big.fits]
    small = programs.advise(
        deal({"planned_migration": "no", "deal_value_per_year": th.large_account_per_year - 1}), kb
    )
    assert small.verdict == programs.NONE_FIT


@pytest.mark.parametrize(
    "renewal,phase,done",
    [
        (date(2028, 11, 23), "early", []),
        (date(2028, 5, 1), "prepare", ["timeline.t-18"]),
        (date(2027, 11, 23), "build", ["timeline.t-18", "timeline.t-12"]),
        (date(2027, 5, 1), "negotiate", ["timeline.t-18", "timeline.t-12", "timeline.t-6"]),
        (date(2027, 2, 1), "close", ["timeline.t-18", "timeline.t-12", "timeline.t-6", "timeline.t-90d"]),
        (date(2026, 11, 1), "past", ["timeline.past-renewal"]),
    ],
)
def test_phases_and_what_should_be_done(kb, renewal, phase, done):
    view = renewal_calendar.where(renewal, NOW, kb)
    assert view.verdict == phase
    assert [i.rule for i in view.done_by_now] == done


def test_t12_boundary(kb):
    # Exactly 365 days out: T-12 has arrived; one day more: not yet.
    assert renewal_calendar.where(date(2027, 11, 23), NOW, kb).verdict == "build"
    assert renewal_calendar.where(date(2027, 11, 24), NOW, kb).verdict == "prepare"


def test_microsoft_calendar(kb):
    view = renewal_calendar.where(date(2027, 6, 30), NOW, kb)
    rules = [i.rule for i in view.microsoft]
    assert rules == ["timeline.quarter-end", "timeline.fiscal-year-end", "timeline.renewal-at-year-end"]
    assert "31 Dec 2026" in view.microsoft[0].text and "30 Jun 2027" in view.microsoft[1].text
    nxt = view.next[0]
    assert nxt.rule == "timeline.next-milestone" and "T-6 months" in nxt.text
    early = renewal_calendar.where(date(2026, 12, 20), NOW, kb)
    assert [i.rule for i in early.microsoft] == []  # no quarter end before a renewal on 20 Dec


# --- a small deal with nothing to trade (seed 003: programs serve strategic-scale accounts) ----


@pytest.mark.parametrize(
    "said",
    [
        "uni policy says we can't endorse vendors, so no case studies or logo stuff",
        "MS havent asked us about references or anything",
        "we can't be a reference customer",
        "they haven’t asked for a case study",
    ],
)
def test_a_reference_denied_is_no_lever(kb, said):
    d = deal({"planned_migration": "no"}, [(1, "ms_statement", {"type": "other", "text": said})])
    assert programs.advise(d, kb).verdict == programs.NONE_FIT
    assert programs.advise(deal({"planned_migration": "no"}), kb, said).verdict == programs.NONE_FIT


def test_a_reference_asked_after_a_denial_elsewhere_still_counts(kb):
    said = "We have no migration planned. The AE asked for a case study."
    assert programs.advise(deal({"planned_migration": "no"}), kb, said).verdict == programs.LEVERS


def test_a_small_deal_with_no_migration_is_none_fit_and_says_why(kb):
    advice = programs.advise(deal({"planned_migration": "no", "deal_value_per_year": 90_000}), kb)
    assert advice.verdict == programs.NONE_FIT
    assert [i.rule for i in advice.fits] == ["programs.small-account"]
    text = advice.fits[0].text
    assert "$90k a year" in text and "strategic-account scale" in text and "price and terms" in text


def test_a_small_deal_with_a_migration_still_gets_funding(kb):
    advice = programs.advise(deal({"planned_migration": "Azure", "deal_value_per_year": 90_000}), kb)
    assert advice.verdict == programs.LEVERS and advice.fits[0].rule == "programs.migration-funding"


@pytest.mark.parametrize(
    "stored",
    [
        "no",
        "none planned",
        "no migrations planned, staying as is",
        "we're staying put for now",
        "not planning one",
        "Not really",
    ],
)
def test_no_migration_in_any_words_is_no_lever(kb, stored):
    advice = programs.advise(deal({"planned_migration": stored}), kb)
    assert advice.verdict == programs.NONE_FIT, stored


def test_a_reference_our_policy_rules_out_is_no_lever_even_when_asked(kb):
    advice = programs.advise(
        deal({"planned_migration": "no", "reference_requested": True, "reference_allowed": False}), kb
    )
    assert advice.verdict == programs.NONE_FIT
    assert "programs.bounded-reference" not in [i.rule for i in advice.fits]
    assert "programs.reference-ruled-out" in [i.rule for i in advice.fits]
    refused = deal({"planned_migration": "no", "reference_allowed": False})
    assert programs.advise(refused, kb, "the AE wants a case study").verdict == programs.NONE_FIT
