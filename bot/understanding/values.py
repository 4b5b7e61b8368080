"""Typed values read from spans of text: amounts of money, counts, percentages, yes / no /
not sure, dates and times.

Pure and deterministic: the clock and the person's time zone come in. The fast readers are
regular expressions; dateparser is imported lazily and only asked about a span that plainly
names a day the regexes cannot place, because it is heavy to load and slow per call beside them
and most messages name no such day.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# --- not sure -------------------------------------------------------------------------------


class _Unknown:
    """The person said they don't know. Distinct from False ("no") and from None (nothing said)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:  # never mistaken for "yes"; test with `is UNKNOWN`
        return False


UNKNOWN: Final = _Unknown()
# How a form stores "not sure" (JSON-friendly; playbooks test facts with `is True` / `is False`).
UNKNOWN_VALUE: Final = "unknown"

_UNSURE = re.compile(
    r"\b(not (sure|certain|clear)|unsure|uncertain|no idea|no clue|dunno|don'?t know|do not know|"
    r"doesn'?t know|can'?t (say|tell)|hard to (say|tell)|unclear|unknown|tbd|tbc|to be (confirmed|decided)|"
    r"not known|maybe|perhaps|possibly|idk|who knows|no clue)\b",
    re.IGNORECASE,
)
_NO = re.compile(
    r"\b(no|nope|nah|not yet|not really|n|false|none|never|negative|haven'?t|hasn'?t|have not|has not|"
    r"don'?t|do not|doesn'?t|does not|isn'?t|is not|aren'?t|are not|not)\b",
    re.IGNORECASE,
)
_YES = re.compile(
    r"\b(yes|yep|yeah|yup|y|sure|agreed|aligned|done|true|correct|affirmative|we have|we do|they have|"
    r"they do|it is|absolutely|definitely|of course|indeed|set|in place)\b",
    re.IGNORECASE,
)


def read_yesno(text: str) -> bool | _Unknown | None:
    """True, False, UNKNOWN ("not sure", "no idea", "don't know yet"), or None (no answer)."""
    if _UNSURE.search(text):
        return UNKNOWN
    if _NO.search(text):
        return False
    if _YES.search(text):
        return True
    return None


# Words that may stand around "not sure" in a reply that says nothing else.
_UNSURE_FILLER = re.compile(
    r"\b(i'?m|i am|i|we'?re|we are|we|really|honestly|tbh|to be honest|sorry|hmm+|um+|uh+|erm|well|"
    r"yet|right now|at the moment|atm|either|about that|on that|still|just|so|ok|okay)\b|[^\w\s]",
    re.IGNORECASE,
)


def only_unsure(text: str) -> bool:
    """The whole message is "I don't know" ("not sure", "hmm, no idea tbh"): an answer, not a
    request, so with no question open it means nothing to act on (never "cancel")."""
    if not _UNSURE.search(text):
        return False
    rest = _UNSURE_FILLER.sub(" ", _UNSURE.sub(" ", text))
    return not rest.strip()


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN or value == UNKNOWN_VALUE


# --- number words ---------------------------------------------------------------------------

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip
SCALES = {"hundred": 100, "thousand": 1e3, "grand": 1e3, "million": 1e6, "billion": 1e9}
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}  # fmt: skip
# Counts said as one word or a fixed phrase.
IDIOMS = {"once": 1, "twice": 2, "thrice": 3, "a dozen": 12, "dozen": 12, "a couple of": 2, "a couple": 2}
_WORD = "|".join(sorted([*UNITS, *TENS], key=len, reverse=True))
_WORDS_RX = re.compile(
    rf"\b(?:(?:{_WORD})(?:[\s-](?:{_WORD}))?)(?:\s+(?:hundred)(?:\s+(?:and\s+)?(?:{_WORD})(?:[\s-](?:{_WORD}))?)?)?\b"
    rf"|\b(?:a\s+dozen|dozen|a\s+couple(?:\s+of)?|once|twice|thrice)\b",
    re.IGNORECASE,
)
_DIGITS_RX = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\w]|[.,]\d)")
_ORDINAL_RX = re.compile(
    r"\b(?:(\d{1,2})(?:st|nd|rd|th)|(" + "|".join(ORDINALS) + r"))\b",
    re.IGNORECASE,
)


