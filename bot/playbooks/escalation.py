"""Escalation readiness: should we go over the account team's head now?

Pure: (DealView, Knowledge, now, the user's words) -> Assessment. Thresholds, wording, the
five-step checklist and Microsoft's ladder of authority live in knowledge/escalation.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from bot.alignment import TEAM_LABELS, TEAMS, parse_alignment
from bot.amounts import currency, format_money, in_deal_currency
from bot.knowledge import Knowledge, KnowledgeSection
from bot.reply import Action, Item, Reply, Section
from bot.timeline import MS_STATEMENT, DealView, Event
from bot.unknown import is_unknown

ESCALATE_NOW = "escalate_now"
NOT_YET = "not_yet"
DO_NOT = "do_not_escalate"
LABELS = {ESCALATE_NOW: "Escalate now.", NOT_YET: "Not yet.", DO_NOT: "Don't escalate."}

ESCALATION_EVENT = "escalation"  # {"text", "to"}: we escalated (logged by the user)
DRAFT_EVENT = "draft"  # {"template"}: a draft was produced

# Asked before any verdict that the facts could change.
CORE_FACTS = [
    "rounds_with_account_team",
    "internal_alignment",
    "sticking_point",
    "sticking_point_value_per_year",
]


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    too_early_max_rounds: int
    min_rounds: int
    minor_share_of_deal: float
    minor_floor_per_year: float
    again_within_days: int
    final_position_repeats: int
    stall_repeats: int
    recent_days: int
    ceo_min_deal_value_per_year: float
    remind_in_days: int


class ChecklistStep(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    step: str
    text: str
    rule: str


class Leader(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    title: str
    authority: str
    max_discount_pct: float
    non_standard: bool
    target: bool


class Deliverer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    rule: str
    words: list[str] = []


def _patterns(raw: Any) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in TypeAdapter(list[str]).validate_python(raw)]


SECTIONS = (
    KnowledgeSection("escalation", "thresholds", Thresholds),
    KnowledgeSection("escalation", "checklist", TypeAdapter(list[ChecklistStep]).validate_python),
    KnowledgeSection("escalation", "leaders", TypeAdapter(list[Leader]).validate_python),
    KnowledgeSection("escalation", "deliverers", TypeAdapter(dict[str, Deliverer]).validate_python),
    KnowledgeSection("escalation", "emotion_words", TypeAdapter(list[str]).validate_python),
    KnowledgeSection("escalation", "emotion_patterns", _patterns),
)


@dataclass
class Assessment:
    verdict: str | None  # None: facts are missing, ask first
    missing: list[str] = field(default_factory=list)
    blockers: list[Item] = field(default_factory=list)  # reasons not to (do_not_escalate)
    fixes: list[Item] = field(default_factory=list)  # what must come first (not_yet)
    support: list[Item] = field(default_factory=list)  # what is in place, triggers
    checklist: list[Item] = field(default_factory=list)
    who: list[Item] = field(default_factory=list)
    open_facts: list[str] = field(default_factory=list)  # facts a button could update
    strengthen: list[str] = field(default_factory=list)  # unknown, but the verdict stands without them
    assumed: list[Item] = field(default_factory=list)  # what a "not sure" answer was taken as
    confirm: list[Item] = field(default_factory=list)  # to confirm before the call (verdict stands)

    @property
    def label(self) -> str:
        return LABELS.get(self.verdict or "", "")


def is_emotional(text: str, kb: Knowledge) -> bool:
    """Heat in the words: a feeling, venting, a move in the heat of the moment, feeling slighted,
    doubled punctuation (knowledge/escalation.yaml `emotion_patterns`), or one of the words."""
    low = text.casefold()
    if any(p.search(text) for p in kb.section("escalation.emotion_patterns")):
        return True
    return any(
        re.search(rf"(?<!\w){re.escape(w.casefold())}", low) for w in kb.section("escalation.emotion_words")
    )


def issue_owner(sticking_point: str, kb: Knowledge) -> str:
    """'cfo' for money, 'cio' for terms and flexibility (by the words of the sticking point)."""
    deliverers: dict[str, Deliverer] = kb.section("escalation.deliverers")
    low = sticking_point.casefold()

    def hits(key: str) -> int:
        words = deliverers[key].words if key in deliverers else []
        return sum(1 for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", low))

    return "cio" if hits("cio") > hits("cfo") else "cfo"


def last_escalation(deal: DealView) -> date | None:
    dates = [e.at.date() for e in deal.live_events(ESCALATION_EVENT)]
    raw = deal.fact("last_escalation_date")
    if raw:
        try:
            dates.append(date.fromisoformat(str(raw)[:10]))
        except ValueError:
            pass
    return max(dates) if dates else None


def statements(deal: DealView, *types: str) -> list[Event]:
    return [e for e in deal.live_events(MS_STATEMENT) if not types or e.payload.get("type") in types]


def times_said(events: list[Event]) -> int:
    """How often these statements were made: one each, or what was told ("they've said it's
    final three times now" is logged once with `times: 3`)."""
    return sum(max(1, int(e.payload.get("times") or 1)) for e in events)


def has_draft(deal: DealView, template: str) -> bool:
    return any(e.payload.get("template") == template for e in deal.live_events(DRAFT_EVENT))


def _rounds(n: int) -> str:
    return f"{n} round{'s' if n != 1 else ''}"


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# --- whom to target -----------------------------------------------------------------


def target_leader(
    kb: Knowledge, ask_pct: float | None, non_standard: bool
) -> tuple[Leader, Leader | None, bool]:
    """The lowest Microsoft leader who can approve the ask, the level below them, and whether
    the ask was known. Never a level that cannot approve it."""
    leaders: list[Leader] = kb.section("escalation.leaders")
    targets = [ld for ld in leaders if ld.target]
    chosen = targets[0]
    if ask_pct is not None or non_standard:
        for ld in targets:
            if (ask_pct is None or ld.max_discount_pct >= ask_pct) and (not non_standard or ld.non_standard):
                chosen = ld
                break
        else:
            chosen = targets[-1]
    idx = leaders.index(chosen)
    below = leaders[idx - 1] if idx > 0 else None
    return chosen, below, ask_pct is not None or non_standard


# --- the assessment -------------------------------------------------------------------


def assess(
    deal: DealView, kb: Knowledge, now: datetime, text: str = "", *, answering: bool = False
) -> Assessment:
    """`do_not_escalate` only for what should never go up (a small amount, going up again too
    soon, a point the account team can still grant); `not_yet` when the way is open later
    (too few rounds, a split team, a heated moment). A verdict is given as soon as the facts
    at hand decide it; the facts still missing are then listed to strengthen the case.
    `answering`: the person is answering the coach's questions, so what it asked is awaited,
    not assumed."""
    facts = deal.facts
    point = facts.get("sticking_point")
    owner = issue_owner("" if is_unknown(point) else str(point or ""), kb)
    a = Assessment(verdict=None)
    _reasons_not_to(a, deal, kb, now, owner)
    _what_comes_first(a, facts, kb, text, owner)
    # A point about terms (data residency, a licence-reduction right) has no price to put on it.
    worth_told_as_share = _number(facts.get("sticking_point_share_pct")) is not None
    needed = [
        k
        for k in CORE_FACTS
        if not (k == "sticking_point_value_per_year" and (worth_told_as_share or (point and owner != "cfo")))
    ]
    a.missing = [k for k in needed if facts.get(k) is None]
    if "sticking_point" in a.missing and _gap_is_the_price(facts):
        # A money gap told with the offer benchmarked over market ("the gap is $1.2M", "the
        # difference to their proposal is 9M a year"): the open point is the price.
        a.missing.remove("sticking_point")
        a.assumed.append(Item(kb.say("escalation.point-is-price"), rule="escalation.point-is-price"))
    _discount_is_the_point(a, facts, kb)
    a.checklist = checklist(deal, kb, text)
    if a.blockers or a.fixes:
        return _decided_early(a, deal, kb, owner)
    if not answering:
        _point_to_confirm(a, facts, kb)
    if a.missing:
        return a
    return _decided_with_every_fact(a, deal, kb, now, owner)


def _point_to_confirm(a: Assessment, facts: dict[str, Any], kb: Knowledge) -> None:
    """Rounds tried, the team behind the ask and the point named, with only its worth untold: the
    verdict is given on what was told, with the worth to confirm before the call, instead of a
    form (a worth under the floor would make it a no: the reply says so). An unnamed point stays
    a question: without one specific ask there is nothing to take up."""
    if a.missing != ["sticking_point_value_per_year"]:
        return
    if facts.get("rounds_with_account_team") is None or facts.get("internal_alignment") is None:
        return
    th: Thresholds = kb.section("escalation.thresholds")
    floor = format_money(_scaled(th.minor_floor_per_year, facts, kb), currency(facts))
    a.confirm.append(Item(kb.say("escalation.confirm-worth", floor=floor), rule="escalation.confirm-worth"))
    a.open_facts.append("sticking_point_value_per_year")
    a.missing = []


def _discount_is_the_point(a: Assessment, facts: dict[str, Any], kb: Knowledge) -> None:
    """No point named, but an extra discount asked for on an offer checked as over market ("we
    need 12% more off"): the price is the point, worth that share of their yearly price."""
    pct, offer = _number(facts.get("ask_discount_pct")), _number(facts.get("ms_annual_cost"))
    if "sticking_point" not in a.missing or pct is None or offer is None:
        return
    if facts.get("offer_uncompetitive") is not True:
        return
    a.missing.remove("sticking_point")
    worth = pct / 100.0 * offer
    if "sticking_point_value_per_year" in a.missing:
        a.missing.remove("sticking_point_value_per_year")
    money = currency(facts)
    text = kb.say(
        "escalation.point-is-discount",
        pct=f"{pct:g}",
        offer=format_money(offer, money),
        worth=format_money(worth, money),
    )
    a.assumed.append(Item(text, rule="escalation.point-is-discount"))


def _gap_is_the_price(facts: dict[str, Any]) -> bool:
    """No point named, but its worth told in money and the offer checked as over market."""
    return (
        facts.get("sticking_point") is None
        and _number(facts.get("sticking_point_value_per_year")) is not None
        and facts.get("offer_uncompetitive") is True
    )


# Reasons never to go up (do_not_escalate): each adds to `a.blockers`.


def _reasons_not_to(a: Assessment, deal: DealView, kb: Knowledge, now: datetime, owner: str) -> None:
    _too_soon_again(a, deal, kb, now)
    _too_small(a, deal.facts, kb)
    _account_team_can_grant(a, deal.facts, kb, owner)


def _too_soon_again(a: Assessment, deal: DealView, kb: Knowledge, now: datetime) -> None:
    th: Thresholds = kb.section("escalation.thresholds")
    last = last_escalation(deal)
    if last is None:
        return
    days = (now.date() - last).days
    if 0 <= days < th.again_within_days:
        rule = "escalation.too-soon-again-today" if days == 0 else "escalation.too-soon-again"
        a.blockers.append(Item(kb.say(rule, days=f"{days} day{'s' if days != 1 else ''}"), rule=rule))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _too_small(a: Assessment, facts: dict[str, Any], kb: Knowledge) -> None:
    """Small against a floor or against the deal; big enough is support, unknown an assumption.
    A worth told as a share of the deal ("about 0.3% of the run-rate") counts as its amount when
    the deal's size is known (its value or Microsoft's yearly offer), and as a share when not."""
    th: Thresholds = kb.section("escalation.thresholds")
    value = facts.get("sticking_point_value_per_year")
    # The deal's yearly size: its value, else Microsoft's yearly offer ("12.5% of their offer").
    deal_value = facts.get("deal_value_per_year")
    if _number(deal_value) is None:
        deal_value = facts.get("ms_annual_cost")
    share = _number(facts.get("sticking_point_share_pct"))
    if value is None and share is not None:
        dv = _number(deal_value)
        if dv is not None and dv > 0:
            value = share / 100.0 * dv
        else:
            minor = share / 100.0 < th.minor_share_of_deal
            rule = "escalation.minor-share" if minor else "escalation.big-enough-share"
            (a.blockers if minor else a.support).append(Item(kb.say(rule, pct=f"{share:g}"), rule=rule))
            return
    if is_unknown(value):
        a.assumed.append(Item(kb.say("escalation.value-unknown"), rule="escalation.value-unknown"))
        return
    if not isinstance(value, int | float):
        return
    minor = value < _scaled(th.minor_floor_per_year, facts, kb) or (
        isinstance(deal_value, int | float) and deal_value > 0 and value < th.minor_share_of_deal * deal_value
    )
    rule = "escalation.minor-issue" if minor else "escalation.big-enough"
    (a.blockers if minor else a.support).append(
        Item(kb.say(rule, value=format_money(value, currency(facts))), rule=rule)
    )


def _scaled(usd: float, facts: dict[str, Any], kb: Knowledge) -> float:
    """A dollar threshold in the deal's currency (knowledge/core.yaml `per_usd`)."""
    return in_deal_currency(usd, currency(facts), kb.section("core.per_usd"))


def _account_team_can_grant(a: Assessment, facts: dict[str, Any], kb: Knowledge, owner: str) -> None:
    ask_pct = facts.get("ask_discount_pct")
    if facts.get("sticking_point") is None or owner != "cfo" or not isinstance(ask_pct, int | float):
        return
    ae = next(ld for ld in kb.section("escalation.leaders") if ld.key == "ae")
    if ask_pct <= ae.max_discount_pct:
        rule = "escalation.ae-can-approve"
        a.blockers.append(Item(kb.say(rule, pct=f"{ask_pct:g}"), rule=rule))


# What must come first (not_yet): each adds to `a.fixes`; the way up stays open afterwards.


def _what_comes_first(a: Assessment, facts: dict[str, Any], kb: Knowledge, text: str, owner: str) -> None:
    if is_unknown(facts.get("sticking_point")):
        a.fixes.append(Item(kb.say("escalation.point-unknown"), rule="escalation.point-unknown"))
        a.open_facts.append("sticking_point")
    if text and is_emotional(text, kb):
        a.fixes.append(Item(kb.say("escalation.emotional"), rule="escalation.emotional"))
    _rounds_tried(a, facts, kb)
    _team_aligned(a, facts, kb)
    # A price escalation with no budget target behind it muddles the message (seed 000): told
    # that Finance has set none, that alone says not yet, whatever else is still untold.
    no_target = facts.get("budget_target_set") is False and facts.get("budget_per_year") is None
    if no_target and owner == "cfo":
        a.fixes.append(Item(kb.say("escalation.no-budget-target"), rule="escalation.no-budget-target"))
        a.open_facts.append("budget_target_set")
    # Price is argued from benchmarks: "not sure it was checked" means check it first.
    if is_unknown(facts.get("offer_uncompetitive")) and owner == "cfo":
        a.fixes.append(Item(kb.say("escalation.offer-unchecked"), rule="escalation.offer-unchecked"))
        a.open_facts.append("offer_uncompetitive")


def _rounds_tried(a: Assessment, facts: dict[str, Any], kb: Knowledge) -> None:
    th: Thresholds = kb.section("escalation.thresholds")
    rounds = facts.get("rounds_with_account_team")
    if is_unknown(rounds):
        a.fixes.append(Item(kb.say("escalation.rounds-unknown"), rule="escalation.rounds-unknown"))
        a.open_facts.append("rounds_with_account_team")
        return
    if not isinstance(rounds, int | float):
        return
    n = int(rounds)
    said = _rounds(n).capitalize()
    if n <= th.too_early_max_rounds:
        a.fixes.append(Item(kb.say("escalation.too-early", rounds=said), rule="escalation.too-early"))
    elif n < th.min_rounds:
        rule = "escalation.exhaust-standard-channels"
        a.fixes.append(Item(kb.say(rule, rounds=said), rule=rule))
    else:
        rule = "escalation.channels-tried"
        a.support.append(Item(kb.say(rule, rounds=said), rule=rule))


def _team_aligned(a: Assessment, facts: dict[str, Any], kb: Knowledge) -> None:
    said = facts.get("internal_alignment")
    if is_unknown(said):
        a.fixes.append(Item(kb.say("escalation.alignment-unknown"), rule="escalation.alignment-unknown"))
        a.open_facts.append("internal_alignment")
        return
    if said is None:
        return
    alignment = parse_alignment(said)
    not_aligned = [TEAM_LABELS[t] for t in TEAMS if alignment[t] is False]
    unsaid = [TEAM_LABELS[t] for t in TEAMS if alignment[t] is None]
    if not not_aligned and len(unsaid) == 1:
        # The two others are on board and this team was simply not mentioned: the verdict stands on
        # what was said, with that team's agreement to confirm before the call.
        rule = "escalation.confirm-team"
        a.support.append(
            Item(
                kb.say("escalation.aligned-told", who=_join([TEAM_LABELS[t] for t in TEAMS if alignment[t]])),
                rule="escalation.aligned-told",
            )
        )
        a.confirm.append(Item(kb.say(rule, who=_join(unsaid)), rule=rule))
        return
    if not not_aligned and not unsaid:
        a.support.append(Item(kb.say("escalation.aligned"), rule="escalation.aligned"))
        return
    not_aligned += unsaid
    verb = "is" if len(not_aligned) == 1 else "are"
    rule = "escalation.align-first"
    a.fixes.append(Item(kb.say(rule, who=f"{_join(not_aligned)} {verb}"), rule=rule))
    a.open_facts.append("internal_alignment")


# The verdict.


def _decided_early(a: Assessment, deal: DealView, kb: Knowledge, owner: str) -> Assessment:
    """A blocker or a fix decides now; the facts still missing would only strengthen the case."""
    a.verdict = DO_NOT if a.blockers else NOT_YET
    a.strengthen = [k for k in a.missing if k not in a.open_facts]
    a.open_facts += a.strengthen
    a.missing = []
    if a.verdict == NOT_YET:
        a.who = who_and_whom(deal, kb, owner) if deal.fact("sticking_point") is not None else []
    return a


def _decided_with_every_fact(
    a: Assessment, deal: DealView, kb: Knowledge, now: datetime, owner: str
) -> Assessment:
    """Every core fact is in and nothing stands in the way: a money point also needs a budget
    target, and Microsoft's own statements may add triggers (or facts to check them)."""
    budget = _budget_target(a, deal, kb) if owner == "cfo" else []
    needs_later = triggers(deal, kb, now, a)
    a.who = who_and_whom(deal, kb, owner)
    if a.fixes:
        a.verdict = NOT_YET
        return a
    if needs_later:  # a form is asked anyway: the budget target goes in the same one question
        a.missing = budget + needs_later
        return a
    if budget:
        # Everything else is in place and only the budget target is untold: the verdict stands,
        # with the target as the one thing to confirm before the call (seed 000: a price
        # escalation with no budget target behind it muddles the message).
        rule = "escalation.confirm-budget-target"
        a.confirm.append(Item(kb.say(rule), rule=rule))
        a.open_facts.append("budget_target_set")
    a.verdict = ESCALATE_NOW
    a.support.insert(0, Item(kb.say("escalation.ready"), rule="escalation.ready"))
    return a


def _budget_target(a: Assessment, deal: DealView, kb: Knowledge) -> list[str]:
    """A fix when there is no budget target (or nobody knows); the fact to confirm when not yet
    said. A budget figure on record is a target set."""
    target_set = deal.fact("budget_target_set")
    budget = deal.fact("budget_per_year")
    if target_set is None and isinstance(budget, int | float) and not isinstance(budget, bool) and budget > 0:
        target_set = True
    if target_set is False:
        if any(i.rule == "escalation.no-budget-target" for i in a.fixes):
            return []
        a.fixes.append(Item(kb.say("escalation.no-budget-target"), rule="escalation.no-budget-target"))
        a.open_facts.append("budget_target_set")
    elif is_unknown(target_set):
        rule = "escalation.budget-target-unknown"
        a.fixes.append(Item(kb.say(rule), rule=rule))
        a.open_facts.append("budget_target_set")
    elif target_set is None:
        return ["budget_target_set"]
    return []


def triggers(deal: DealView, kb: Knowledge, now: datetime, a: Assessment) -> list[str]:
    """Adds the triggers Microsoft's own statements set off; returns facts still needed."""
    th: Thresholds = kb.section("escalation.thresholds")
    needed: list[str] = []
    finals = statements(deal, "final_offer", "global_policy")
    if times_said(finals) >= th.final_position_repeats:
        verified = deal.fact("offer_uncompetitive")
        if verified is True:
            a.support.append(
                Item(
                    kb.say("escalation.trigger-final-position", times=_times(times_said(finals))),
                    rule="escalation.trigger-final-position",
                )
            )
        elif verified is False:
            a.support.append(Item(kb.say("escalation.verify-offer"), rule="escalation.verify-offer"))
        elif not is_unknown(verified):  # "not sure" is already a fix (escalation.offer-unchecked)
            needed.append("offer_uncompetitive")
    recent = [e for e in statements(deal, "deadline") if (now - e.at).days <= th.recent_days]
    if recent:
        what = str(recent[-1].payload.get("label") or "sign by a deadline")
        a.support.append(
            Item(
                kb.say("escalation.trigger-exploding-offer", what=what),
                rule="escalation.trigger-exploding-offer",
            )
        )
    if statements(deal, "verbal_refused"):
        a.support.append(
            Item(kb.say("escalation.trigger-verbal-promises"), rule="escalation.trigger-verbal-promises")
        )
    stalls = statements(deal, "stall")
    if times_said(stalls) >= th.stall_repeats:
        a.support.append(
            Item(
                kb.say("escalation.trigger-stalls", times=_times(times_said(stalls))),
                rule="escalation.trigger-stalls",
            )
        )
    return needed


def who_and_whom(deal: DealView, kb: Knowledge, owner: str) -> list[Item]:
    th: Thresholds = kb.section("escalation.thresholds")
    deliverers: dict[str, Deliverer] = kb.section("escalation.deliverers")
    issue = str(deal.fact("sticking_point") or "") or "the price"  # no point named: the price is it
    deal_value = deal.fact("deal_value_per_year")
    items: list[Item] = []
    if (
        isinstance(deal_value, int | float)
        and deal_value >= _scaled(th.ceo_min_deal_value_per_year, deal.facts, kb)
        and deal.fact("ceo_knows_ms_leadership") is True
    ):
        items.append(Item(kb.say(deliverers["ceo"].rule), rule=deliverers["ceo"].rule))
    else:
        items.append(Item(kb.say(deliverers[owner].rule, issue=issue), rule=deliverers[owner].rule))
    ask_pct = deal.fact("ask_discount_pct")
    pct = float(ask_pct) if isinstance(ask_pct, int | float) else None
    leader, below, known = target_leader(kb, pct, non_standard=owner == "cio")
    if known:
        below_title = below.title if below else "level below"
        items.append(
            Item(
                kb.say(
                    "escalation.target-authority",
                    target=leader.title,
                    authority=leader.authority,
                    below=below_title,
                ),
                rule="escalation.target-authority",
            )
        )
    else:
        items.append(
            Item(
                kb.say("escalation.target-unknown-ask", target=leader.title),
                rule="escalation.target-unknown-ask",
            )
        )
    return items


def checklist(deal: DealView, kb: Knowledge, text: str = "") -> list[Item]:
    th: Thresholds = kb.section("escalation.thresholds")
    facts = deal.facts
    rounds = facts.get("rounds_with_account_team")
    alignment = parse_alignment(facts.get("internal_alignment"))
    owner = issue_owner(str(facts.get("sticking_point") or ""), kb)
    ask = facts.get("ask_discount_pct")
    leader, _, known = target_leader(kb, float(ask) if isinstance(ask, int | float) else None, owner == "cio")
    done = {
        "channels": isinstance(rounds, int | float) and rounds >= th.min_rounds,
        "alignment": all(alignment[t] is True for t in TEAMS),
        "message": has_draft(deal, "escalation"),
        "target": known and facts.get("sticking_point") is not None,
        "tone": not (text and is_emotional(text, kb)),
    }
    steps: list[ChecklistStep] = kb.section("escalation.checklist")
    return [
        Item(s.text.format(target=leader.title), rule=s.rule, done=done.get(s.step, False)) for s in steps
    ]


# --- the reply ------------------------------------------------------------------------


def to_reply(a: Assessment, deal: DealView, kb: Knowledge) -> Reply:
    th: Thresholds = kb.section("escalation.thresholds")
    sections: list[Section] = []
    actions: list[Action] = []
    if a.verdict == DO_NOT:
        # Heat is a reason too when something else already rules going up out (seed 000).
        reasons = a.blockers + [i for i in a.fixes if i.rule == "escalation.emotional"]
        n = len(reasons)
        headline = f"{a.label} {'One reason' if n == 1 else f'{n} reasons'}:"
        sections.append(Section(items=reasons))
    elif a.verdict == NOT_YET:
        n = len(a.fixes)
        headline = f"{a.label} {'One thing' if n == 1 else f'{n} things'} first:"
        sections.append(Section(items=a.fixes))
        if a.support:
            sections.append(Section(title="Already in place", items=a.support))
    else:
        headline = f"{a.label} The groundwork is done for {deal.name}."
        sections.append(Section(items=a.support))
    if a.confirm:
        sections.append(Section(title="Confirm before the call", items=a.confirm))
    if a.assumed:
        sections.append(Section(title="What I assumed", items=a.assumed))
    if a.who and a.verdict != DO_NOT:
        sections.append(Section(title="Who speaks, and to whom", items=a.who))
    if a.strengthen:
        asks = [Item(kb.facts[k].question) for k in a.strengthen if k in kb.facts]
        sections.append(Section(title="To strengthen the case", items=asks))
    sections.append(Section(title="Five-step checklist", items=a.checklist, style="checklist"))

    if a.verdict == ESCALATE_NOW:
        actions.append(Action("Draft the note", {"intent": "draft.escalation"}, style="primary"))
    else:
        if a.verdict == NOT_YET:
            actions.append(Action("Draft the note", {"intent": "draft.escalation"}))
        days = th.remind_in_days
        actions.append(
            Action(
                f"Remind me in {days} days",
                {
                    "intent": "reminders.add",
                    "n": str(days),
                    "unit": "day",
                    "what": f"ask again: should we escalate {deal.name}?",
                },
            )
        )
    for key in a.open_facts[:2]:
        spec = kb.facts.get(key)
        if spec:
            actions.append(
                Action(f"Update: {spec.label.lower()}", {"intent": "escalation.update", "keys": [key]})
            )
    return Reply(
        headline=headline,
        intent="escalation.check",
        verdict=a.verdict,
        verdict_label=a.label,
        sections=sections,
        actions=actions,
    )
