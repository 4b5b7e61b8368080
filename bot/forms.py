"""Reading form answers: pull the facts a form asked for out of what the person typed.

Pure functions. One reply may answer several questions at once ("2 rounds, finance yes,
about $300k a year"); what cannot be read is asked again.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from bot.knowledge import FactSpec, Knowledge, register_section

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


# --- answers a form can trust ------------------------------------------------------------
# A form must never swallow the next message: a question or a command is not an answer, and a
# value is stored only when it fits the fact's kind and offered choices.


class FormWording(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    back: str
    resumed: str
    dropped: str
    unreadable: str
    not_a_question: str


register_section("forms", "topics", TypeAdapter(dict[str, str]).validate_python)
register_section("forms", "default_topic", TypeAdapter(str).validate_python)
register_section("forms", "wording", FormWording)

_QUESTION_START = re.compile(
    r"^\s*(can|could|should|shall|may|might|must|what|what's|whats|how|who|whom|whose|when|where|why|"
    r"which|is|are|am|do|does|did|will|would|have|has|had|any|ok to|okay to)\b",
    re.IGNORECASE,
)


def looks_like_question(text: str) -> bool:
    """ "can I tell the CSM our budget?", "what about Copilot" — never a fact's value."""
    t = text.strip()
    return t.endswith("?") or bool(_QUESTION_START.match(t))


def topic(kb: Knowledge, resume: dict[str, Any]) -> str:
    topics: dict[str, str] = kb.section("forms.topics")
    return topics.get(str(resume.get("intent", "")), kb.section("forms.default_topic"))


def wording(kb: Knowledge) -> FormWording:
    return kb.section("forms.wording")


_NUMBER_ONLY = re.compile(
    r"^\s*(about |around |roughly |maybe |~)?(?P<n>\d{1,4}|[a-z]+(?: [a-z]+)?)\s*"
    r"(rounds?|times|meetings?|years?|yrs?|%|percent|per cent)?\s*[.!]*\s*$",
    re.IGNORECASE,
)
_YES_ONLY = re.compile(
    r"^\s*(yes|yep|yeah|y|sure|correct|agreed|true|we have|we do|they have|they do)\s*[.!]*$", re.IGNORECASE
)
_NO_ONLY = re.compile(
    r"^\s*(no|nope|n|not yet|false|we haven't|we have not|we don't|they haven't|none)\s*[.!]*$", re.IGNORECASE
)
_MONEY_MARK = re.compile(
    r"[$€£]|\d\s*(k|m|mm|bn|b|thousand|million|billion)\b|\b(usd|eur|gbp)\b", re.IGNORECASE
)


def strict_value(spec: FactSpec, text: str) -> Any:
    """The whole short reply as a value of this fact's kind, or None: "3" is a number, "$2.4M"
    money, "not yet" a no. Free text never passes here, so several open questions can share
    one short reply without guessing."""
    t = text.strip()
    offered = _offered_choice(spec, t)
    if offered is not None or spec.kind == "choice":
        return offered
    if spec.kind == "number":
        m = _NUMBER_ONLY.match(t)
        return parse_int(m.group("n")) if m else None
    if spec.kind == "money":
        return parse_money(t) if _MONEY_MARK.search(t) and len(t.split()) <= 5 else None
    if spec.kind == "yesno":
        return True if _YES_ONLY.match(t) else False if _NO_ONLY.match(t) else None
    if spec.kind == "date":
        return parse_date(t) if len(t.split()) <= 5 else None
    return None


def _offered_choice(spec: FactSpec, text: str) -> Any:
    low = text.casefold().strip(" .!")
    for choice in spec.choices:
        if low in {w.casefold() for w in (choice.label, str(choice.value), *choice.synonyms)}:
            return choice.value
    return None


def read_short_answer(text: str, keys: list[str], kb: Knowledge) -> dict[str, Any]:
    """With several questions open, a short reply answers the first question (in asking order)
    that it fits: an offered choice first, then a value of the question's kind."""
    if len(text.split()) > 5:
        return {}
    for key in keys:
        value = _offered_choice(kb.facts[key], text)
        if value is not None:
            return {key: value}
    for key in keys:
        value = strict_value(kb.facts[key], text)
        if value is not None:
            return {key: value}
    return {}


_LOOSE_INT = re.compile(
    r"(?<![\d.,$€£])(\d{1,4})(?![\d.,]|\s*(?:%|percent|per cent|k\b|m\b|mm\b|million|bn\b))", re.IGNORECASE
)


def _loose_value(spec: FactSpec, text: str) -> Any:
    """A longer reply to the one open question: "3 so far", "about $300k a year". A count is
    never read from a percentage or an amount, and money needs a currency, a multiplier or
    four digits, so "we need 20% off" answers neither."""
    if spec.kind == "number":
        m = _LOOSE_INT.search(text)
        return int(m.group(1)) if m else parse_int(text) if not re.search(r"\d", text) else None
    if spec.kind == "money":
        value = parse_money(text)
        if value is None or not (_MONEY_MARK.search(text) or value >= 1000):
            return None
        return value
    return parse_value(spec, text)


def read_form_answers(text: str, keys: list[str], kb: Knowledge, *, free_text: bool = True) -> dict[str, Any]:
    """The answers to the open questions `keys` in what the person typed. A question is never
    a fact's value; free text answers an open text question only when `free_text` (the
    person has not turned to something else) and the fact takes free text."""
    question = looks_like_question(text)
    found: dict[str, Any] = {}
    for key in keys:
        spec = kb.facts[key]
        if question and spec.kind == "text":
            continue
        for pattern in spec.extract:
            m = re.search(pattern, text, re.IGNORECASE)
            if m:
                value = spec_value_from_match(spec, m.groupdict().get("value") or m.group(0))
                if value is not None:
                    found[key] = value
                    break
    if found:
        return found
    if len(keys) > 1:
        found = read_short_answer(text, keys, kb)
        free = [k for k in keys if kb.facts[k].kind == "text" and kb.facts[k].free_text]
        if found or len(free) != 1 or question or not free_text:
            return found
        keys = free  # the one open question that takes words answers a longer reply
    if not keys:
        return {}
    spec = kb.facts[keys[0]]
    value = strict_value(spec, text)
    if value is None and not question:
        if spec.kind != "text":
            value = _loose_value(spec, text)
        elif free_text and spec.free_text:
            value = text.strip()[:500] or None
    return {keys[0]: value} if value is not None else {}
