"""Reading form answers: pull the facts a form asked for out of what the person typed.

Pure functions. One reply may answer several questions at once ("2 rounds, finance yes,
about $300k a year"); what cannot be read is asked again.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from bot.knowledge import FactSpec, Knowledge
from bot.understanding.values import (
    UNKNOWN,
    UNKNOWN_VALUE,
    DateFound,
    parse_money_text,
    read_count,
    read_date,
    read_yesno,
)

_MONEY = re.compile(
    r"(?P<cur>[$€£])?\s*(?P<num>\d{1,3}(?:[,\s]\d{3})+|\d+(?:\.\d+)?)\s*(?P<mult>k|m|mm|bn|b|thousand|million|billion)?\b",
    re.IGNORECASE,
)
_MULT = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9}
_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "once": 1,
    "twice": 2,
    "a couple": 2,
    "several": 3,
}
__all__ = ["UNKNOWN_VALUE", "describe", "parse_value", "read_answers", "valid_value"]


def parse_money(text: str) -> float | None:
    """Any common amount: "$2.4M", "2.4 million dollars", "€900k", "1,2 Mio €", "half a million";
    "per month" amounts are made yearly."""
    return parse_money_text(text)


def parse_int(text: str) -> int | None:
    """A count in digits or words: "4", "five", "twenty-two", "a dozen", "twice"."""
    n = read_count(text)
    if n is not None:
        return n
    low = text.casefold()
    for word, value in _WORD_NUMBERS.items():
        if re.search(rf"\b{word}\b", low):
            return value
    return None


def parse_yesno(text: str) -> bool | str | None:
    """True, False, UNKNOWN_VALUE ("not sure", "no idea", "don't know yet"), or None."""
    v = read_yesno(text)
    return UNKNOWN_VALUE if v is UNKNOWN else v  # type: ignore[return-value]


def parse_date(text: str, *, now: datetime | None = None, tz: str = "UTC") -> str | None:
    """The day an answer names, as an ISO date. With `now`, year-less and relative days are read
    too ("15 December", "next Friday"), preferring the future; without it only dates with a
    year. An ambiguous day ("12/03") is None: the question is asked again."""
    found = read_date(text, now or _NO_CLOCK, tz, relative=now is not None)
    if not isinstance(found, DateFound):
        return None
    if now is None and not re.search(r"\d{4}", found.said):
        return None
    return found.day.isoformat()


_NO_CLOCK = datetime(2000, 1, 1, tzinfo=UTC)


def parse_choice(spec: FactSpec, text: str) -> Any:
    low = text.casefold()
    for choice in spec.choices:
        words = [choice.label, str(choice.value), *choice.synonyms]
        for w in words:
            if re.search(rf"(?<!\w){re.escape(w.casefold())}(?!\w)", low):
                return choice.value
    return None


def parse_value(spec: FactSpec, text: str, *, now: datetime | None = None, tz: str = "UTC") -> Any:
    """The answer as a value of the fact's kind, or None when it is not one (a question is never
    the answer to a text fact)."""
    text = text.strip()
    if not text:
        return None
    value: Any
    if spec.kind == "choice":
        value = parse_choice(spec, text)
    elif spec.kind == "number":
        value = parse_int(text)
    elif spec.kind == "money":
        value = parse_money(text)
    elif spec.kind == "yesno":
        value = parse_yesno(text)
    elif spec.kind == "date":
        value = parse_date(text, now=now, tz=tz)
    else:
        from bot.understanding.facts import looks_like_question  # lazy: it imports the playbooks

        if looks_like_question(text):
            return None
        choice = parse_choice(spec, text) if spec.choices and len(text) <= 20 else None
        value = choice if choice is not None else text[:500]
    return value if valid_value(spec, value) else None


def valid_value(spec: FactSpec, value: Any) -> bool:
    """Whether `value` fits the fact's kind (and its choices, for a choice fact)."""
    if value is None:
        return False
    if spec.kind == "choice":
        return any(c.value == value for c in spec.choices)
    if spec.kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 1e6
    if spec.kind == "money":
        return isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1e13
    if spec.kind == "yesno":
        return isinstance(value, bool) or value == UNKNOWN_VALUE
    if spec.kind == "date":
        try:
            date.fromisoformat(str(value))
        except ValueError:
            return False
        return True
    return isinstance(value, str) and bool(value.strip())


def read_answers(
    text: str, keys: list[str], kb: Knowledge, *, now: datetime | None = None, tz: str = "UTC"
) -> dict[str, Any]:
    """Facts found in `text` for the pending `keys`. A key's `extract` patterns are tried
    first, then (given `now`) the sentence reader of bot/understanding; with a single question
    pending, the whole text is its answer. `now` and `tz` let year-less and relative days be read."""
    found: dict[str, Any] = {}
    for key in keys:
        spec = kb.facts[key]
        for pattern in spec.extract:
            m = re.search(pattern, text, re.IGNORECASE)
            if m:
                raw = m.groupdict().get("value") or m.group(0)
                value = spec_value_from_match(spec, raw, now=now, tz=tz)
                if value is not None:
                    found[key] = value
                    break
    remaining = [k for k in keys if k not in found]
    if remaining and now is not None:
        # Whole sentences ("the issue is Copilot pricing, worth around 250k annually").
        from bot.understanding.facts import read_facts  # lazy: it imports the playbooks

        for fact in read_facts(text, kb, now=now, tz=tz):
            if fact.key in remaining and valid_value(kb.facts[fact.key], fact.value):
                found[fact.key] = fact.value
        remaining = [k for k in keys if k not in found]
    if len(keys) == 1 and remaining:
        value = parse_value(kb.facts[keys[0]], text, now=now, tz=tz)
        if value is not None:
            found[keys[0]] = value
    return found


def spec_value_from_match(spec: FactSpec, raw: str, *, now: datetime | None = None, tz: str = "UTC") -> Any:
    if spec.kind == "choice" and spec.choices:
        return parse_choice(spec, raw)
    return parse_value(spec, raw, now=now, tz=tz)


def describe(spec: FactSpec, value: Any) -> str:
    """A fact as a person reads it back."""
    if spec.kind == "choice":
        for c in spec.choices:
            if c.value == value:
                return c.label
    if spec.kind == "yesno" or value == UNKNOWN_VALUE:
        if value == UNKNOWN_VALUE:
            return "not sure"
        return "yes" if value is True else "no"
    if spec.kind == "money" and isinstance(value, int | float):
        return format_money(value)
    return str(value)


def format_money(amount: float) -> str:
    if amount >= 1e6:
        return f"${amount / 1e6:,.1f}M".replace(".0M", "M")
    if amount >= 1e3:
        return f"${amount / 1e3:,.0f}k"
    return f"${amount:,.0f}"
