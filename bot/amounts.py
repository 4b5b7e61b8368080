"""Amounts written back the way people write them: "$1M", "€900k", "£1.25M", "$999.6k".

A leaf module (it imports nothing of ours), so replies, drafts, briefs and the playbooks share
one formatter without importing the readers of bot/understanding. Reading an amount is
bot/understanding/money.py's job; this only writes one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

# ISO code → the symbol people write before the figure. Other codes are written as a prefix
# ("CHF 900k").
SYMBOLS: Final = {"USD": "$", "EUR": "€", "GBP": "£"}
DEFAULT_CURRENCY: Final = "USD"  # an amount said without one reads back in dollars
_STEPS: Final = ((1e9, "bn", 2), (1e6, "M", 2), (1e3, "k", 1))


def _trim(x: float, places: int) -> str:
    text = f"{x:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_money(amount: float, currency: str | None = None) -> str:
    """$950, $250k, $999.6k, $1M, €900k, £1.25M, CHF 2.4M: the amount in its own currency,
    rounded the way it is said (never "$1,000k": an amount that rounds up to the next step is
    written in that step)."""
    code = (currency or DEFAULT_CURRENCY).upper()
    sign = "-" if amount < 0 else ""
    size = round(abs(amount), 2)
    figure = f"{size:,.0f}" if size == int(size) else f"{size:,.2f}"  # $950, $950.50
    for scale, unit, places in _STEPS:
        if size >= scale:
            bigger = [s for s in _STEPS if s[0] > scale]
            if bigger and round(size / scale, places) >= 1000:  # 999,960 is "$1M", never "$1,000k"
                scale, unit, places = bigger[-1]
            figure = _trim(size / scale, places) + unit
            break
    symbol = SYMBOLS.get(code)
    return f"{sign}{symbol}{figure}" if symbol else f"{sign}{code} {figure}"


def format_exact(x: float | None, currency: str | None, *, cents: bool = False) -> str:
    """The figure as a document lists it: "$1,234,567", "€950.00" with `cents`, "?" when
    missing; without a known currency the plain number (an offer never guesses dollars)."""
    if x is None:
        return "?"
    sign = "-" if x < 0 else ""
    x = abs(x)
    number = f"{x:,.{2 if cents or x < 1000 else 0}f}"
    symbol = SYMBOLS.get(currency or "", "")
    if symbol:
        return f"{sign}{symbol}{number}"
    return f"{sign}{currency} {number}" if currency else f"{sign}{number}"


def currency_symbol(currency: str | None) -> str:
    """The sign written before an amount: "$", "€", "£", or the ISO code and a space."""
    code = (currency or DEFAULT_CURRENCY).upper()
    return SYMBOLS.get(code, f"{code} ")


def currency(facts: Mapping[str, Any]) -> str | None:
    """The deal's currency (its `currency` fact, an ISO code) or None when never said."""
    code = facts.get("currency")
    return code if isinstance(code, str) and code.strip() else None


def in_deal_currency(usd: float, code: str | None, per_usd: Mapping[str, float]) -> float:
    """A threshold written in US dollars (knowledge/'s "is this big?" lines) in the deal's own
    currency, by the rough rate `per_usd` gives (units to one dollar; 1 when the currency is not
    listed). For judging scale only: a 25k floor is about R450k, ¥3.75M or ₹2.1M."""
    rate = per_usd.get((code or DEFAULT_CURRENCY).upper(), 1.0)
    return usd * rate