def words_value(words: str) -> float | None:
    """ "twenty-two" → 22, "five hundred" → 500, "a dozen" → 12, "twice" → 2; None if not a number."""
    low = re.sub(r"\s+", " ", words.casefold().replace("-", " ")).strip()
    if low in IDIOMS:
        return IDIOMS[low]
    total = 0.0
    current = 0.0
    seen = False
    for w in low.split():
        if w in ("and", "a", "an"):
            current = current or (1 if w != "and" else 0)
            continue
        if w in UNITS:
            current += UNITS[w]
        elif w in TENS:
            current += TENS[w]
        elif w == "hundred":
            current = (current or 1) * 100
        elif w in SCALES:
            total += (current or 1) * SCALES[w]
            current = 0
        elif w == "half":
            current += 0.5
        elif w == "quarter":
            current += 0.25
        else:
            return None
        seen = True
    return total + current if seen else None


@dataclass(frozen=True, slots=True)
class Count:
    value: int
    span: tuple[int, int]


def read_counts(text: str) -> list[Count]:
    """Whole numbers in digits or words ("5", "five", "twenty-two", "a dozen", "twice")."""
    found: list[Count] = []
    for m in _DIGITS_RX.finditer(text):
        if m.group(2) is None:
            found.append(Count(int(m.group(1).replace(",", "")), m.span()))
    for m in _WORDS_RX.finditer(text):
        v = words_value(m.group(0))
        if v is not None and v == int(v):
            found.append(Count(int(v), m.span()))
    return sorted(found, key=lambda c: c.span)


def read_count(text: str) -> int | None:
    counts = read_counts(text)
    return counts[0].value if counts else None


def read_ordinal(text: str) -> Count | None:
    m = _ORDINAL_RX.search(text)
    if not m:
        return None
    return Count(int(m.group(1)) if m.group(1) else ORDINALS[m.group(2).casefold()], m.span())


# --- percentages ----------------------------------------------------------------------------

