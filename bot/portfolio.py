"""The portfolio: the deals one person may see in a workspace or tenant, most urgent first.

`rows(views, kb, now)` is pure over DealViews: the renewal date and days left, the next and the
last passed milestone (playbooks/renewal_calendar.py), open verbal commitments (playbooks/commitments.py),
the escalation verdict (playbooks/escalation.py) and what needs attention. `load` reads the
deals the person may see (bot/access.py) of the Memory's tenant in one batch
(Memory.deal_views), never another person's deal nor another tenant's.
Surfaces only render the rows: the chat reply (`to_reply`), `coach deal list`, the Slack Home tab.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.access import Person
from bot.alignment import parse_alignment
from bot.knowledge import Knowledge, KnowledgeSection
from bot.memory import Memory
from bot.playbooks import commitments, escalation
from bot.playbooks.renewal_calendar import Milestone, fmt
from bot.reminders.policy import parse_day, parse_when
from bot.reply import Item, Reply, Section
from bot.timeline import DealView


class PortfolioSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    chat_rows: int = Field(ge=1, le=45)
    home_rows: int = Field(ge=1, le=45)
    rows_per_section: int = Field(ge=1, le=10)
    team_names: dict[str, str]


SECTIONS = (KnowledgeSection("portfolio", "portfolio_settings", PortfolioSettings),)


def settings(kb: Knowledge) -> PortfolioSettings:
    return kb.section("portfolio.portfolio_settings")


@dataclass(frozen=True, slots=True)
class Dated:
    label: str  # "T-6 months"
    on: date


@dataclass(frozen=True, slots=True)
class Row:
    """One deal as every surface shows it."""

    deal_id: int
    name: str
    renewal: date | None
    days_left: int | None  # negative: the renewal date has passed
    next_milestone: Dated | None
    passed_milestones: tuple[Dated, ...]  # milestones whose date is behind us, latest last
    verbal: int  # open commitments not yet asked for in writing
    verdict: str | None  # escalation verdict word; None: facts are missing
    verdict_label: str
    attention: tuple[str, ...]

    @property
    def urgency(self) -> tuple[int, int, int, int, str]:
        """Sort key: a known renewal before an unknown one; the renewal passed, then the most
        milestones passed, then the fewest days left; then more verbal promises open."""
        if self.days_left is None:
            return (1, 0, 0, -self.verbal, self.name.casefold())
        overdue = len(self.passed_milestones) + (1 if self.days_left < 0 else 0)
        return (0, -overdue, self.days_left, -self.verbal, self.name.casefold())


def renewal_date(view: DealView) -> date | None:
    raw = view.fact("renewal_date")
    return parse_day(str(raw)[:10]) if raw else None


def rows(views: list[DealView], kb: Knowledge, now: datetime) -> list[Row]:
    """The rows for `views`, most urgent first."""
    milestones: list[Milestone] = kb.section("timeline.milestones")
    today = now.date()
    out = []
    for view in views:
        renewal = renewal_date(view)
        days = (renewal - today).days if renewal else None
        dated = [Dated(m.label, renewal - timedelta(days=m.days)) for m in milestones] if renewal else []
        ahead = sorted((d for d in dated if d.on >= today), key=lambda d: d.on)
        passed = tuple(sorted((d for d in dated if d.on < today), key=lambda d: d.on))
        open_ = [c for c in commitments.register(view) if c.outstanding]
        verdict = escalation.assess(view, kb, now)
        out.append(
            Row(
                deal_id=view.id,
                name=view.name,
                renewal=renewal,
                days_left=days,
                next_milestone=ahead[0] if ahead else None,
                passed_milestones=passed,
                verbal=sum(c.status == "verbal" for c in open_),
                verdict=verdict.verdict,
                verdict_label=verdict.label,
                attention=tuple(attention(view, kb, now, open_)),
            )
        )
    return sorted(out, key=lambda r: r.urgency)


async def load(memory: Memory, kb: Knowledge, now: datetime, person: Person) -> list[Row]:
    """The deals of the memory's tenant `person` may see, most urgent first."""
    return rows(await memory.deal_views(person), kb, now)


@dataclass(frozen=True, slots=True)
class Overview:
    rows: list[Row]
    active: int | None  # the deal the given conversation works on


async def overview(
    sessions: async_sessionmaker[AsyncSession],
    platform: str,
    tenant: str,
    kb: Knowledge,
    now: datetime,
    *,
    person: Person,
    conversation: str | None = None,
) -> Overview:
    """The portfolio outside a turn (`coach deal list`, the Slack Home tab), in its own
    transaction: the deals of (platform, tenant) `person` may see, and the conversation's
    active deal."""
    async with sessions() as session, session.begin():
        memory = await Memory.for_tenant(session, platform, tenant, now)
        found = await load(memory, kb, now, person)
        active = None
        if conversation is not None:
            deal = await memory.active_deal(await memory.conversation(conversation, now))
            active = deal.id if deal is not None else None
    return Overview(found, active)


