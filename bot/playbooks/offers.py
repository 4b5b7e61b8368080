"""Microsoft's offers round by round: what moved, what did not, and what each offer tells the
other playbooks.

Pure: (offers as plain data, deal facts, knowledge) -> items citing rule ids of
knowledge/offers.yaml. No clock, no I/O. The skill (bot/skills/offers.py) reads the offers
off the deal's timeline (`ms_offer` events) and writes what `feed` returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.amounts import format_exact
from bot.knowledge import Knowledge
from bot.offers.model import OFFER_EVENT, Offer, OfferLine
from bot.reply import Item
from bot.timeline import DealView

SAME = 0.005  # amounts within half a cent have not moved


@dataclass(frozen=True, slots=True)
class Versioned:
    """One confirmed offer: version N on the deal, who shared it and when."""

    version: int
    offer: Offer
    at: datetime
    shared_by: str
    event_id: int


def offers_of(deal: DealView) -> list[Versioned]:
    """The deal's confirmed offers, oldest first (an undone one no longer counts)."""
    out = []
    for e in deal.live_events(OFFER_EVENT):
        try:
            offer = Offer.from_json(dict(e.payload["offer"]))
        except (KeyError, TypeError, ValueError):
            continue
        out.append(Versioned(int(e.payload.get("version") or len(out) + 1), offer, e.at, e.actor, e.id))
    return out


def next_version(deal: DealView) -> int:
    """Versions never repeat, even after an undo: the next is one past the highest ever logged."""
    seen = [int(e.payload.get("version") or 0) for e in deal.events if e.kind == OFFER_EVENT]
    return max(seen, default=0) + 1


def amount(x: float | None, currency: str | None, *, exact: bool = False) -> str:
    """An offer's figure as its document lists it (bot/amounts.py writes it)."""
    return format_exact(x, currency, cents=exact)


def change(before: float, after: float, currency: str | None) -> str:
    diff = after - before
    if abs(diff) < SAME:
        return "no change"
    pct = f", {diff / before * 100:+.1f}%" if before else ""
    return f"{'+' if diff > 0 else '-'}{amount(abs(diff), currency)}{pct}"


def _by_key(offer: Offer) -> dict[str, OfferLine]:
    out: dict[str, OfferLine] = {}
    for ln in offer.lines:
        out.setdefault(ln.key(), ln)
    return out


def _label(ln: OfferLine) -> str:
    return ln.product[:60] or (ln.part_number or "a line")


@dataclass
class Comparison:
    moved: list[Item] = field(default_factory=list)
    totals: list[Item] = field(default_factory=list)
    unchanged: list[Item] = field(default_factory=list)
    internal: list[Item] = field(default_factory=list)
    sticking: tuple[str, float] | None = None  # the largest line that did not move, and its yearly value


def effective_discount(offer: Offer) -> float | None:
    """Off list, weighted by what each line costs a year; None unless every line says its discount."""
    paid = listed = 0.0
    for ln in offer.lines:
        yearly = ln.per_year(offer.term_months)
        if yearly is None or ln.discount_pct is None or ln.discount_pct >= 100:
            return None
        paid += yearly
        listed += yearly / (1 - ln.discount_pct / 100)
    return (1 - paid / listed) * 100 if listed > 0 else None


def sticking_point(latest: Offer, previous: Offer | None) -> tuple[str, float] | None:
    """The largest line (by its yearly amount) that did not move towards us since the previous
    offer; with only one offer, none."""
    if previous is None:
        return None
    before = _by_key(previous)
    best: tuple[str, float] | None = None
    for ln in latest.lines:
        old = before.get(ln.key())
        now_y, old_y = ln.per_year(latest.term_months), old.per_year(previous.term_months) if old else None
        if old is None or now_y is None or old_y is None:
            continue
        per_unit_down = (
            ln.unit_price is not None and old.unit_price is not None and ln.unit_price < old.unit_price - SAME
        )
        if now_y >= old_y - SAME and not per_unit_down and (best is None or now_y > best[1]):
            best = (_label(ln), now_y)
    return best