_PCT_RX = re.compile(
    rf"(?P<num>\d+(?:[.,]\d+)?|(?:{_WORD})(?:[\s-](?:{_WORD}))?)\s?(?:%|per\s?cent\b|pct\b|percent\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Percent:
    value: float
    span: tuple[int, int]


def read_percents(text: str) -> list[Percent]:
    """ "18 %", "18%", "18 percent", "eighteen per cent", "2.5 pct"."""
    out = []
    for m in _PCT_RX.finditer(text):
        raw = m.group("num")
        v = float(raw.replace(",", ".")) if raw[0].isdigit() else words_value(raw)
        if v is not None and 0 <= v <= 100:
            out.append(Percent(v, m.span()))
    return out


# --- money ----------------------------------------------------------------------------------

MULTIPLIERS: dict[str, float] = {
    "k": 1e3, "K": 1e3, "thousand": 1e3, "grand": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "mil": 1e6,
    "mill": 1e6, "mio": 1e6, "million": 1e6, "millions": 1e6, "milion": 1e6, "b": 1e9, "bn": 1e9,
    "billion": 1e9, "mrd": 1e9,
}  # fmt: skip
CURRENCIES = {
    "$": "USD", "usd": "USD", "us$": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP",
    "chf": "CHF", "cad": "CAD", "aud": "AUD", "nzd": "NZD", "sgd": "SGD",
    "a$": "AUD", "au$": "AUD", "nz$": "NZD", "c$": "CAD", "ca$": "CAD", "s$": "SGD", "hk$": "HKD",
}  # fmt: skip
# "A$2.1m", "NZ$ 900k", "C$1m": a dollar with its country's letters is one currency sign.
_CUR_PRE = r"(?P<pre>(?<![A-Za-z])(?:US|AU|A|NZ|CA|C|S|HK)\$|[$€£]|\b(?:USD|EUR|GBP|CHF|CAD|AUD|NZD|SGD)\b)"
_CUR_POST = r"(?P<post>[$€£](?!\s?\d)|\b(?:USD|EUR|GBP|CHF|CAD|AUD|dollars?|euros?|pounds?|bucks|quid)\b)"
_MULT = (
    r"(?P<mult>k|mm|mn|mil{1,2}(?:ion)?s?|milion|mio\.?|million|millions|thousand|grand|bn|b|billion|mrd|m)\b"
)
_NUM = (
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|\d{1,3}(?:\s\d{3})+(?!\d)"
    r"|\d+(?:[.,]\d+)?)"
)
_WORDNUM = rf"(?P<words>(?:half\s+an?|a\s+quarter(?:\s+of\s+an?)?|(?:{_WORD})\s+quarters\s+of\s+an?|an?"
_WORDNUM += rf"|(?:{_WORD})(?:[\s-](?:{_WORD}))?"
_WORDNUM += (
    rf"(?:\s+hundred(?:\s+(?:and\s+)?(?:{_WORD})(?:[\s-](?:{_WORD}))?)?)?)(?:\s+point\s+(?P<frac>{_WORD}))?)"
)
_SHORT_MULT = frozenset({"k", "m", "b", "mm", "mn", "bn"})
_MONEY_RX = re.compile(
    rf"(?<![\w.]){_CUR_PRE}?\s?(?:{_NUM}|{_WORDNUM})\s?(?:-?{_MULT})?(?:\s?{_CUR_POST})?",
    re.IGNORECASE,
)
_PER_YEAR = re.compile(
    r"^\s*(?:(?:a|per|/|each|every)\s*(?:year|yr|annum)\b|annual(?:ly)?\b|yearly\b|p\.?\s?a\.?(?!\w)"
    r"|pro\s+jahr\b|/\s?y\b)",
    re.IGNORECASE,
)
_PER_MONTH = re.compile(r"^\s*(?:(?:a|per|/|each|every)\s*(?:month|mo)\b|monthly\b|pm\b)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Money:
    amount: float  # per the period below; per year when `per_year` was converted
    currency: str | None  # "USD", "EUR", "GBP", ... or None when not said
    span: tuple[int, int]  # including a period phrase ("a year") right after it
    period: str | None  # "year", "month" or None
    explicit: bool  # a currency or a multiplier was said: plainly money, not a count

    @property
    def per_year(self) -> float:
        return self.amount * 12 if self.period == "month" else self.amount


def _number(raw: str, mult: str | None, dot_groups: bool = True) -> float | None:
    s = raw.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?", s):  # 1.200.000 or 1.200.000,50
        return float(s.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", s):
        return float(s.replace(",", ""))
    if not mult and dot_groups and re.fullmatch(r"\d{1,3}\.\d{3}", s):  # "200.000 €": a thousands point
        return float(s.replace(".", ""))
    if re.fullmatch(r"\d+,\d{1,2}", s):  # 1,2 Mio / 2,5m: a decimal comma
        return float(s.replace(",", "."))
    if re.fullmatch(r"\d+,\d+", s):
        return None
    return float(s)


def read_money(text: str) -> list[Money]:
    """Every amount in `text`: "$2.4M", "2.4 million dollars", "USD 1.2m", "€900k", "£75,000",
    "1,2 Mio €", "250k annually", "half a million", "1.5 mil", "twenty five thousand a month".
    A bare number with neither currency nor multiplier is kept with explicit=False."""
    out: list[Money] = []
    for m in _MONEY_RX.finditer(text):
        mult_raw = (m.group("mult") or "").casefold().rstrip(".")
        mult_key = mult_raw
        if mult_key.startswith("mil") and mult_key not in MULTIPLIERS:
            mult_key = "million"
        mult = MULTIPLIERS.get(mult_key) if mult_raw else None
        if m.group("words") is not None:
            if mult is None:
                continue  # "a", "five": only "half a million", "two point four million" are amounts
            if mult_raw in _SHORT_MULT:
                continue  # "or am i", "five k": a word number takes a word multiplier
            words = re.sub(r"\s+point\s+\w+$", "", m.group("words").casefold())
            words = re.sub(r"^(a|an)$", "one", words)
            if words.startswith("half"):
                base = 0.5
            elif words.startswith("a quarter"):
                base = 0.25
            elif " quarters of" in words:  # "three quarters of a million"
                n = words_value(words.split(" quarters of")[0])
                if n is None:
                    continue
                base = n * 0.25
            else:
                v = words_value(words)
                if v is None:
                    continue
                base = v
            if m.group("frac"):
                f = words_value(m.group("frac"))
                if f is None:
                    continue
                base += f / 10
            value = base
        else:
            # "$1.500" keeps its decimal point (dollars and pounds write decimals with a dot);
            # "600.000 €", "€ 900.000" and a bare "200.000" group thousands with it.
            pre = (m.group("pre") or "").casefold()
            v = _number(
                m.group("num"),
                mult_raw,
                dot_groups=CURRENCIES.get(pre) not in ("USD", "GBP", "AUD", "CAD", "NZD", "SGD", "HKD"),
            )
            if v is None:
                continue
            value = v
        if mult_raw == "m" and m.group("num") and value >= 1000 and not m.group("pre"):
            continue  # "2000m" is metres or minutes, not money
        amount = value * (mult or 1.0)
        cur_word = (m.group("pre") or m.group("post") or "").casefold()
        currency = CURRENCIES.get(cur_word)
        end = m.end()
        tail = text[end:]
        if mult_raw and re.match(r"\.\s", tail) and (_PER_YEAR.match(tail[1:]) or _PER_MONTH.match(tail[1:])):
            end, tail = end + 1, tail[1:]  # "€1,35 Mio. p.a.": the abbreviation's own dot
        period = None
        pm = _PER_YEAR.match(tail)
        if pm:
            period, end = "year", end + pm.end()
        else:
            pm = _PER_MONTH.match(tail)
            if pm:
                period, end = "month", end + pm.end()
        explicit = bool(currency or mult)
        if m.group("words") is not None and not explicit:
            continue
        out.append(Money(amount, currency, (m.start(), end), period, explicit))
    return out


def parse_money_text(text: str) -> float | None:
    """One amount from a short answer: the first plainly-money amount, else the first number."""
    found = read_money(text)
    for money in found:
        if money.explicit:
            return money.per_year
    return found[0].per_year if found else None


def format_money(amount: float) -> str:
    """$950, $250k, $1.2M: how an amount reads back in a reply."""
    if amount >= 1e6:
        return f"${amount / 1e6:,.1f}M".replace(".0M", "M")
    if amount >= 1e3:
        return f"${amount / 1e3:,.0f}k"
    return f"${amount:,.0f}"


# --- dates and times ------------------------------------------------------------------------

MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_MONTH = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DATE_RXS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<year>\d{4})-(?P<mon>\d{1,2})-(?P<day>\d{1,2})\b")),
    ("numeric", re.compile(r"\b(?P<a>\d{1,2})[/.](?P<b>\d{1,2})(?:[/.](?P<year>\d{4}|\d{2}))?\b(?![.,]?\d)")),
    ("end", re.compile(rf"\b(?:the\s+)?end\s+of\s+{_MONTH}(?:\s+{_YEAR})?\b", re.IGNORECASE)),
    ("dm", re.compile(rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b", re.IGNORECASE)),
    ("md", re.compile(rf"\b{_MONTH}\s+(?:the\s+)?{_DAY}\b(?:,?\s+{_YEAR})?", re.IGNORECASE)),
    ("my", re.compile(rf"\b(?:in\s+)?{_MONTH}\s+{_YEAR}\b", re.IGNORECASE)),
]
# Words that name a day the regexes above leave to dateparser.
_RELATIVE_CUE = re.compile(
    r"\b(today|tonight|tomorrow|tmrw|yesterday|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday|mon|tue|tues|wed|thu|thur|thurs|fri|"
    r"in (a|an|one|two|three|four|five|six|\d+) (day|days|week|weeks|month|months|fortnight)|"
    r"(a|one|two|three|\d+) (days?|weeks?) from (now|today)|day after tomorrow|the (\d{1,2})(st|nd|rd|th)\b)",
    re.IGNORECASE,
)
_TIME_RX = re.compile(
    r"\b(?:at\s+)?(?P<h>[01]?\d|2[0-3])(?:[:.](?P<m>[0-5]\d))?\s*(?P<ap>am|pm|a\.m\.|p\.m\.)"
    r"|\b(?:at\s+)?(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)\b"
    r"|\bat\s+(?P<hb>[01]?\d|2[0-3])[.](?P<mb>[0-5]\d)\b"
    r"|\b(?P<word>noon|midday|midnight)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class DateFound:
    day: date
    at: time | None  # a time of day when one was said
    span: tuple[int, int]
    said: str
    precision: str = "day"  # "day", or "month" when only a month was said (day is the 1st)


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """A date that reads two ways ("12/03"): ask which, never pick one."""

    said: str
    options: tuple[date, ...]
    span: tuple[int, int]


def zone(name: str | None) -> ZoneInfo:
    """The named IANA zone; UTC when missing or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_today(now: datetime, tz: str | None) -> date:
    return now.astimezone(zone(tz)).date() if now.tzinfo else now.date()


def read_time(text: str) -> tuple[time, tuple[int, int]] | None:
    """ "2pm", "3.30pm", "10:30 am", "14:45", "at 9.15", "noon"."""
    for m in _TIME_RX.finditer(text):
        if m.group("word"):
            return (time(0, 0) if m.group("word").casefold() == "midnight" else time(12, 0)), m.span()
        if m.group("h24") is not None:
            return time(int(m.group("h24")), int(m.group("m24"))), m.span()
        if m.group("hb") is not None:
            return time(int(m.group("hb")), int(m.group("mb"))), m.span()
        h = int(m.group("h"))
        if h > 12 or h == 0:
            continue
        ap = m.group("ap").replace(".", "").casefold()
        return time(h % 12 + (12 if ap == "pm" else 0), int(m.group("m") or 0)), m.span()
    return None


def _future(d_m: tuple[int, int], today: date, year: int | None) -> date | None:
    day, month = d_m
    if year is not None:
        try:
            return date(year, month, day)
        except ValueError:
            return None
    for y in (today.year, today.year + 1):
        try:
            found = date(y, month, day)
        except ValueError:
            continue
        if found >= today:
            return found
    return None


def _last_day(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def read_date(
    text: str,
    now: datetime,
    tz: str | None = "UTC",
    *,
    order: str | None = None,
    relative: bool = True,
) -> DateFound | Ambiguous | None:
    """The first day `text` names, in the person's zone, preferring the future.

    `order` is "DMY" or "MDY" when the person's locale is known; without it "12/03" is
    Ambiguous. None when no day is named or it cannot be read (never silently today).
    """
    today = local_today(now, tz)
    best: tuple[int, DateFound | Ambiguous] | None = None
    for kind, rx in _DATE_RXS:
        for m in rx.finditer(text):
            got = _from_match(kind, m, today, order)
            if got is not None and (best is None or m.start() < best[0]):
                best = (m.start(), got)
                break
    if best is None and relative and _RELATIVE_CUE.search(text):
        got = _dateparser_date(text, now, tz)
        if got is not None:
            best = (got.span[0], got)
    if best is None:
        return None
    found = best[1]
    if isinstance(found, DateFound) and found.at is None:
        t = read_time(text)
        if t is not None:
            found = DateFound(found.day, t[0], found.span, found.said, found.precision)
    return found


_DAY_BEFORE = re.compile(r"\b(?:on|by|until|till|before|after|from)\s+(?:the\s+)?$", re.IGNORECASE)


def _dotted_day(m: re.Match[str], a: int, b: int) -> bool:
    """ "on 31.03": a day and month with a dot and no year, read day first, only after "on",
    "by", "until" ... and only when it can't be a time or an amount (day 13-31, month 01-12)."""
    parts = m.group(0).split(".")
    return (
        len(parts) == 2
        and len(parts[1]) == 2
        and 12 < a <= 31
        and 1 <= b <= 12
        and bool(_DAY_BEFORE.search(m.string[: m.start()]))
    )


def _from_match(kind: str, m: re.Match[str], today: date, order: str | None) -> DateFound | Ambiguous | None:
    said = m.group(0)
    span = m.span()
    year = None
    if m.groupdict().get("year"):
        y = m.group("year")
        year = int(y) + 2000 if len(y) == 2 else int(y)
    if kind == "iso":
        try:
            return DateFound(
                date(int(m.group("year")), int(m.group("mon")), int(m.group("day"))), None, span, said
            )
        except ValueError:
            return None
    if kind == "numeric":
        a, b = int(m.group("a")), int(m.group("b"))
        if m.group("year") is None and "." in said and not _dotted_day(m, a, b):
            return None  # "3.30" is a time, "2.4" an amount
        readings: list[date] = []
        orders = [order] if order in ("DMY", "MDY") else ["DMY", "MDY"]
        for o in orders:
            d, mo = (a, b) if o == "DMY" else (b, a)
            if 1 <= mo <= 12:
                found = _future((d, mo), today, year)
                if found is not None and found not in readings:
                    readings.append(found)
        if not readings:
            return None
        if len(readings) > 1:
            return Ambiguous(said, tuple(readings), span)
        return DateFound(readings[0], None, span, said)
    month = MONTHS.get(m.group("mon")[:3].casefold())
    if month is None:
        return None
    if kind == "end":
        y = year if year is not None else (today.year if month >= today.month else today.year + 1)
        return DateFound(_last_day(y, month), None, span, said)
    if kind == "my":
        return DateFound(date(year, month, 1), None, span, said, "month")  # type: ignore[arg-type]
    found = _future((int(m.group("day")), month), today, year)
    return DateFound(found, None, span, said) if found is not None else None


_DP_LOCK = threading.Lock()
_DP: Any = None
_ORDINAL_DAY = re.compile(r"\b(?:on\s+)?the\s+(\d{1,2})(?:st|nd|rd|th)\b", re.IGNORECASE)


def warm_dates() -> None:
    """Import dateparser and run it once (its first call loads language data)."""
    global _DP
    if _DP is not None:
        return
    with _DP_LOCK:
        if _DP is None:
            import dateparser

            dateparser.parse(
                "in two weeks", languages=["en"], settings={"RELATIVE_BASE": datetime(2026, 1, 1)}
            )
            _DP = dateparser


_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WD = {w[:3]: i for i, w in enumerate(_WEEKDAYS)} | {"tues": 1, "thur": 3, "thurs": 3}
_SIMPLE_DAY = re.compile(
    r"\b(?:(?P<today>today|tonight|this (?:morning|afternoon|evening))|(?P<dat>(?:the )?day after tomorrow)"
    r"|(?P<tomorrow>tomorrow|tmrw)"
    r"|(?P<rel>this|next|on|coming)?\s*(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"mon|tues|tue|wed|thurs|thur|thu|fri)(?:'s)?"
    r"|in\s+(?P<n>a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+(?P<unit>days?|weeks?)"
    r"|(?P<n2>a|one|two|three|four|\d{1,2})\s+(?P<unit2>days?|weeks?)\s+from\s+(?:now|today)"
    r"|in\s+a\s+fortnight)\b",
    re.IGNORECASE,
)


def _simple_relative(text: str, today: date) -> DateFound | None:
    """today, tomorrow, weekdays ("this Monday", "next Friday"), "in two weeks", "3 days from now"."""
    m = _SIMPLE_DAY.search(text)
    if not m:
        return None
    g = m.groupdict()
    if g["today"]:
        day = today
    elif g["dat"]:
        day = today + timedelta(days=2)
    elif g["tomorrow"]:
        day = today + timedelta(days=1)
    elif g["wd"]:
        wd = g["wd"].casefold()
        target = _WEEKDAYS.index(wd) if wd in _WEEKDAYS else _WD[wd[:4] if wd[:4] in _WD else wd[:3]]
        ahead = (target - today.weekday()) % 7
        # "Monday" said on a Monday means today only with "this"; otherwise next week.
        if ahead == 0 and (g["rel"] or "").casefold() != "this":
            ahead = 7
        day = today + timedelta(days=ahead)
    else:
        raw = (g["n"] or g["n2"] or "two").casefold()
        n = int(raw) if raw.isdigit() else int(words_value(raw) or 1)
        unit = (g["unit"] or g["unit2"] or "weeks").casefold()
        if "fortnight" in m.group(0).casefold():
            n, unit = 2, "weeks"
        day = today + timedelta(days=n * (7 if unit.startswith("week") else 1))
    return DateFound(day, None, m.span(), m.group(0))


def _dateparser_date(text: str, now: datetime, tz: str | None) -> DateFound | None:
    today = local_today(now, tz)
    m = _ORDINAL_DAY.search(text)
    if m:  # "on the 3rd": the next 3rd of a month
        day = int(m.group(1))
        for step in range(3):
            y, mo = today.year + (today.month - 1 + step) // 12, (today.month - 1 + step) % 12 + 1
            try:
                found = date(y, mo, day)
            except ValueError:
                continue
            if found >= today:
                return DateFound(found, None, m.span(), m.group(0))
        return None
    simple = _simple_relative(text, today)
    if simple is not None:
        return simple
    cue = _RELATIVE_CUE.search(text)
    if cue is None:
        return None
    warm_dates()
    # The phrase from the cue on (dateparser reads chatter around it badly), longest first.
    words = text[cue.start() :].split()
    for k in range(min(len(words), 5), 0, -1):
        candidate = " ".join(words[:k]).strip(",.;!?")
        got = _dp_parse(candidate, now, tz)
        if got is not None:
            return DateFound(got.date(), None, (cue.start(), cue.start() + len(candidate)), candidate)
    return None


def _dp_parse(phrase: str, now: datetime, tz: str | None) -> datetime | None:
    local_now = now.astimezone(zone(tz)).replace(tzinfo=None) if now.tzinfo else now
    try:
        return _DP.parse(
            phrase,
            languages=["en"],
            settings={
                "RELATIVE_BASE": local_now,
                "PREFER_DATES_FROM": "future",
                "RETURN_AS_TIMEZONE_AWARE": False,
                "STRICT_PARSING": False,
                "REQUIRE_PARTS": [],
            },
        )
    except (ValueError, OverflowError):
        return None


# --- when something already happened ------------------------------------------------------
_AGO = re.compile(
    r"\b(?:about |around |roughly |some |maybe |over |nearly |almost )?"
    r"(?P<n>an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a couple of|a few|\d{1,3})"
    r"\s+(?P<unit>day|week|month)s?\s+(?:ago|back)\b",
    re.IGNORECASE,
)
_LAST = re.compile(r"\blast (?P<unit>week|month)\b|\bthe other day\b|\byesterday\b", re.IGNORECASE)
_PAST_WEEKDAY = re.compile(
    r"\b(?:on |last )(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.IGNORECASE
)
_VAGUE = {"a": 1, "an": 1, "a few": 3}  # counts read_count leaves to the sentence around them
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30}
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def read_past_moment(text: str, now: datetime, tz: str | None = "UTC") -> datetime | None:
    """When something said in the past tense happened: "about a month ago", "last week",
    "yesterday", "on Tuesday", "on 3 November". Never in the future; None when not said."""
    m = _AGO.search(text)
    if m:
        word = m.group("n").casefold()
        count = _VAGUE.get(word) or read_count(word) or 1
        return now - timedelta(days=count * _UNIT_DAYS[m.group("unit").casefold()])
    m = _LAST.search(text)
    if m:
        word = m.group(0).casefold()
        if word == "yesterday":
            return now - timedelta(days=1)
        if word == "the other day":
            return now - timedelta(days=2)
        return now - timedelta(days=_UNIT_DAYS[m.group("unit").casefold()])
    m = _PAST_WEEKDAY.search(text)
    if m:
        today = local_today(now, tz)
        back = (today.weekday() - _WEEKDAYS.index(m.group("wd").casefold())) % 7 or 7
        return now - timedelta(days=back)
    found = read_date(text, now, tz, relative=False)
    if isinstance(found, DateFound):
        day = found.day
        today = local_today(now, tz)
        if day > today:  # "on 3 November" said in passing about the past: the last one
            try:
                day = day.replace(year=day.year - 1)
            except ValueError:
                return None
        return now - timedelta(days=(today - day).days)
    return None


# --- terms: "over three years", "on a 3y term", "for the five-year term" ----------------------

_TERM_RX = re.compile(
    r"\b(?:over|across|for|on|in|during)\s+(?:the\s+|a\s+|an\s+|our\s+)?(?:whole\s+|full\s+|entire\s+|new\s+)?"
    rf"(?P<n>\d{{1,2}}|{'|'.join(UNITS)})[\s-]*(?:years?|yrs?|y)\b(?:\s+(?:term|deal|agreement|contract))?",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Term:
    years: int
    span: tuple[int, int]


def read_term(text: str) -> Term | None:
    """The first term in years an amount is said over: "over three years", "over the three-year
    term", "on a 3y term", "for 3 yrs" → 3. Only 1 to 10 years; None when not said."""
    m = _TERM_RX.search(text)
    if m is None:
        return None
    raw = m.group("n").casefold()
    years = int(raw) if raw.isdigit() else UNITS.get(raw)
    if years is None or not 1 <= years <= 10:
        return None
    return Term(years, m.span())


# --- repeats: "three times now", "for the fourth time", "twice already" -----------------------

_REPEATS_RX = re.compile(
    rf"\b(?:for\s+the\s+(?P<ord>{'|'.join(ORDINALS)}|\d{{1,2}}(?:st|nd|rd|th))\s+time"
    rf"|(?P<n>\d{{1,2}}|{'|'.join(UNITS)})\s+(?:separate\s+|different\s+)?times"
    rf"|(?P<idiom>twice|thrice))\b",
    re.IGNORECASE,
)


def read_repeats(text: str) -> int | None:
    """How many times something was said, when the text tells: "three times now", "for the
    fourth time", "twice already" → 3, 4, 2; None when it doesn't ("again" gives no count)."""
    m = _REPEATS_RX.search(text)
    if m is None:
        return None
    if m.group("ord"):
        raw = m.group("ord").casefold()
        n = int(raw[:-2]) if raw[0].isdigit() else ORDINALS[raw]
    elif m.group("n"):
        raw = m.group("n").casefold()
        n = int(raw) if raw.isdigit() else UNITS[raw]
    else:
        n = IDIOMS[m.group("idiom").casefold()]
    return n if 1 <= n <= 20 else None


# --- how long something has run: "four months in", "since February" ---------------------------

_IN_FOR = re.compile(
    rf"\b(?P<n>\d{{1,2}}|{'|'.join(UNITS)}|a|an|a couple of|a few)\s+(?P<unit>day|week|month|year)s?\s+in\b"
    r"(?!\s+(?:to|the|a|an|our|their|total|all|advance|writing)\b)",
    re.IGNORECASE,
)
_SINCE_MONTH = re.compile(rf"\bsince\s+(?:early\s+|late\s+|mid[- ]?)?{_MONTH}\b(?!\s+\d)", re.IGNORECASE)
_SINCE_DAY = re.compile(r"\bsince\b", re.IGNORECASE)


def read_since(text: str, now: datetime, tz: str | None = "UTC") -> DateFound | None:
    """When something that still runs started: "four months in" (now less four months), "since
    February" (the last 1 February), "since 3 November", "opened talks last Tuesday" (the words
    after the start verb, read as a moment in the past). Never in the future; None if not said."""
    today = local_today(now, tz)
    m = _IN_FOR.search(text)
    if m:
        raw = m.group("n").casefold()
        n = _VAGUE.get(raw) or (2 if raw.startswith("a couple") else None) or read_count(raw)
        if not n:
            return None
        days = n * {"day": 1, "week": 7, "month": 30, "year": 365}[m.group("unit").casefold()]
        return DateFound(today - timedelta(days=days), None, m.span(), m.group(0), "day")
    m = _SINCE_MONTH.search(text)
    if m:
        month = MONTHS.get(m.group("mon")[:3].casefold())
        if month is None:
            return None
        year = today.year if month <= today.month else today.year - 1
        return DateFound(date(year, month, 1), None, m.span(), m.group(0), "month")
    m = _SINCE_DAY.search(text)
    if m:
        moment = read_past_moment(text[m.end() :], now, tz)
        if moment is not None:
            day = moment.astimezone(zone(tz)).date() if moment.tzinfo else moment.date()
            return DateFound(day, None, (m.start(), len(text)), text[m.start() :].strip(), "day")
    return None
