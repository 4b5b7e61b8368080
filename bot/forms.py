"""Reading form answers: pull the facts a form asked for out of what the person typed.

Pure functions. One reply may answer several questions at once ("2 rounds, finance yes,
about $300k a year"); what cannot be read is asked again.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.knowledge import FactSpec, Knowledge

_MONEY = re.compile(
    r"(?P<cur>[$€£])?\s*(?P<num>\d{1,3}(?:[,\s]\d{3})+|\d+(?:\.\d+)?)\s*(?P<mult>k|m|mm|bn|b|thousand|million|billion)?\b",
    re.IGNORECASE,
)
_MULT = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9}
_INT = re.compile(r"(?<![\d.])(\d{1,6})(?![\d.])")
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
_YES = re.compile(r"\b(yes|yep|yeah|y|agreed|aligned|done|true|we have|we do)\b", re.IGNORECASE)
_NO = re.compile(r"\b(no|nope|not yet|n|false|not|haven't|have not|don't|do not)\b", re.IGNORECASE)
MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}


def parse_money(text: str) -> float | None:
    best: float | None = None
    for m in _MONEY.finditer(text):
        num = float(re.sub(r"[,\s]", "", m.group("num")))
        mult = _MULT.get((m.group("mult") or "").casefold(), 1.0)
        if m.group("cur") or m.group("mult"):
            return num * mult
        if best is None:
            best = num * mult
    return best


def parse_int(text: str) -> int | None:
    m = _INT.search(text)
    if m:
        return int(m.group(1))
    low = text.casefold()
    for word, n in _WORD_NUMBERS.items():
        if re.search(rf"\b{word}\b", low):
            return n
    return None


def parse_yesno(text: str) -> bool | None:
    if _NO.search(text):
        return False
    if _YES.search(text):
        return True
    return None


def parse_date(text: str) -> str | None:
    """ISO (2027-06-30), day month year (30 June 2027), month year (June 2027 → the 1st)."""
    m = re.search(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", text)
    if m:
        y, mo, d = map(int, m.groups())
    else:
        m = re.search(r"\b(\d{1,2})\s+([a-z]{3})[a-z]*\.?\s+(\d{4})\b", text, re.IGNORECASE)
        if m and m.group(2).casefold() in MONTHS:
            d, mo, y = int(m.group(1)), MONTHS[m.group(2).casefold()], int(m.group(3))
        else:
            m = re.search(r"\b([a-z]{3})[a-z]*\.?\s+(\d{1,2})?,?\s*(\d{4})\b", text, re.IGNORECASE)
            if not m or m.group(1).casefold() not in MONTHS:
                return None
            mo, d, y = MONTHS[m.group(1).casefold()], int(m.group(2) or 1), int(m.group(3))
    try:
        return date(y, mo, d).isoformat()
    except ValueError:
        return None


def parse_choice(spec: FactSpec, text: str) -> Any:
    low = text.casefold()
    for choice in spec.choices:
        words = [choice.label, str(choice.value), *choice.synonyms]
        for w in words:
            if re.search(rf"(?<!\w){re.escape(w.casefold())}(?!\w)", low):
                return choice.value
    return None


def parse_value(spec: FactSpec, text: str) -> Any:
    text = text.strip()
    if not text:
        return None
    if spec.kind == "choice":
        return parse_choice(spec, text)
    if spec.kind == "number":
        return parse_int(text)
    if spec.kind == "money":
        return parse_money(text)
    if spec.kind == "yesno":
        return parse_yesno(text)
    if spec.kind == "date":
        return parse_date(text)
    return text[:500]


def read_answers(text: str, keys: list[str], kb: Knowledge) -> dict[str, Any]:
    """Facts found in `text` for the pending `keys`. A key's `extract` patterns are tried
    first; with a single question pending, the whole text is its answer."""
    found: dict[str, Any] = {}
    for key in keys:
        spec = kb.facts[key]
        for pattern in spec.extract:
            m = re.search(pattern, text, re.IGNORECASE)
            if m:
                raw = m.groupdict().get("value") or m.group(0)
                value = spec_value_from_match(spec, raw)
                if value is not None:
                    found[key] = value
                    break
    remaining = [k for k in keys if k not in found]
    if len(keys) == 1 and remaining:
        value = parse_value(kb.facts[keys[0]], text)
        if value is not None:
            found[keys[0]] = value
    return found


def spec_value_from_match(spec: FactSpec, raw: str) -> Any:
    if spec.kind == "choice" and spec.choices:
        return parse_choice(spec, raw)
    return parse_value(spec, raw)


def describe(spec: FactSpec, value: Any) -> str:
    """A fact as a person reads it back."""
    if spec.kind == "choice":
        for c in spec.choices:
            if c.value == value:
                return c.label
    if spec.kind == "yesno":
        return "yes" if value else "no"
    if spec.kind == "money" and isinstance(value, int | float):
        return format_money(value)
    return str(value)


def format_money(amount: float) -> str:
    if amount >= 1e6:
        return f"${amount / 1e6:,.1f}M".replace(".0M", "M")
    if amount >= 1e3:
        return f"${amount / 1e3:,.0f}k"
    return f"${amount:,.0f}"