def compare(
    offers: list[Versioned], facts: Mapping[str, Any], kb: Knowledge, *, internal: bool = True
) -> Comparison:
    """The latest offer against the previous one and the first: per line, in total, the
    effective discount, what did not move, and (internal only) the gap to our budget."""
    out = Comparison()
    if not offers:
        return out
    latest = offers[-1]
    cur = latest.offer.currency
    new_total = latest.offer.yearly_total()
    if len(offers) >= 2:
        prev = offers[-2]
        before = _by_key(prev.offer)
        after = _by_key(latest.offer)
        still = []
        for key, ln in after.items():
            old = before.get(key)
            if old is None:
                continue
            a, b = old.per_year(prev.offer.term_months), ln.per_year(latest.offer.term_months)
            if a is None or b is None:
                continue
            if abs(a - b) < SAME:
                still.append(_label(ln))
                continue
            out.moved.append(
                Item(
                    kb.say(
                        "offers.moved",
                        line=_label(ln),
                        before=amount(a, cur),
                        after=amount(b, cur),
                        change=change(a, b, cur) + " a year",
                    ),
                    rule="offers.moved",
                )
            )
        new = [_label(ln) for k, ln in after.items() if k not in before]
        gone = [_label(ln) for k, ln in before.items() if k not in after]
        if new:
            out.moved.append(Item(kb.say("offers.new-lines", lines="; ".join(new)), rule="offers.new-lines"))
        if gone:
            out.moved.append(
                Item(kb.say("offers.gone-lines", lines="; ".join(gone)), rule="offers.gone-lines")
            )
        if still:
            out.unchanged.append(
                Item(kb.say("offers.not-moved", lines="; ".join(still)), rule="offers.not-moved")
            )
        old_total = prev.offer.yearly_total()
        if old_total is not None and new_total is not None:
            out.totals.append(
                Item(
                    kb.say(
                        "offers.total-vs-previous",
                        before=amount(old_total, cur),
                        after=amount(new_total, cur),
                        change=change(old_total, new_total, cur),
                        prev=prev.version,
                    ),
                    rule="offers.total-vs-previous",
                )
            )
        first_total = offers[0].offer.yearly_total()
        if len(offers) >= 3 and first_total is not None and new_total is not None:
            out.totals.append(
                Item(
                    kb.say(
                        "offers.total-vs-first",
                        change=change(first_total, new_total, cur),
                        first=amount(first_total, cur),
                        after=amount(new_total, cur),
                    ),
                    rule="offers.total-vs-first",
                )
            )
        if first_total and new_total is not None:
            saving = (1 - new_total / first_total) * 100
            out.totals.append(
                Item(
                    kb.say("offers.effective-discount-vs-first", pct=f"{saving:.1f}%"),
                    rule="offers.effective-discount-vs-first",
                )
            )
        out.sticking = sticking_point(latest.offer, prev.offer)
        if out.sticking is not None:
            out.unchanged.append(
                Item(
                    kb.say("offers.sticking-point", line=out.sticking[0], value=amount(out.sticking[1], cur)),
                    rule="offers.sticking-point",
                )
            )
    eff = effective_discount(latest.offer)
    if eff is not None:
        out.totals.append(
            Item(kb.say("offers.effective-discount", pct=f"{eff:.1f}%"), rule="offers.effective-discount")
        )
    budget = facts.get("budget_per_year")
    if internal and isinstance(budget, int | float) and budget > 0 and new_total is not None:
        gap = new_total - float(budget)
        if gap > SAME:
            out.internal.append(
                Item(
                    kb.say(
                        "offers.gap-to-target",
                        gap=amount(gap, cur),
                        budget=amount(float(budget), cur),
                        pct=f"{gap / float(budget) * 100:.1f}% over",
                    ),
                    rule="offers.gap-to-target",
                )
            )
        else:
            out.internal.append(
                Item(
                    kb.say("offers.under-target", budget=amount(float(budget), cur)),
                    rule="offers.under-target",
                )
            )
    return out


