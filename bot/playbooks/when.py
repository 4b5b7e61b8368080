"""When a meeting is: today, tomorrow, weekdays, dates, "in two weeks", "on the 3rd", and times.

Pure: `now` and the user's time zone come in; the result is tz-aware UTC. A day that reads two
ways ("12/03") or not at all comes back as AskBack, for the skill to ask which day is meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.understanding.values import Ambiguous, DateFound, read_date, read_time
from bot.understanding.values import zone as zone  # shared with bot/reminders

# A day was named but not one we can place ("next week", "on the 31st", "13/14"): ask, never guess.
_DAYISH = re.compile(
    r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b\d{1,2}\.\d{1,2}\.\d{2,4}\b|\b\d{1,2}(?:st|nd|rd|th)\b|"
    r"\bnext (?:week|month)\b|\bin \w+ months?\b|\b(?:january|february|march|april|june|july|august|"
    r"september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class When:
    at: datetime  # tz-aware UTC
    has_time: bool
    day_text: str


@dataclass(frozen=True, slots=True)
class AskBack:
    """The words name a day that reads two ways ("12/03") or not at all: the caller asks which."""

    said: str
    options: tuple[date, ...]  # empty when the day could not be read at all
    at: time | None  # the time, if one was said


def parse_day(text: str, today: date) -> tuple[date, str] | None:
    """The day `text` names, relative to `today` (future first); None if none or ambiguous."""
    found = read_date(text, datetime.combine(today, time(12)), None)
    if not isinstance(found, DateFound):
        return None
    return found.day, found.said


def parse_time(text: str) -> time | None:
    """ "2pm", "3.30pm", "10:30 am", "14:45", "at 9.15", "noon"."""
    found = read_time(text)
    return found[0] if found else None


def parse_when(
    text: str, now: datetime, tz: str | None = None, default_hour: int = 9
) -> When | AskBack | None:
    """When the user's words put a meeting, relative to `now` in the user's zone (tz-aware UTC).
    AskBack when a day is named but ambiguous or unreadable; None when no day or time is named."""
    z = zone(tz)
    local_now = now.astimezone(z)
    t = parse_time(text)
    found = read_date(text, local_now.replace(tzinfo=None), None)
    if isinstance(found, Ambiguous):
        return AskBack(found.said, found.options, t)
    if found is None:
        m = _DAYISH.search(text)
        if m:
            return AskBack(m.group(0), (), t)
        if t is None:
            return None
        # A time alone means today, or tomorrow if that time has passed.
        d = (
            local_now.date()
            if t > local_now.time().replace(tzinfo=None)
            else local_now.date() + timedelta(days=1)
        )
        label = "today" if d == local_now.date() else "tomorrow"
        local = datetime.combine(d, t, tzinfo=z)
        return When(local.astimezone(UTC), True, label)
    at = found.at or t
    local = datetime.combine(found.day, at or time(default_hour, 0), tzinfo=z)
    return When(local.astimezone(UTC), at is not None, found.said)