def attention(
    view: DealView, kb: Knowledge, now: datetime, open_: list[commitments.Commitment] | None = None
) -> list[str]:
    """Open points other features leave in the timeline, read through their own pure functions:
    internal alignment (escalation), commitments not yet in the contract, meetings ahead."""
    notes = []
    if view.fact("internal_alignment") is not None:
        alignment = parse_alignment(view.fact("internal_alignment"))
        names = settings(kb).team_names
        missing = [names.get(t, t) for t, agreed in alignment.items() if agreed is False]
        if missing:
            notes.append(kb.say("portfolio.attention-alignment", teams=", ".join(missing)))
    if open_ is None:
        open_ = [c for c in commitments.register(view) if c.outstanding]
    verbal = sum(c.status == "verbal" for c in open_)
    asked = sum(c.status == "requested_in_writing" for c in open_)
    if verbal:
        notes.append(kb.say("portfolio.attention-verbal", count=verbal, s=_s(verbal)))
    if asked:
        notes.append(kb.say("portfolio.attention-asked", count=asked, s=_s(asked)))
    ahead = sorted(
        (when, e.id, e)
        for e in view.live_events("meeting")
        if (when := parse_when(e.payload["when"]) if e.payload.get("when") else None) and when >= now
    )
    if ahead:
        when, _, first = ahead[0]
        title = str(first.payload.get("title") or first.payload.get("topic") or "meeting")
        more = f" (+{len(ahead) - 1} more)" if len(ahead) > 1 else ""
        notes.append(kb.say("portfolio.attention-meeting", date=f"{when:%a %d %b}", title=title, more=more))
    return notes


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def describe(row: Row, kb: Knowledge) -> list[str]:
    """The row's facts as short phrases, in the order every surface shows them."""
    parts = []
    if row.renewal is None or row.days_left is None:
        parts.append(kb.say("portfolio.renewal-unknown"))
    elif row.days_left > 0:
        parts.append(kb.say("portfolio.renews", date=fmt(row.renewal), days=row.days_left))
    elif row.days_left == 0:
        parts.append(kb.say("portfolio.renews-today", date=fmt(row.renewal)))
    else:
        parts.append(kb.say("portfolio.renewal-passed", date=fmt(row.renewal), days=-row.days_left))
    if row.next_milestone is not None:
        m = row.next_milestone
        parts.append(kb.say("portfolio.next-milestone", label=m.label, date=fmt(m.on)))
    if row.passed_milestones and (row.days_left or 0) >= 0:
        m = row.passed_milestones[-1]
        parts.append(kb.say("portfolio.milestone-passed", label=m.label, date=fmt(m.on)))
    if row.verbal:
        parts.append(kb.say("portfolio.verbal", count=row.verbal, s=_s(row.verbal)))
    if row.verdict_label:
        parts.append(kb.say("portfolio.escalation", label=row.verdict_label.rstrip(".")))
    else:
        parts.append(kb.say("portfolio.escalation-open"))
    return parts


def line(row: Row, kb: Knowledge, active: int | None = None) -> str:
    name = row.name + (" " + kb.say("portfolio.active") if row.deal_id == active else "")
    return f"{name} — {'; '.join(describe(row, kb))}"


def headline(count: int, kb: Knowledge) -> str:
    if not count:
        return kb.say("portfolio.none")
    return kb.say("portfolio.headline", count=count, deals="deal" if count == 1 else "deals")


def to_reply(
    all_rows: list[Row], kb: Knowledge, active: int | None = None, *, limit: int | None = None
) -> Reply:
    """The chat answer: the most urgent `chat_rows` deals (or `limit`) in sections small enough
    for every surface (Slack's 3,000 characters a section, 50 blocks a message), then "and N more"."""
    cfg = settings(kb)
    shown = all_rows[: cfg.chat_rows if limit is None else limit]
    items = [Item(line(r, kb, active)) for r in shown]
    sections = [
        Section(
            items=items[i : i + cfg.rows_per_section], title=kb.say("portfolio.order") if i == 0 else None
        )
        for i in range(0, len(items), cfg.rows_per_section)
    ]
    more = len(all_rows) - len(shown)
    return Reply(
        headline=headline(len(all_rows), kb),
        intent="deal.list",
        sections=sections,
        footer=kb.say("portfolio.more", count=more) if more > 0 else None,
    )
