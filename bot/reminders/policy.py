"""When to prompt, and whether a prompt still matters: pure functions of (event, prefs, now).

Nothing here reads a clock or the database. Every planned reminder carries an idempotency
key built from what it is about (deal, meeting time, role, milestone), so planning the same
thing twice yields the same keys and the store keeps one row.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from bot.knowledge import KnowledgeSection
from bot.playbooks import commitments
from bot.playbooks.commitments import Commitment
from bot.playbooks.when import zone
from bot.timeline import DealView, Event

# Reminder kinds (the `kind` column).
MEETING_MORNING = "meeting.morning"
MEETING_BEFORE = "meeting.before"
MEETING_AFTER = "meeting.after"
RENEWAL_MILESTONE = "renewal.milestone"
QUARTER_END = "renewal.quarter_end"
SIGNATURE_VERBAL = "signature.verbal"
FOLLOW_UP = "follow_up"
PRE_MEETING = (MEETING_MORNING, MEETING_BEFORE)


class ChecklistLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str
    rule: str


class Milestone(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    months: int = 0
    days: int = 0
    rule: str


class ReminderConfig(BaseModel):
    """knowledge/reminders.yaml `reminders:` - the defaults a negotiation lead can tune."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    morning: time = time(8, 0)
    before_minutes: list[int] = Field(default_factory=lambda: [60])
    meeting_minutes: int = 60
    capture_after_minutes: int = 30
    capture_repeat_hours: int = 24
    capture_relevant_days: int = 3
    nudge_time: time = time(9, 0)
    milestones: list[Milestone] = Field(default_factory=list)
    quarter_ends: list[str] = Field(default_factory=lambda: ["09-30", "12-31", "03-31"])
    year_end: str = "06-30"
    quarter_lead_days: int = 21
    quarter_window_months: int = 9
    signature_warning_days: list[int] = Field(default_factory=lambda: [14, 3])
    snooze_minutes: int = 60
    checklists: dict[str, list[ChecklistLine]] = Field(default_factory=dict)


SECTIONS = (KnowledgeSection("reminders", "reminders", ReminderConfig),)


@dataclass(frozen=True, slots=True)
class Prefs:
    """One user's reminder preferences; defaults come from ReminderConfig."""

    timezone: str = "UTC"
    morning: time = time(8, 0)
    before: tuple[timedelta, ...] = (timedelta(hours=1),)

    @classmethod
    def from_config(cls, cfg: ReminderConfig, timezone: str | None = None, **override: Any) -> Prefs:
        values: dict[str, Any] = {
            "timezone": timezone or "UTC",
            "morning": cfg.morning,
            "before": tuple(timedelta(minutes=m) for m in cfg.before_minutes),
        }
        values.update({k: v for k, v in override.items() if v is not None})
        return cls(**values)

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)


@dataclass(frozen=True, slots=True)
class Planned:
    kind: str
    due_at: datetime  # tz-aware UTC
    key: str  # idempotency key, unique across the whole database
    payload: dict[str, Any] = field(default_factory=dict)  # always holds "until" (ISO UTC)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat()


