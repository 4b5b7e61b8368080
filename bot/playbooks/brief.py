"""The deal brief: one page an executive sponsor (or a Microsoft leader) can read in two minutes.

Pure: (DealView, Knowledge, now, audience) -> Brief. It assembles what the other playbooks
already decide (escalation, walk-away, programs, timeline, commitments, favors); it decides
nothing new. Audience "internal" may show the budget; a Microsoft role key ("ae", "avp", ...)
gets only the sections the disclosure matrix does not mark "protect" for that role.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.amounts import currency, format_money
from bot.knowledge import Knowledge, KnowledgeSection
from bot.playbooks import commitments, disclosure, programs, renewal_calendar, walkaway
from bot.playbooks import escalation as esc
from bot.playbooks import favors as fav
from bot.playbooks.counter_moves import day_words
from bot.playbooks.draft_templates import AmountsIn, secret_amounts
from bot.playbooks.meeting_prep import MEETING
from bot.playbooks.people import short_role
from bot.reply import Item
from bot.timeline import MS_STATEMENT, DealView, Event

INTERNAL = "internal"
SUMMARY = "summary"
CITED = {"brief.budget"}  # the one brief line that is a rule, not just wording


class SectionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    title: str
    kind: str | None  # the disclosure kind the section reveals; None: safe for anyone


class PictureConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    card_dpi: int = Field(gt=0)  # the timeline inline in a Teams card: small
    card_colors: int = Field(ge=2, le=256)  # a palette PNG: a few kilobytes
    document_dpi: int = Field(gt=0)  # in the PDF: sharp when printed


class BriefConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    sections: list[SectionSpec]
    summary: list[str]  # the sections whose first line makes the summary paragraph, in order
    max_statements: int
    max_dates: int
    max_commitments: int
    picture: PictureConfig

    @model_validator(mode="after")
    def _summary_names_sections(self) -> BriefConfig:
        unknown = set(self.summary) - {s.key for s in self.sections}
        if unknown:
            raise ValueError(f"summary names sections that don't exist: {sorted(unknown)}")
        return self


SECTIONS = (KnowledgeSection("brief", "brief", BriefConfig),)


@dataclass(frozen=True, slots=True)
class DatedMark:
    """One point on the renewal timeline (also what the picture plots)."""

    day: date
    what: str
    kind: str  # today | renewal | milestone | microsoft | meeting | escalation | statement
    overdue: bool = False


@dataclass
class BriefSection:
    key: str
    title: str
    items: list[Item]


@dataclass
class MissingFact:
    key: str
    label: str
    action: dict[str, Any]  # the payload a button sends to fill it


@dataclass
class Brief:
    deal: str
    audience: str  # "internal" or a Microsoft role key
    headline: str
    verdict: str | None  # the escalation verdict, or the walk-away one when that decides
    marking: Item
    today: date
    sections: list[BriefSection] = field(default_factory=list)
    missing: list[MissingFact] = field(default_factory=list)
    marks: list[DatedMark] = field(default_factory=list)  # for the picture
    renewal: date | None = None

    @property
    def internal(self) -> bool:
        return self.audience == INTERNAL

    def section(self, key: str) -> BriefSection | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def summary(self) -> str:
        found = self.section(SUMMARY)
        return found.items[0].text if found and found.items else ""

    def set_summary(self, text: str) -> None:
        """The polished paragraph (bot/skills/brief.py) replaces the template one."""
        found = self.section(SUMMARY)
        if found is not None and found.items:
            found.items[0] = Item(text)


def _renewal(deal: DealView) -> date | None:
    raw = deal.fact("renewal_date")
    try:
        return date.fromisoformat(str(raw)[:10]) if raw else None
    except ValueError:
        return None


def _money(value: Any, cur: str | None) -> str | None:
    return (
        format_money(value, cur) if isinstance(value, int | float) and not isinstance(value, bool) else None
    )


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def position(
    e: esc.Assessment, w: walkaway.WalkAssessment, kb: Knowledge
) -> tuple[str | None, str, list[Item]]:
    """The headline recommendation: the walk-away verdict when the math says walk, the
    escalation verdict otherwise; each with its reasons (rule ids) as the playbooks give them."""
    items: list[Item] = []
    if e.verdict:
        items.append(Item(kb.say("brief.escalation-verdict", label=e.label)))
        items += (e.blockers or e.fixes or e.support)[:3]
    elif e.missing:
        labels = ", ".join(kb.facts[k].label.lower() for k in e.missing if k in kb.facts)
        items.append(Item(kb.say("brief.undecided", what="escalation", facts=labels), rule="brief.undecided"))
    if w.verdict:
        items.append(Item(kb.say("brief.walk-verdict", label=w.label)))
        items += w.reasons[:2]
    if w.verdict == walkaway.WALK:
        return w.verdict, w.label, items
    if e.verdict:
        return e.verdict, e.label, items
    if w.verdict:
        return w.verdict, w.label, items
    return None, kb.say("brief.no-recommendation"), items


def _gap(deal: DealView, kb: Knowledge) -> list[Item]:
    point = deal.fact("sticking_point")
    if point is None:
        return []
    value = _money(deal.fact("sticking_point_value_per_year"), currency(deal.facts))
    if value:
        return [Item(kb.say("brief.gap", point=point, value=value), rule="brief.gap")]
    return [Item(kb.say("brief.gap-no-value", point=point), rule="brief.gap-no-value")]


def _ask(deal: DealView, kb: Knowledge) -> list[Item]:
    items = []
    if deal.fact("escalation_ask"):
        items.append(Item(kb.say("brief.ask", ask=deal.fact("escalation_ask")), rule="brief.ask"))
    pct = deal.fact("ask_discount_pct")
    if isinstance(pct, int | float):
        items.append(Item(kb.say("brief.ask-discount", pct=f"{pct:g}"), rule="brief.ask-discount"))
    return items


def _rounds(deal: DealView, kb: Knowledge, now: datetime, cfg: BriefConfig) -> list[Item]:
    items = []
    rounds = deal.fact("rounds_with_account_team")
    if isinstance(rounds, int | float):
        n = int(rounds)
        items.append(
            Item(kb.say("brief.rounds", rounds=f"{n} round{'s' if n != 1 else ''}"), rule="brief.rounds")
        )
    # Counted by type, as the escalation playbook counts them: "final offer" and "best we
    # can do" are one position said twice; the latest wording names it.
    said: Counter[str] = Counter()
    latest: dict[str, Event] = {}
    for e in deal.live_events(MS_STATEMENT):
        kind = str(e.payload.get("type") or e.payload.get("label") or "statement")
        said[kind] += 1
        if kind not in latest or (e.at, e.id) >= (latest[kind].at, latest[kind].id):
            latest[kind] = e
    for kind, n in said.most_common(cfg.max_statements):
        e = latest[kind]
        label = str(e.payload.get("label") or kind)
        text = kb.say("brief.statement", label=label, times=_times(n), last=f"last {day_words(e.at, now)}")
        items.append(Item(text, rule="brief.statement"))
    return items


def _commitments(deal: DealView, kb: Knowledge, cfg: BriefConfig) -> list[Item]:
    """Verbal promises first (they are the ones at risk), newest first within each status."""
    order = {s: n for n, s in enumerate(commitments.ORDER)}
    found = sorted(commitments.register(deal), key=lambda c: (order.get(c.status, 0), -c.at.timestamp()))
    items = [
        Item(
            kb.say(
                "brief.commitment", who=c.contact, what=c.what, status=commitments.status_label(kb, c.status)
            ),
            rule="brief.commitment",
        )
        for c in found[: cfg.max_commitments]
    ]
    if len(found) > cfg.max_commitments:
        items.append(Item(kb.say("brief.more", n=len(found) - cfg.max_commitments), rule="brief.more"))
    return items


def _favors(deal: DealView, kb: Knowledge, now: datetime) -> list[Item]:
    cfg = fav.config(kb)
    events = deal.live_events(fav.FAVOR)
    items = []
    for c in deal.contacts:
        if not c.active:
            continue
        jar = fav.jar(events, c.name, now, cfg)
        if not jar.entries:
            continue
        text = kb.say(
            "brief.favor", name=c.name, role=short_role(kb, c.role), balance=jar.balance, size=jar.size
        )
        items.append(Item(text, rule="brief.favor"))
    return items


def _levers(deal: DealView, kb: Knowledge) -> list[Item]:
    advice = programs.advise(deal, kb)
    return advice.fits if advice.verdict == programs.LEVERS else []


def _walk(w: walkaway.WalkAssessment, kb: Knowledge) -> list[Item]:
    return w.math or [Item(kb.say("brief.walk-unknown"), rule="brief.walk-unknown")]


def marks(deal: DealView, kb: Knowledge, now: datetime) -> list[DatedMark]:
    """Every dated point of the deal: milestones, Microsoft's calendar, meetings, escalations
    and statements, in date order."""
    today = now.date()
    cal: renewal_calendar.Calendar = kb.section("timeline.calendar")
    out = [DatedMark(today, "today", "today")]
    renewal = _renewal(deal)
    # Up to the renewal, and always as far as Microsoft's next year end: 30 June matters to them.
    end = max(renewal or today, renewal_calendar.fiscal_year_end(today, cal))
    if renewal:
        out.append(DatedMark(renewal, "renewal", "renewal"))
        for m in kb.section("timeline.milestones"):
            day = renewal - timedelta(days=m.days)
            out.append(DatedMark(day, m.label, "milestone", overdue=day < today))
    d = today
    while (d := renewal_calendar.next_quarter_end(d, cal)) <= end:
        is_fy = (d.month, d.day) == (cal.fiscal_year_end.month, cal.fiscal_year_end.day)
        out.append(
            DatedMark(d, "Microsoft fiscal year end" if is_fy else "Microsoft quarter end", "microsoft")
        )
        d += timedelta(days=1)
    for e in deal.live_events(MEETING):
        try:
            at = datetime.fromisoformat(str(e.payload.get("when")))
        except ValueError:
            continue
        out.append(DatedMark(at.date(), str(e.payload.get("title") or "meeting"), "meeting"))
    for e in deal.live_events(esc.ESCALATION_EVENT):
        out.append(DatedMark(e.at.date(), "we escalated", "escalation"))
    for e in deal.live_events(MS_STATEMENT):
        out.append(DatedMark(e.at.date(), str(e.payload.get("label") or "Microsoft said"), "statement"))
    return sorted(out, key=lambda m: (m.day, m.kind))


def _dates(all_marks: list[DatedMark], kb: Knowledge, today: date, cfg: BriefConfig) -> list[Item]:
    wanted = ("renewal", "milestone", "microsoft", "meeting")
    picked = [m for m in all_marks if m.kind in wanted and (m.day >= today or m.overdue)]
    items = []
    for m in picked[: cfg.max_dates]:
        rule = "brief.date-overdue" if m.overdue else "brief.date"
        items.append(Item(kb.say(rule, date=renewal_calendar.fmt(m.day), what=m.what), rule=rule))
    return items


def missing_facts(
    deal: DealView, kb: Knowledge, e: esc.Assessment, w: walkaway.WalkAssessment
) -> list[MissingFact]:
    """Facts the playbooks would use and the deal lacks, each with the button that asks for it."""
    keys = [*e.missing, *e.strengthen, *w.missing, *w.strengthen]
    keys += [k for k in ("renewal_date", "escalation_ask", "planned_migration") if deal.fact(k) is None]
    seen: list[str] = []
    for k in keys:
        if k in kb.facts and k not in seen and deal.fact(k) is None:
            seen.append(k)
    return [
        MissingFact(k, kb.facts[k].label, {"intent": "escalation.update", "keys": [k], "then": "deal.brief"})
        for k in seen
    ]


def _near_secret(text: str, secrets: set[float], amounts_in: AmountsIn) -> bool:
    """A figure at or near a secret amount: "$1.8M" gives away a budget of $1,750,000."""
    return any(abs(a - s) <= 0.05 * s for a in amounts_in(text) for s in secrets if s > 0)


def _protected(kb: Knowledge, role: str, kind: str | None) -> bool:
    return kind is not None and disclosure.stance_for(kb, role, kind).stance == "protect"


def build(
    deal: DealView, kb: Knowledge, now: datetime, audience: str = INTERNAL, *, amounts_in: AmountsIn
) -> Brief:
    """The brief for `audience`. `amounts_in` reads the figures in a line (bot/understanding/
    money.py): a line near a secret amount is left out of a brief that leaves the team."""
    cfg: BriefConfig = kb.section("brief.brief")
    internal = audience == INTERNAL
    e, w = esc.assess(deal, kb, now), walkaway.assess(deal, kb)
    verdict, label, why = position(e, w, kb)
    all_marks = marks(deal, kb, now)
    missing = missing_facts(deal, kb, e, w)
    if internal:
        marking = Item(kb.say("brief.internal"), rule="brief.internal")
    else:
        role = kb.role(audience)
        title = role.title if role else audience
        marking = Item(kb.say("brief.for-microsoft", role=title), rule="brief.for-microsoft")
    budget = _money(deal.fact("budget_per_year"), currency(deal.facts))
    content: dict[str, list[Item]] = {
        "position": why,
        "gap": _gap(deal, kb),
        "ask": _ask(deal, kb),
        "rounds": _rounds(deal, kb, now, cfg),
        "commitments": _commitments(deal, kb, cfg),
        "favors": _favors(deal, kb, now),
        "levers": _levers(deal, kb),
        "walkaway": _walk(w, kb),
        "budget": [Item(kb.say("brief.budget", amount=budget), rule="brief.budget")] if budget else [],
        "dates": _dates(all_marks, kb, now.date(), cfg),
        "missing": [Item(kb.say("brief.missing", label=m.label), rule="brief.missing") for m in missing]
        or [Item(kb.say("brief.nothing-missing"), rule="brief.nothing-missing")],
    }
    # brief.* ids only word a line; reasons keep the playbooks' rule ids. Citing wording ids
    # would double every line in chat (Slack draws each cited rule as its own block).
    for items in content.values():
        for i, item in enumerate(items):
            if item.rule and item.rule.startswith("brief.") and item.rule not in CITED:
                items[i] = Item(item.text)
    secrets = secret_amounts(deal)
    sections = []
    for spec in cfg.sections:
        if spec.key == SUMMARY:
            continue  # made from the others, below
        if spec.key == "budget" and not internal:
            continue  # never, whatever the matrix says
        if not internal and _protected(kb, audience, spec.kind):
            continue
        items = content[spec.key]
        if not internal:  # a figure that matches a secret amount never leaves, whatever the wording
            items = [i for i in items if not _near_secret(i.text, secrets, amounts_in)]
        if items:
            sections.append(BriefSection(spec.key, spec.title, items))
    # The summary: the first line of a few sections, from what this reader may see; so a brief
    # for Microsoft can't summarise what it leaves out.
    lines = [s.items[0].text for key in cfg.summary for s in sections if s.key == key]
    lead = [label if label.endswith(".") else f"{label}."] if internal and verdict else []
    paragraph = " ".join([*lead, *lines])
    title = next((spec.title for spec in cfg.sections if spec.key == SUMMARY), "Summary")
    if paragraph:
        sections.insert(0, BriefSection(SUMMARY, title, [Item(paragraph)]))
    headline = kb.say("brief.headline", deal=deal.name, label=label)
    return Brief(
        deal=deal.name,
        audience=audience,
        headline=headline if internal else f"Brief for {deal.name}",
        verdict=verdict if internal else None,
        marking=marking,
        today=now.date(),
        sections=sections,
        missing=missing if internal else [],
        marks=all_marks
        if internal
        else [m for m in all_marks if m.kind in ("today", "microsoft", "statement")],
        renewal=_renewal(deal) if internal else None,
    )
