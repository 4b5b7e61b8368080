"""A small date parser for meetings: today, tomorrow, weekday names, dates and times.

Pure: `now` and the user's time zone come in; the result is tz-aware UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.forms import MONTHS

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WD_SHORT = {w[:3]: i for i, w in enumerate(WEEKDAYS)} | {"tues": 1, "thur": 3, "thurs": 3}

_TIME = re.compile(
    r"\b(?:at\s+)?(?P<h>[01]?\d|2[0-3])(?::(?P<m>[0-5]\d))?\s*(?P<ap>am|pm|a\.m\.|p\.m\.)"
    r"|\b(?:at\s+)?(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)\b"
    r"|\b(?P<word>noon|midday)\b",
    re.IGNORECASE,
)
_WEEKDAY = re.compile(
    r"\b(?P<next>next\s+|this\s+)?(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"mon|tues|tue|wed|thurs|thur|thu|fri|sat|sun)(?:'s)?\b",
    re.IGNORECASE,
)
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DAY_MONTH = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]{3})[a-z]*\.?(?:\s+(\d{4}))?\b", re.IGNORECASE
)
_MONTH_DAY = re.compile(
    r"\b([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class When:
    at: datetime  # tz-aware UTC
    has_time: bool
    day_text: str


def zone(name: str | None) -> ZoneInfo:
    """The named IANA zone; UTC when it is missing or unknown (shared with bot/reminders)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def parse_day(text: str, today: date) -> tuple[date, str] | None:
    low = text.casefold()
    if re.search(r"\btoday\b|\btonight\b|\bthis (morning|afternoon|evening)\b", low):
        return today, "today"
    if re.search(r"\btomorrow\b", low):
        return today + timedelta(days=1), "tomorrow"
    if re.search(r"\bday after tomorrow\b", low):
        return today + timedelta(days=2), "the day after tomorrow"
    m = _ISO.search(low)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))), m.group(0)
        except ValueError:
            return None
    for rx, order in ((_DAY_MONTH, "dm"), (_MONTH_DAY, "md")):
        for m in rx.finditer(low):
            d, mo = (m.group(1), m.group(2)) if order == "dm" else (m.group(2), m.group(1))
            if mo[:3] not in MONTHS:
                continue
            year = int(m.group(3)) if m.group(3) else today.year
            try:
                found = date(year, MONTHS[mo[:3]], int(d))
            except ValueError:
                continue
            if not m.group(3) and found < today:
                found = found.replace(year=year + 1)
            return found, m.group(0)
    m = _WEEKDAY.search(low)
    if m:
        wd = m.group("wd")
        target = (
            WEEKDAYS.index(wd) if wd in WEEKDAYS else _WD_SHORT[wd[:4] if wd[:4] in _WD_SHORT else wd[:3]]
        )
        ahead = (target - today.weekday()) % 7
        if m.group("next") and m.group("next").strip() == "next" and ahead == 0:
            ahead = 7
        # "Monday" said on a Monday means today only with "this"; otherwise next week.
        if ahead == 0 and not (m.group("next") and m.group("next").strip() == "this"):
            ahead = 7
        return today + timedelta(days=ahead), WEEKDAYS[target].capitalize()
    return None


def parse_time(text: str) -> time | None:
    m = _TIME.search(text)
    if not m:
        return None
    if m.group("word"):
        return time(12, 0)
    if m.group("h24") is not None:
        return time(int(m.group("h24")), int(m.group("m24")))
    h = int(m.group("h"))
    if h > 12 or h == 0:
        return None
    ap = m.group("ap").replace(".", "").casefold()
    h = h % 12 + (12 if ap == "pm" else 0)
    return time(h, int(m.group("m") or 0))


def parse_when(text: str, now: datetime, tz: str | None = None, default_hour: int = 9) -> When | None:
    """When the user's words put a meeting, relative to `now` in the user's zone; None if no day."""
    z = zone(tz)
    local_now = now.astimezone(z)  # type: ignore[arg-type]
    day = parse_day(text, local_now.date())
    t = parse_time(text)
    if day is None:
        if t is None:
            return None
        # A time alone means today, or tomorrow if that time has passed.
        d = (
            local_now.date()
            if t > local_now.time().replace(tzinfo=None)
            else local_now.date() + timedelta(days=1)
        )
        day = (d, "today" if d == local_now.date() else "tomorrow")
    local = datetime.combine(day[0], t or time(default_hour, 0), tzinfo=z)  # type: ignore[arg-type]
    return When(local.astimezone(UTC), t is not None, day[1])
