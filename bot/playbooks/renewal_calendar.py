"""The renewal-calendar playbook: the renewal against Microsoft's fiscal calendar, where are
we, and what should be done by now. (A deal's own event log is bot/timeline.py.)

Pure: (renewal date, today, Knowledge) -> RenewalPosition. Microsoft's year runs 1 July - 30 June.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict, TypeAdapter

from bot.knowledge import Knowledge, KnowledgeSection
from bot.reply import Item, Reply, Section
from bot.timeline import DealView

# Phases by the milestone last passed: the verdict word.
EARLY, PREPARE, BUILD, NEGOTIATE, CLOSE, PAST = "early", "prepare", "build", "negotiate", "close", "past"
CALENDAR = "calendar"  # only Microsoft's fixed dates: the renewal date is not known
PHASE_AFTER = {None: EARLY, "t-18": PREPARE, "t-12": BUILD, "t-6": NEGOTIATE, "t-90d": CLOSE}


class MonthDay(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    month: int
    day: int


class Calendar(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    fiscal_year_end: MonthDay
    quarter_ends: list[MonthDay]
    benchmark_max_age_months: int


class Milestone(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    days: int
    label: str
    todo: str
    rule: str


SECTIONS = (
    KnowledgeSection("timeline", "calendar", Calendar),
    KnowledgeSection("timeline", "milestones", TypeAdapter(list[Milestone]).validate_python),
)


@dataclass
class RenewalPosition:
    """Where the renewal stands against the calendar: what should be done by now, and next."""

    verdict: str
    days_to_renewal: int
    done_by_now: list[Item] = field(default_factory=list)
    next: list[Item] = field(default_factory=list)
    microsoft: list[Item] = field(default_factory=list)


def fmt(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def next_on_or_after(today: date, md: MonthDay) -> date:
    d = date(today.year, md.month, md.day)
    return d if d >= today else date(today.year + 1, md.month, md.day)


def next_quarter_end(today: date, cal: Calendar) -> date:
    return min(next_on_or_after(today, q) for q in cal.quarter_ends)


def fiscal_year_end(today: date, cal: Calendar) -> date:
    return next_on_or_after(today, cal.fiscal_year_end)


def in_microsoft_q4(d: date, cal: Calendar) -> bool:
    """April-June: the last quarter of Microsoft's year."""
    end = cal.fiscal_year_end
    start_month = (end.month - 3) % 12 + 1
    return start_month <= d.month <= end.month


def where(renewal: date, now: datetime, kb: Knowledge) -> RenewalPosition:
    today = now.date()
    cal: Calendar = kb.section("timeline.calendar")
    milestones: list[Milestone] = kb.section("timeline.milestones")
    days = (renewal - today).days
    if days < 0:
        view = RenewalPosition(PAST, days)
        view.done_by_now.append(
            Item(kb.say("timeline.past-renewal", date=fmt(renewal)), rule="timeline.past-renewal")
        )
        return view
    passed = [m for m in milestones if days <= m.days]
    view = RenewalPosition(PHASE_AFTER[passed[-1].key if passed else None], days)
    for m in passed:
        view.done_by_now.append(Item(kb.say(m.rule, todo=m.todo), rule=m.rule))
    ahead = [m for m in milestones if days > m.days]
    if ahead:
        m = ahead[0]  # milestones run earliest first, so the first one ahead is the nearest
        when = renewal - timedelta(days=m.days)
        view.next.append(
            Item(
                kb.say("timeline.next-milestone", label=m.label, date=fmt(when), todo=m.todo),
                rule="timeline.next-milestone",
            )
        )
    q_end, fy_end = next_quarter_end(today, cal), fiscal_year_end(today, cal)
    if q_end <= renewal and q_end != fy_end:
        view.microsoft.append(
            Item(kb.say("timeline.quarter-end", date=fmt(q_end)), rule="timeline.quarter-end")
        )
    if fy_end <= renewal:
        view.microsoft.append(
            Item(kb.say("timeline.fiscal-year-end", date=fmt(fy_end)), rule="timeline.fiscal-year-end")
        )
    if in_microsoft_q4(renewal, cal):
        view.microsoft.append(
            Item(kb.say("timeline.renewal-at-year-end"), rule="timeline.renewal-at-year-end")
        )
    return view


def microsoft_calendar(now: datetime, kb: Knowledge) -> list[Item]:
    """Microsoft's next quarter end and fiscal year end: fixed dates, no deal needed."""
    today = now.date()
    cal: Calendar = kb.section("timeline.calendar")
    q_end, fy_end = next_quarter_end(today, cal), fiscal_year_end(today, cal)
    items = []
    if q_end != fy_end:
        items.append(Item(kb.say("timeline.quarter-end", date=fmt(q_end)), rule="timeline.quarter-end"))
    items.append(Item(kb.say("timeline.fiscal-year-end", date=fmt(fy_end)), rule="timeline.fiscal-year-end"))
    return items


def calendar_reply(now: datetime, kb: Knowledge) -> Reply:
    """The calendar answer when the renewal date is not known (or there is no deal)."""
    today = now.date()
    cal: Calendar = kb.section("timeline.calendar")
    q_end = next_quarter_end(today, cal)
    return Reply(
        headline=kb.say("timeline.calendar-headline", date=fmt(q_end), days=(q_end - today).days),
        intent="timeline.status",
        verdict=CALENDAR,
        sections=[Section(title="Microsoft's calendar", items=microsoft_calendar(now, kb))],
    )


def to_reply(view: RenewalPosition, renewal: date, deal: DealView) -> Reply:
    if view.verdict == PAST:
        headline = f"{deal.name}: the renewal date has passed."
    else:
        months = view.days_to_renewal / 30.44
        span = f"{view.days_to_renewal} days" if view.days_to_renewal < 120 else f"about {months:.0f} months"
        headline = f"{deal.name}: {span} to renewal ({fmt(renewal)})."
    sections = []
    if view.done_by_now:
        sections.append(Section(title="Should be done by now", items=view.done_by_now))
    if view.next:
        sections.append(Section(title="Coming up", items=view.next))
    if view.microsoft:
        sections.append(Section(title="Microsoft's calendar", items=view.microsoft))
    labels = {
        "early": "Early days.",
        "prepare": "Preparing.",
        "build": "Building the case.",
        "negotiate": "Negotiating.",
        "close": "Closing stretch.",
        "past": "Past renewal.",
    }
    return Reply(
        headline=headline,
        intent="timeline.status",
        verdict=view.verdict,
        verdict_label=labels[view.verdict],
        sections=sections,
    )
