"""Dates, times and durations: "15 December", "next Friday", "12/03" (ambiguous without a
locale), "about a month ago", "over three years", "four months in", "since February".

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
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.patterns import compiled
from bot.understanding.numbers import UNITS, read_count, words_value

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
    # "the end of December next year": the year said in words counts too
    (
        "end",
        re.compile(
            rf"\b(?:the\s+)?(?:end|last\s+day)\s+of\s+{_MONTH}(?:\s+{_YEAR}|\s+(?P<rel>next|this)\s+year)?\b",
            re.IGNORECASE,
        ),
    ),
    ("dm", re.compile(rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b", re.IGNORECASE)),
    ("md", re.compile(rf"\b{_MONTH}\s+(?:the\s+)?{_DAY}\b(?:,?\s+{_YEAR})?", re.IGNORECASE)),
    ("my", re.compile(rf"\b(?:in\s+)?{_MONTH}\s+{_YEAR}\b", re.IGNORECASE)),
]
# A month said alone, for a date fact that ends in it ("our agreement is up in June"): the next
# such month. Only asked for (read_date(month_alone=True)): "in May" in passing is no date.
_MONTH_ALONE = compiled(
    rf"\b(?:in|by|until|till|through|thru|around|come)\s+(?:early\s+|mid[- ]?|late\s+)?"
    rf"{_MONTH}(?!\s*\d)(?![a-z])",
    re.IGNORECASE,
)
# A count of days, weeks or months ahead: "in fourteen months", "six weeks from today".
_COUNT = rf"(?:a|an|a couple of|\d{{1,2}}|{'|'.join(sorted(UNITS, key=len, reverse=True))})"
# Words that name a day the regexes above leave to dateparser.
_RELATIVE_CUE = compiled(
    r"\b(today|tonight|tomorrow|tmrw|yesterday|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday|mon|tue|tues|wed|thu|thur|thurs|fri|"
    rf"in {_COUNT} (day|days|week|weeks|month|months|fortnights?)|"
    rf"{_COUNT} (days?|weeks?|months?|fortnights?)(?:'|'s)? (from (now|today)|today|time|out|away)|"
    r"day after tomorrow|the (\d{1,2})(st|nd|rd|th)\b)",
    re.IGNORECASE,
)
_TIME_RX = compiled(
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
    month_alone: bool = False,
) -> DateFound | Ambiguous | None:
    """The first day `text` names, in the person's zone, preferring the future.

    `order` is "DMY" or "MDY" when the person's locale is known; without it "12/03" is
    Ambiguous. None when no day is named or it cannot be read (never silently today). With
    `month_alone`, a month said without a day or year ("up in June") is the next such month.
    """
    today = local_today(now, tz)
    best: tuple[int, DateFound | Ambiguous] | None = None
    for kind, rx in _DATE_RXS:
        for m in rx.finditer(text):
            got = _from_match(kind, m, today, order)
            if got is not None and (best is None or m.start() < best[0]):
                best = (m.start(), got)
                break
    if best is None and month_alone:
        m = _MONTH_ALONE.search(text)
        month = MONTHS.get(m.group("mon")[:3].casefold()) if m else None
        if m and month:
            year = today.year if month >= today.month else today.year + 1
            best = (m.start(), DateFound(date(year, month, 1), None, m.span(), m.group(0), "month"))
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


_DAY_BEFORE = compiled(r"\b(?:on|by|until|till|before|after|from)\s+(?:the\s+)?$", re.IGNORECASE)


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
        rel = (m.groupdict().get("rel") or "").casefold()
        if year is None and rel:
            year = today.year + 1 if rel == "next" else today.year
        y = year if year is not None else (today.year if month >= today.month else today.year + 1)
        return DateFound(_last_day(y, month), None, span, said)
    if kind == "my":
        return DateFound(date(year, month, 1), None, span, said, "month")  # type: ignore[arg-type]
    found = _future((int(m.group("day")), month), today, year)
    return DateFound(found, None, span, said) if found is not None else None


_DP_LOCK = threading.Lock()
_DP: Any = None
_ORDINAL_DAY = compiled(r"\b(?:on\s+)?the\s+(\d{1,2})(?:st|nd|rd|th)\b", re.IGNORECASE)


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
_SIMPLE_DAY = compiled(
    r"\b(?:(?P<today>today|tonight|this (?:morning|afternoon|evening))|(?P<dat>(?:the )?day after tomorrow)"
    r"|(?P<tomorrow>tomorrow|tmrw)"
    r"|(?P<rel>this|next|on|coming)?\s*(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"mon|tues|tue|wed|thurs|thur|thu|fri)(?:'s)?"
    rf"|in\s+(?P<n>{_COUNT})\s+(?P<unit>days?|weeks?|months?|fortnights?)"
    # "six weeks from today", "a week today" (British: a week from today), "five months out"
    rf"|(?P<n2>{_COUNT})\s+(?P<unit2>days?|weeks?|months?|fortnights?)(?:'|'s)?\s+"
    r"(?:from\s+(?:now|today)|today|time|out|away))\b",
    re.IGNORECASE,
)


def add_months(day: date, n: int) -> date:
    """The same day n months on; the month's last day when it has no such day (31 Jan + 1 → 28 Feb)."""
    y, m = divmod(day.month - 1 + n, 12)
    year, month = day.year + y, m + 1
    last = _last_day(year, month)
    return min(date(year, month, 1) + timedelta(days=day.day - 1), last)


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
        raw = re.sub(r"\s+", " ", (g["n"] or g["n2"] or "two").casefold())
        n = int(raw) if raw.isdigit() else 2 if raw == "a couple of" else int(words_value(raw) or 1)
        unit = (g["unit"] or g["unit2"] or "weeks").casefold()
        if unit.startswith("fortnight"):
            n, unit = 2 * n, "weeks"
        day = (
            add_months(today, n)
            if unit.startswith("month")
            else today + timedelta(days=n * (7 if unit.startswith("week") else 1))
        )
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
_AGO = compiled(
    r"\b(?:about |around |roughly |some |maybe |over |nearly |almost )?"
    r"(?P<n>an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a couple of|a few|\d{1,3})"
    r"\s+(?P<unit>day|week|month)s?\s+(?:ago|back)\b",
    re.IGNORECASE,
)
_LAST = compiled(r"\blast (?P<unit>week|month)\b|\bthe other day\b|\byesterday\b", re.IGNORECASE)
_PAST_WEEKDAY = compiled(
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

_TERM_RX = compiled(
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


# --- how long something has run: "four months in", "since February" ---------------------------

_IN_FOR = compiled(
    rf"\b(?P<n>\d{{1,2}}|{'|'.join(UNITS)}|a|an|a couple of|a few)\s+(?P<unit>day|week|month|year)s?\s+in\b"
    r"(?!\s+(?:to|the|a|an|our|their|total|all|advance|writing)\b)",
    re.IGNORECASE,
)
_SINCE_MONTH = compiled(rf"\bsince\s+(?:early\s+|late\s+|mid[- ]?)?{_MONTH}\b(?!\s+\d)", re.IGNORECASE)
_SINCE_DAY = compiled(r"\bsince\b", re.IGNORECASE)


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
