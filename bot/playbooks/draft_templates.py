"""Drafts from templates (knowledge/drafts.yaml), filled only with what the deal holds.

string.Template, line by line: a line whose placeholders can't all be filled is left out,
so a draft never invents a figure. Guards drop any line that would reveal a budget figure,
name a Microsoft rep (in the escalation note) or carry a threat.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from string import Template
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from bot.amounts import currency, format_money
from bot.knowledge import Knowledge, KnowledgeSection
from bot.playbooks import escalation as esc
from bot.timeline import MS_STATEMENT, DealView, Event

# Reads the figures written in a line of text (given by the caller: bot/understanding/money.py).
AmountsIn = Callable[[str], Iterable[float]]

# Facts that must never reach a draft, whatever a template asks for.
SECRET_FACT = re.compile(r"budget|ceiling|walk_threshold|max_spend|approved_spend")
FORBIDDEN_PLACEHOLDERS = {"budget", "budget_ceiling", "budget_target", "rep_name", "ae_name"}


class DraftTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    needs: list[str]
    lines: list[str]
    alternatives: list[list[str]] = []


def _validate_templates(raw: object) -> dict[str, DraftTemplate]:
    templates = TypeAdapter(dict[str, DraftTemplate]).validate_python(raw)
    for name, t in templates.items():
        for line in t.lines:
            for ph in placeholders(line):
                if ph in FORBIDDEN_PLACEHOLDERS or SECRET_FACT.search(ph):
                    raise ValueError(f"template {name!r} uses a forbidden placeholder ${ph}")
    return templates


def placeholders(line: str) -> list[str]:
    return [
        m.group("named") or m.group("braced")
        for m in Template.pattern.finditer(line)
        if m.group("named") or m.group("braced")
    ]


SECTIONS = (
    KnowledgeSection("drafts", "templates", _validate_templates),
    KnowledgeSection("drafts", "forbidden_words", TypeAdapter(list[str]).validate_python),
)


@dataclass
class Draft:
    template: str
    text: str
    dropped: list[str] = field(default_factory=list)  # why lines were left out (guards)


def render(
    name: str, values: dict[str, Any], kb: Knowledge, deal: DealView, *, amounts_in: AmountsIn
) -> Draft:
    """`amounts_in` reads the figures in a line (bot/understanding/money.py's `amounts_in`):
    the guard compares them with the deal's secret amounts; a playbook reads no text itself."""
    tpl: DraftTemplate = kb.section("drafts.templates")[name]
    filled = {k: str(v) for k, v in values.items() if v not in (None, "")}
    group_of = {line: i for i, group in enumerate(tpl.alternatives) for line in group}
    used_groups: set[int] = set()
    out: list[str] = []
    dropped: list[str] = []
    for line in tpl.lines:
        if any(ph not in filled for ph in placeholders(line)):
            continue
        group = group_of.get(line)
        if group is not None:
            if group in used_groups:
                continue
            used_groups.add(group)
        text = Template(line).safe_substitute(filled)
        problem = guard(text, kb, deal, name_reps=name == "escalation", amounts_in=amounts_in)
        if problem:
            dropped.append(problem)
            continue
        if text == "" and (not out or out[-1] == ""):
            continue  # no double blank lines where a line was left out
        out.append(text)
    return Draft(name, "\n".join(out).strip(), dropped)


def secret_amounts(deal: DealView) -> set[float]:
    return {
        float(v)
        for k, v in deal.facts.items()
        if SECRET_FACT.search(k) and isinstance(v, int | float) and not isinstance(v, bool)
    }


def guard(line: str, kb: Knowledge, deal: DealView, *, name_reps: bool, amounts_in: AmountsIn) -> str | None:
    """Why this line may not go out, or None."""
    low = line.casefold()
    if secret_amounts(deal) & set(amounts_in(line)) or re.search(r"\bbudget (ceiling|is|of|cap)\b", low):
        return "a line that would reveal your budget"
    if name_reps:
        for c in deal.contacts:
            if any(
                re.search(rf"(?<!\w){re.escape(part.casefold())}(?!\w)", low)
                for part in c.name.split()
                if len(part) > 2
            ):
                return "a line naming someone on Microsoft's team"
    for w in kb.section("drafts.forbidden_words"):
        if re.search(rf"(?<!\w){re.escape(w.casefold())}(?!\w)", low):
            return "a line that reads as a threat"
    return None


# --- values from the deal -------------------------------------------------------------


def _long_date(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def escalation_values(deal: DealView, kb: Knowledge) -> dict[str, Any]:
    f = deal.facts
    owner = esc.issue_owner(str(f.get("sticking_point") or ""), kb)
    deliverers = kb.section("escalation.deliverers")
    ask = f.get("ask_discount_pct")
    leader, _, _ = esc.target_leader(kb, float(ask) if isinstance(ask, int | float) else None, owner == "cio")
    value = f.get("sticking_point_value_per_year")
    rounds = f.get("rounds_with_account_team")
    return {
        "deal_name": deal.name,
        "target_title": leader.title.split(" (")[0],
        "deliverer_title": deliverers[owner].title,
        "sticking_point": _clean(f.get("sticking_point")),
        "sticking_value": format_money(value, currency(f)) if isinstance(value, int | float) else None,
        "rounds": int(rounds) if isinstance(rounds, int | float) and rounds >= 2 else None,
        "escalation_ask": _clean(f.get("escalation_ask")),
    }


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split()).strip(" .")
    return text or None


def latest_statement(deal: DealView, *types: str) -> Event | None:
    found = [e for e in deal.live_events(MS_STATEMENT) if e.payload.get("type") in types]
    return found[-1] if found else None


def recipient(deal: DealView, role: str | None) -> str | None:
    for c in deal.contacts:
        if c.active and role and c.role == role:
            return c.name.split()[0]
    return None


def when_words(at: datetime, now: datetime) -> str:
    days = (now.date() - at.date()).days
    return "today" if days == 0 else "yesterday" if days == 1 else f"on {at.day} {at:%B}"


def confirm_values(
    deal: DealView, commitment: str, at: datetime | None, role: str | None, now: datetime
) -> dict[str, Any]:
    return {
        "deal_name": deal.name,
        "recipient": recipient(deal, role) or "there",
        "when": when_words(at, now) if at else None,
        "commitment_to_confirm": _clean(commitment),
    }


def exploding_values(deal: DealView, now: datetime) -> dict[str, Any]:
    st = latest_statement(deal, "deadline")
    decision = deal.fact("decision_date")
    decision_text = None
    if decision:
        try:
            decision_text = _long_date(date.fromisoformat(str(decision)[:10]))
        except ValueError:
            decision_text = None
    return {
        "deal_name": deal.name,
        "recipient": recipient(deal, st.payload.get("role") if st else "ae") or "there",
        "deadline": _clean(st.payload.get("match")) if st else None,
        "decision_date": decision_text,
    }


def counter_values(deal: DealView) -> dict[str, Any]:
    """A counter-proposal to the AE: what we propose and why, from the deal's own facts."""
    f = deal.facts
    value = f.get("deal_value_per_year")
    return {
        "deal_name": deal.name,
        "recipient": recipient(deal, "ae") or "there",
        "counter_offer": _clean(f.get("counter_offer")),
        "counter_justification": _clean(f.get("counter_justification")),
        "sticking_point": _clean(f.get("sticking_point")),
        "deal_value": format_money(value, currency(f))
        if isinstance(value, int | float) and value > 0
        else None,
    }


def next_meeting(deal: DealView, now: datetime) -> Event | None:
    """The soonest live meeting still ahead (a meeting without a date counts as ahead)."""
    ahead = []
    for e in deal.live_events("meeting"):
        when = e.payload.get("when")
        try:
            at = datetime.fromisoformat(str(when)) if when else None
        except ValueError:
            at = None
        if at is None or at >= now:
            ahead.append((at or datetime.max.replace(tzinfo=now.tzinfo), e.id, e))
    return min(ahead)[2] if ahead else None


def agenda_values(deal: DealView, now: datetime) -> dict[str, Any]:
    """Ask for the agenda of the next logged meeting, adding our one item."""
    meeting = next_meeting(deal, now)
    p = meeting.payload if meeting else {}
    day = None
    if p.get("when"):
        try:
            day = f"{datetime.fromisoformat(str(p['when'])):%A %d %B}"
        except ValueError:
            day = None
    return {
        "deal_name": deal.name,
        "recipient": recipient(deal, p.get("role") or "ae") or "there",
        "topic": _clean(p.get("topic")),
        "day": day,
        "agenda_item": _clean(deal.fact("agenda_item")),
    }
