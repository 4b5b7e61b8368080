"""The offers playbook as plain data: offers in, movement, totals, the sticking point and the
facts each offer feeds out. No database, no clock."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.features import default_knowledge
from bot.offers.model import Offer, OfferLine
from bot.playbooks import offers as po

KB = default_knowledge()
AT = datetime(2026, 11, 1, tzinfo=UTC)


def offer(*lines: tuple[str, float, float, float], **terms) -> Offer:
    """(product, quantity, unit price a month, discount %) per line."""
    return Offer(
        lines=tuple(
            OfferLine(p, quantity=q, unit_price=u, unit_period="month", discount_pct=d)
            for p, q, u, d in lines
        ),
        currency=terms.pop("currency", "USD"),
        term_months=terms.pop("term_months", 36),
        **terms,
    )


def rounds(*offers: Offer) -> list[po.Versioned]:
    return [po.Versioned(n, o, AT, "u1", n) for n, o in enumerate(offers, 1)]


E5, COPILOT = ("E5", 1000, 57.0, 10), ("Copilot", 500, 30.0, 0)


def test_one_offer_has_no_movement_but_its_effective_discount():
    got = po.compare(rounds(offer(E5, COPILOT)), {}, KB)
    assert got.moved == [] and got.unchanged == [] and got.sticking is None
    (eff,) = got.totals
    assert (
        eff.rule == "offers.effective-discount" and "7.9% off list" in eff.text
    )  # 795,600 paid of 864,000 listed


def test_movement_per_line_totals_and_the_line_that_did_not_move():
    first, second = offer(E5, COPILOT), offer(("E5", 1000, 57.0, 15), COPILOT)
    got = po.compare(rounds(first, second), {"budget_per_year": 700_000}, KB)
    assert [i.text for i in got.moved] == ["E5: $615,600 → $581,400 (-$34,200, -5.6% a year)."]
    assert got.unchanged[0].text == "Did not move: Copilot."
    assert got.sticking == ("Copilot", 180000.0)
    assert "Total per year $795,600 → $761,400: -$34,200, -4.3% against offer 1." in [
        i.text for i in got.totals
    ]
    assert got.internal[0].rule == "offers.gap-to-target" and "$61,400 a year above" in got.internal[0].text
    assert po.compare(rounds(first, second), {"budget_per_year": 700_000}, KB, internal=False).internal == []


def test_new_and_dropped_lines_are_named():
    got = po.compare(rounds(offer(E5, COPILOT), offer(E5, ("Teams Phone", 100, 8.0, 0))), {}, KB)
    rules = [i.rule for i in got.moved]
    assert "offers.new-lines" in rules and "offers.gone-lines" in rules


def test_a_lower_unit_price_is_movement_even_when_more_seats_raise_the_line():
    more = offer(("E5", 1200, 50.0, 10), COPILOT)
    assert po.sticking_point(more, offer(E5, COPILOT)) == ("Copilot", 180000.0)


def test_what_an_offer_feeds_the_other_playbooks():
    latest = offer(E5, COPILOT, escalator_pct=3.0, sign_by="2027-06-20", final_wording="best and final")
    fed = {f.key: f for f in po.feed(rounds(offer(E5, COPILOT), latest), {"rounds_with_account_team": 1}, KB)}
    assert fed["ms_annual_cost"].value == 795600.0 and fed["term_years"].value == 3
    assert fed["annual_escalator_pct"].value == 3.0 and fed["rounds_with_account_team"].value == 2
    assert (
        fed["sticking_point"].value == "E5 price" and fed["sticking_point_value_per_year"].value == 615600.0
    )
    assert (fed["deadline"].kind, fed["final_offer"].kind) == ("statement", "statement")
    # A fact the deal already holds with that value is not logged again.
    again = po.feed(rounds(latest), {"ms_annual_cost": 795600.0}, KB)
    assert "ms_annual_cost" not in {f.key for f in again}


def test_amounts_keep_their_currency():
    assert po.amount(1234567.891, "EUR") == "€1,234,568"
    assert po.amount(12.5, "GBP", exact=True) == "£12.50"
    assert po.amount(900, "CHF") == "CHF 900.00"
    assert po.change(100.0, 100.004, "USD") == "no change"