def parse_when(value: Any) -> datetime | None:
    """A meeting's `when`: ISO datetime (UTC if it has no offset)."""
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def parse_day(value: Any) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def local_at(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def _slug(text: Any) -> str:
    return "-".join(str(text or "").casefold().split())[:40] or "-"


# --- meetings ---------------------------------------------------------------------------------
def meeting_key(deal_id: int, start: datetime, role: Any) -> str:
    return f"deal:{deal_id}:meeting:{start.astimezone(UTC):%Y%m%dT%H%M}:{_slug(role)}"


def plan_meeting(
    deal_id: int,
    payload: Mapping[str, Any],
    prefs: Prefs,
    cfg: ReminderConfig,
    now: datetime,
    *,
    event_id: int | None = None,
) -> list[Planned]:
    """Pre-meeting checklists (morning of, and `before` ahead) and the after-meeting capture.

    Times already past are skipped, except that a meeting still ahead with every pre-meeting
    slot gone gets one checklist right away."""
    start = parse_when(payload.get("when"))
    if start is None:
        return []
    base = meeting_key(deal_id, start, payload.get("role"))
    common = {
        "role": payload.get("role"),
        "topic": payload.get("topic"),
        "when": _iso(start),
        "timezone": prefs.timezone,
        "meeting_event_id": event_id,
    }
    end = start + timedelta(minutes=cfg.meeting_minutes)
    befores = sorted({start - d for d in prefs.before if d > timedelta(0)})
    out: list[Planned] = []
    first_before = befores[0] if befores else start
    morning = local_at(start.astimezone(prefs.tz).date(), prefs.morning, prefs.tz)
    if morning < first_before and morning >= now:
        out.append(
            Planned(MEETING_MORNING, morning, f"{base}:morning", {**common, "until": _iso(first_before)})
        )
    for n, due in enumerate(befores):
        if due >= now:
            until = befores[n + 1] if n + 1 < len(befores) else start
            mins = int((start - due).total_seconds() // 60)
            out.append(Planned(MEETING_BEFORE, due, f"{base}:before{mins}", {**common, "until": _iso(until)}))
    if start > now and not any(p.kind in PRE_MEETING for p in out):
        out.append(Planned(MEETING_BEFORE, now, f"{base}:before-late", {**common, "until": _iso(start)}))
    capture = end + timedelta(minutes=cfg.capture_after_minutes)
    if capture + timedelta(days=cfg.capture_relevant_days) > now:
        out.append(
            Planned(
                MEETING_AFTER,
                max(capture, now),
                f"{base}:after",
                {**common, "repeat": 0, "until": _iso(capture + timedelta(days=cfg.capture_relevant_days))},
            )
        )
    return out


def capture_repeat(kind_key: str, payload: Mapping[str, Any], cfg: ReminderConfig, now: datetime) -> Planned:
    """The one repeat of an unanswered after-meeting capture."""
    due = now + timedelta(hours=cfg.capture_repeat_hours)
    return Planned(
        MEETING_AFTER,
        due,
        f"{kind_key}:again",
        {**payload, "repeat": 1, "until": _iso(due + timedelta(days=cfg.capture_relevant_days))},
    )


# --- the renewal timeline ------------------------------------------------------------------
def add_months(day: date, months: int) -> date:
    m = day.month - 1 + months
    y, m = day.year + m // 12, m % 12 + 1
    return date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


def plan_renewal(
    deal_id: int, renewal: date, prefs: Prefs, cfg: ReminderConfig, now: datetime
) -> list[Planned]:
    """Milestones before the renewal date, then Microsoft's quarter and year ends near it.

    A milestone already passed is not replayed, except the latest one while the next has not
    come: setting a renewal date at T-10 months still gets the T-12 advice once, now."""
    tz = prefs.tz
    rkey = f"deal:{deal_id}:renewal:{renewal.isoformat()}"
    end_of_renewal = local_at(renewal, time(0, 0), tz)
    marks = []
    for m in cfg.milestones:
        day = add_months(renewal, -m.months) - timedelta(days=m.days)
        label = f"T-{m.months}m" if m.months else f"T-{m.days}d"
        marks.append((local_at(day, cfg.nudge_time, tz), label, m.rule))
    marks.sort()
    out: list[Planned] = []
    for n, (due, label, rule) in enumerate(marks):
        until = marks[n + 1][0] if n + 1 < len(marks) else end_of_renewal
        if until <= now:
            continue
        payload = {
            "renewal_date": renewal.isoformat(),
            "milestone": label,
            "rule": rule,
            "until": _iso(until),
        }
        out.append(Planned(RENEWAL_MILESTONE, max(due, now), f"{rkey}:{label}", payload))
    window_start = add_months(renewal, -cfg.quarter_window_months)
    for end_day, is_year_end in microsoft_period_ends(window_start, renewal, cfg):
        due = local_at(end_day - timedelta(days=cfg.quarter_lead_days), cfg.nudge_time, tz)
        until = local_at(end_day + timedelta(days=1), time(0, 0), tz)
        if until <= now:
            continue
        rule = "reminders.fiscal-year-end" if is_year_end else "reminders.quarter-end"
        payload = {
            "renewal_date": renewal.isoformat(),
            "end": end_day.isoformat(),
            "rule": rule,
            "until": _iso(until),
        }
        out.append(Planned(QUARTER_END, max(due, now), f"{rkey}:end:{end_day.isoformat()}", payload))
    return out


def microsoft_period_ends(start: date, stop: date, cfg: ReminderConfig) -> list[tuple[date, bool]]:
    """Quarter ends and the fiscal year end (30 June) between two dates, in order."""
    out = []
    for year in range(start.year, stop.year + 1):
        for mmdd, is_year_end in [*((q, False) for q in cfg.quarter_ends), (cfg.year_end, True)]:
            month, day = (int(x) for x in mmdd.split("-"))
            d = date(year, month, day)
            if start <= d <= stop:
                out.append((d, is_year_end))
    return sorted(out)


def plan_signature(
    deal_id: int, signature: date, prefs: Prefs, cfg: ReminderConfig, now: datetime
) -> list[Planned]:
    """Warnings before signature; whether verbal promises remain is checked when they fall due."""
    tz = prefs.tz
    until = local_at(signature + timedelta(days=1), time(0, 0), tz)
    out = []
    for days in sorted(set(cfg.signature_warning_days), reverse=True):
        due = local_at(signature - timedelta(days=days), cfg.nudge_time, tz)
        if due < now:
            continue
        payload = {"signature_date": signature.isoformat(), "days_before": days, "until": _iso(until)}
        out.append(Planned(SIGNATURE_VERBAL, due, f"deal:{deal_id}:signature:{signature}:T-{days}d", payload))
    return out


def plan_follow_up(
    deal_id: int | None, conversation_id: int, text: str, due: datetime, now: datetime, turn_key: str
) -> Planned:
    payload = {"text": text[:300], "until": _iso(due + timedelta(days=7))}
    return Planned(FOLLOW_UP, due, f"conv:{conversation_id}:follow:{turn_key}", payload)


def plan_for_event(
    deal_id: int, event: Event, prefs: Prefs, cfg: ReminderConfig, now: datetime
) -> list[Planned]:
    """The reminders one newly logged event implies."""
    if event.kind == "meeting":
        return plan_meeting(deal_id, event.payload, prefs, cfg, now, event_id=event.id)
    if event.kind == "fact":
        key = event.payload.get("key")
        day = parse_day(event.payload.get("value"))
        if day is None:
            return []
        if key == "renewal_date":
            return plan_renewal(deal_id, day, prefs, cfg, now) + plan_signature(deal_id, day, prefs, cfg, now)
        if key == commitments.SIGNATURE_DATE:
            return plan_signature(deal_id, day, prefs, cfg, now)
    return []


# --- still relevant? ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Relevance:
    ok: bool
    why: str


def open_verbal_commitments(view: DealView) -> list[Commitment]:
    """Commitments Microsoft made out loud that are still only verbal.

    The commitments register decides (bot/playbooks/commitments.py): its `commitment_update`
    events and status words. Requested in writing or in the contract closes one; so does its
    undo."""
    return [c for c in commitments.register(view) if c.status == "verbal"]


def relevance(
    kind: str, payload: Mapping[str, Any], view: DealView | None, now: datetime, *, answered: bool = False
) -> Relevance:
    """Whether a due (possibly overdue) reminder is still worth showing now."""
    until = parse_when(payload.get("until"))
    if until is not None and now >= until:
        return Relevance(False, "its moment has passed")
    if kind in (*PRE_MEETING, MEETING_AFTER):
        if view is None:
            return Relevance(False, "the deal is gone")
        when = str(payload.get("when"))
        live = [e for e in view.live_events("meeting") if _same_time(e.payload.get("when"), when)]
        if not live:
            return Relevance(False, "the meeting was withdrawn")
        if kind == MEETING_AFTER and answered:
            return Relevance(False, "already answered")
    if kind in (RENEWAL_MILESTONE, QUARTER_END):
        if view is None or str(view.fact("renewal_date")) != payload.get("renewal_date"):
            return Relevance(False, "the renewal date changed")
    if kind == SIGNATURE_VERBAL:
        if view is None:
            return Relevance(False, "the deal is gone")
        signature = commitments.signature_date(view)
        if signature is None or signature.isoformat() != payload.get("signature_date"):
            return Relevance(False, "the signature date changed")
        if not open_verbal_commitments(view):
            return Relevance(False, "no verbal promises are open")
    return Relevance(True, "due")


def _same_time(a: Any, b: Any) -> bool:
    da, db = parse_when(a), parse_when(b)
    return da is not None and da == db
