"""The typed offer: line items, terms and dates, as read from one document.

Amounts are floats rounded to the cent, each in the offer's one currency (a document that
mixes currencies is refused: its totals would mean nothing). `to_json`/`from_json` give the
shape stored on the deal's timeline (an `ms_offer` event) and in a draft awaiting confirmation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

OFFER_EVENT = "ms_offer"  # the deal timeline's event kind for a confirmed offer (version N)
CENTS = 0.005


def cents(x: float | None) -> float | None:
    return None if x is None else round(float(x) + 0.0, 2)


@dataclass(frozen=True, slots=True)
class OfferLine:
    product: str
    part_number: str | None = None
    quantity: float | None = None
    unit_price: float | None = None  # per unit per `unit_period` as written
    unit_period: str | None = None  # "month", "year" or None (per term / one-off)
    discount_pct: float | None = None
    yearly: float | None = None  # the line's amount per year, as written
    total: float | None = None  # the line's amount over the term, as written
    term_months: int | None = None  # a line's own term, when it differs from the offer's

    def per_year(self, term_months: int | None) -> float | None:
        """What the line costs a year: as written, else from the term total, else from units."""
        if self.yearly is not None:
            return self.yearly
        months = self.term_months or term_months
        if self.total is not None and months:
            return cents(self.total * 12 / months)
        if self.quantity is not None and self.unit_price is not None and self.unit_period:
            off = 1 - (self.discount_pct or 0) / 100
            per = 12 if self.unit_period == "month" else 1
            return cents(self.quantity * self.unit_price * per * off)
        if self.total is not None and not months:
            return None
        return None

    def over_term(self, term_months: int | None) -> float | None:
        if self.total is not None:
            return self.total
        months = self.term_months or term_months
        yearly = self.per_year(term_months)
        if yearly is not None and months:
            return cents(yearly * months / 12)
        return None

    def key(self) -> str:
        """How a line is matched across offers: its part number, else its product name."""
        if self.part_number:
            return "pn:" + self.part_number.casefold().replace(" ", "")
        return "name:" + " ".join(self.product.casefold().split())


@dataclass(frozen=True, slots=True)
class Offer:
    lines: tuple[OfferLine, ...]
    currency: str | None = None
    term_months: int | None = None
    valid_until: str | None = None  # ISO date
    sign_by: str | None = None  # ISO date
    price_protection: str | None = None
    escalator_pct: float | None = None  # yearly increase
    special_terms: tuple[str, ...] = ()
    final_wording: str | None = None  # "best and final offer", as the document says it
    stated_total: float | None = None  # the document's own grand total, when it gives one
    stated_yearly: float | None = None
    problems: tuple[str, ...] = ()  # what the reader could not read, one short line each
    source: str = ""  # "pdf" | "xlsx" | "csv" | "text" | "llm"
    pages: int = 0
    reference: str | None = None  # the quote's own number, when it has one

    @property
    def term_years(self) -> float | None:
        return self.term_months / 12 if self.term_months else None

    def yearly_total(self) -> float | None:
        got = [ln.per_year(self.term_months) for ln in self.lines]
        if got and all(v is not None for v in got):
            return cents(sum(v for v in got if v is not None))
        if self.stated_yearly is not None:
            return self.stated_yearly
        if self.stated_total is not None and self.term_months:
            return cents(self.stated_total * 12 / self.term_months)
        return None

    def term_total(self) -> float | None:
        got = [ln.over_term(self.term_months) for ln in self.lines]
        if got and all(v is not None for v in got):
            return cents(sum(v for v in got if v is not None))
        return self.stated_total

    def with_line(self, n: int, line: OfferLine) -> Offer:
        lines = list(self.lines)
        lines[n - 1] = line
        return replace(self, lines=tuple(lines))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["lines"] = [asdict(ln) for ln in self.lines]
        data["special_terms"] = list(self.special_terms)
        data["problems"] = list(self.problems)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Offer:
        names = set(OfferLine.__slots__)  # type: ignore[attr-defined]
        lines = tuple(
            OfferLine(**{k: v for k, v in ln.items() if k in names}) for ln in data.get("lines", [])
        )
        fields = set(cls.__slots__) - {"lines"}  # type: ignore[attr-defined]
        values = {k: v for k, v in data.items() if k in fields}
        values["special_terms"] = tuple(values.get("special_terms") or ())
        values["problems"] = tuple(values.get("problems") or ())
        return cls(lines=lines, **values)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A document the reader will not take: one clear line, nothing stored."""

    reason: str  # a stable word, a key of knowledge/offers.yaml `refusals` (too_large, password, ...)
    message: str


@dataclass(frozen=True, slots=True)
class Reading:
    """What reading one document gave: an offer, or a refusal; and how long it took."""

    offer: Offer | None = None
    refusal: Refusal | None = None
    ms: float = 0.0
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "offer": self.offer.to_json() if self.offer else None,
            "refusal": asdict(self.refusal) if self.refusal else None,
            "ms": round(self.ms, 1),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reading:
        offer = Offer.from_json(data["offer"]) if data.get("offer") else None
        refusal = Refusal(**data["refusal"]) if data.get("refusal") else None
        return cls(offer=offer, refusal=refusal, ms=float(data.get("ms") or 0))