@dataclass(frozen=True, slots=True)
class Fed:
    """What one offer tells the other playbooks: a fact to set, or Microsoft statement to log."""

    kind: str  # "fact" | "statement"
    key: str  # a fact key, or a statement type (deadline, final_offer)
    value: Any
    said: str  # how the reply says it ("Microsoft's cost per year: $1.2M")


def feed(
    offers: list[Versioned], facts: Mapping[str, Any], kb: Knowledge, *, new_rounds: int | None = None
) -> list[Fed]:
    """Facts the latest offer sets for the walk-away math, the escalation check and the brief;
    each said to come from offer N by the caller."""
    if not offers:
        return []
    latest = offers[-1]
    offer, cur = latest.offer, latest.offer.currency
    out: list[Fed] = []
    yearly = offer.yearly_total()
    if yearly is not None:
        out.append(Fed("fact", "ms_annual_cost", yearly, f"Microsoft's cost per year {amount(yearly, cur)}"))
    if offer.term_months and offer.term_months % 12 == 0:
        out.append(
            Fed("fact", "term_years", offer.term_months // 12, f"term {offer.term_months // 12} years")
        )
    if offer.escalator_pct is not None:
        out.append(
            Fed(
                "fact",
                "annual_escalator_pct",
                offer.escalator_pct,
                f"yearly increase {offer.escalator_pct:g}%",
            )
        )
    rounds = new_rounds if new_rounds is not None else len(offers)
    known = facts.get("rounds_with_account_team")
    if not isinstance(known, int | float) or rounds > known:
        out.append(Fed("fact", "rounds_with_account_team", rounds, f"rounds with the account team {rounds}"))
    prev = offers[-2].offer if len(offers) >= 2 else None
    stuck = sticking_point(offer, prev)
    if stuck is not None:
        out.append(Fed("fact", "sticking_point", f"{stuck[0]} price", f"sticking point {stuck[0]}"))
        out.append(
            Fed(
                "fact",
                "sticking_point_value_per_year",
                stuck[1],
                f"worth {amount(stuck[1], cur)} a year",
            )
        )
    if offer.sign_by:
        out.append(Fed("statement", "deadline", offer.sign_by, f"sign by {offer.sign_by}"))
    if offer.final_wording:
        out.append(
            Fed("statement", "final_offer", offer.final_wording, f"“{offer.final_wording}” in the document")
        )
    return [f for f in out if not (f.kind == "fact" and facts.get(f.key) == f.value)]


def totals_by_round(offers: list[Versioned]) -> list[tuple[int, float]]:
    """(version, yearly total) for each offer that has one: the picture's points."""
    return [(v.version, t) for v in offers if (t := v.offer.yearly_total()) is not None]


def round_items(offers: list[Versioned]) -> list[Item]:
    """One line per offer: version, day, who shared it, lines, total per year, term, its dates."""
    items = []
    for v in offers:
        o = v.offer
        bits = [f"{len(o.lines)} line{'s' if len(o.lines) != 1 else ''}"]
        yearly = o.yearly_total()
        if yearly is not None:
            bits.append(f"{amount(yearly, o.currency)} a year")
        if o.term_months:
            bits.append(f"{o.term_months} months")
        if o.sign_by:
            bits.append(f"sign by {o.sign_by}")
        if o.final_wording:
            bits.append(f"“{o.final_wording}”")
        items.append(
            Item(f"Offer {v.version} — {v.at:%d %b %Y}, shared by {v.shared_by}: " + ", ".join(bits))
        )
    return items


def brief_items(
    offers: list[Versioned], facts: Mapping[str, Any], kb: Knowledge, *, internal: bool
) -> list[Item]:
    """The brief's part on Microsoft's offers: each round, then the latest against the others
    (the gap to our budget only in a brief that stays with us)."""
    got = compare(offers, facts, kb, internal=internal)
    return round_items(offers) + got.totals + got.unchanged + (got.internal if internal else [])
