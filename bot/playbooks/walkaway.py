"""The walk-away position: is it real, and what does the honest math say?

Pure: (DealView, Knowledge) -> WalkAssessment. Totals are computed only from figures the
deal holds; nothing is estimated on the user's behalf.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from bot.amounts import currency, format_money
from bot.knowledge import Knowledge, KnowledgeSection
from bot.reply import Item, Reply, Section
from bot.timeline import DealView
from bot.unknown import is_unknown

WALK = "walk_is_right"
STAY = "stay"
NOT_CREDIBLE = "walk_not_credible"
LABELS = {
    WALK: "Walking is the right call.",
    STAY: "Stay, and keep the walk quiet.",
    NOT_CREDIBLE: "Don't threaten to walk.",
}

READINESS = ["alternative", "walk_threshold_agreed", "timeline_in_control"]
MATH = ["ms_annual_cost", "term_years", "annual_escalator_pct", "alternative_annual_cost", "switching_cost"]


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    inflated_switching_factor: float
    close_call_share: float


class SwitchingClaimWords(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    switch_words: str
    cost_words: str


SECTIONS = (
    KnowledgeSection("walkaway", "thresholds", Thresholds),
    KnowledgeSection("walkaway", "none_words", TypeAdapter(list[str]).validate_python),
    KnowledgeSection("walkaway", "switching_claim", SwitchingClaimWords),
)


@dataclass
class WalkAssessment:
    verdict: str | None
    missing: list[str] = field(default_factory=list)
    reasons: list[Item] = field(default_factory=list)
    math: list[Item] = field(default_factory=list)
    strengthen: list[str] = field(default_factory=list)  # facts that would sharpen a verdict already given

    @property
    def label(self) -> str:
        return LABELS.get(self.verdict or "", "")


def no_alternative(value: Any, kb: Knowledge) -> bool:
    low = str(value or "").casefold().strip(" .!")
    return low in (w.casefold() for w in kb.section("walkaway.none_words")) or bool(
        re.match(r"^(none|no|nothing)\b", low)
    )


def ms_total(annual: float, years: int, escalator_pct: float) -> float:
    """Microsoft's all-in cost over the term, with the yearly increase compounding."""
    rate = escalator_pct / 100.0
    return sum(annual * (1 + rate) ** i for i in range(years))


def alternative_total(annual: float, years: int, switching: float) -> float:
    return annual * years + switching


def totals(deal: DealView) -> tuple[float, float]:
    f = deal.facts
    years = int(f["term_years"])
    ms = ms_total(float(f["ms_annual_cost"]), years, float(f["annual_escalator_pct"]))
    alt = alternative_total(float(f["alternative_annual_cost"]), years, float(f["switching_cost"]))
    return ms, alt


def assess(deal: DealView, kb: Knowledge) -> WalkAssessment:
    """The math decides whether walking is right whenever the costs are known; whether a walk
    threat is credible is judged beside it, never instead of it."""
    th: Thresholds = kb.section("walkaway.thresholds")
    f = deal.facts
    a = WalkAssessment(verdict=None)
    readiness_missing = [k for k in READINESS if f.get(k) is None]
    # "Not sure" is neither yes nor no: credibility is then not established, and we say what we assumed.
    unsure = False
    if is_unknown(f.get("alternative")):
        unsure = True
        a.reasons.append(Item(kb.say("walkaway.alternative-unknown"), rule="walkaway.alternative-unknown"))
    elif f.get("alternative") is not None and no_alternative(f["alternative"], kb):
        a.reasons.append(Item(kb.say("walkaway.no-alternative"), rule="walkaway.no-alternative"))
    for key, no_rule, unsure_rule in (
        ("walk_threshold_agreed", "walkaway.threshold-not-agreed", "walkaway.threshold-unknown"),
        ("timeline_in_control", "walkaway.timeline-not-controlled", "walkaway.timeline-unknown"),
    ):
        if is_unknown(f.get(key)):
            unsure = True
            a.reasons.append(Item(kb.say(unsure_rule), rule=unsure_rule))
        elif f.get(key) is False:
            a.reasons.append(Item(kb.say(no_rule), rule=no_rule))
    not_credible = bool(a.reasons)
    if not_credible:
        closing = "walkaway.not-established" if unsure else "walkaway.no-bluff"
        a.reasons.append(Item(kb.say(closing), rule=closing))
    elif not readiness_missing:
        a.reasons.append(Item(kb.say("walkaway.position-ready"), rule="walkaway.position-ready"))
    a.math = honest_math(deal, kb, th) or []
    math_missing = [k for k in MATH if f.get(k) is None]
    math_unsure = [k for k in MATH if is_unknown(f.get(k))]
    if not math_missing and not math_unsure:  # the costs are known: the math gives the verdict
        ms, alt = totals(deal)
        a.verdict = WALK if alt < ms else STAY
        if a.verdict == STAY:
            a.math.append(Item(kb.say("walkaway.quiet-leverage"), rule="walkaway.quiet-leverage"))
        elif readiness_missing:
            a.reasons.append(Item(kb.say("walkaway.check-readiness"), rule="walkaway.check-readiness"))
        a.strengthen = readiness_missing
        return a
    past = past_agreed_point(deal, kb)
    if past is not None and not not_credible:
        # The term or the yearly increase is untold, but leadership's own walk point is passed and
        # the alternative pays its switching back from the yearly saving: the decision is made.
        a.verdict = WALK
        a.math = [past, *a.math]
        if readiness_missing:
            a.reasons.append(Item(kb.say("walkaway.check-readiness"), rule="walkaway.check-readiness"))
        a.strengthen = readiness_missing + math_missing
        return a
    if math_unsure and not math_missing:  # every figure answered, some "not sure": no walk on a guess
        what = ", ".join(kb.facts[k].label.lower() if k in kb.facts else k for k in math_unsure)
        a.math.append(Item(kb.say("walkaway.math-unknown", what=what), rule="walkaway.math-unknown"))
        a.verdict = NOT_CREDIBLE if not_credible else STAY
        a.strengthen = readiness_missing
        return a
    if not_credible:
        a.verdict = NOT_CREDIBLE
        a.strengthen = math_missing
        return a
    a.missing = readiness_missing or math_missing
    return a


def past_agreed_point(deal: DealView, kb: Knowledge) -> Item | None:
    """Microsoft's yearly offer above the walk-away price leadership agreed, with a costed
    alternative that is cheaper per year: the yearly saving against the one-off switching cost."""
    f = deal.facts
    cur = currency(f)
    figures = [
        f.get(k)
        for k in ("walk_threshold_per_year", "ms_annual_cost", "alternative_annual_cost", "switching_cost")
    ]
    if f.get("walk_threshold_agreed") is not True or not all(isinstance(v, int | float) for v in figures):
        return None
    if (
        f.get("alternative") is None
        or is_unknown(f.get("alternative"))
        or no_alternative(f["alternative"], kb)
    ):
        return None
    threshold, offer, alt, switching = (float(v) for v in figures)  # type: ignore[arg-type]
    saving = offer - alt
    if offer <= threshold or saving <= 0:
        return None
    return Item(
        kb.say(
            "walkaway.past-agreed-point",
            offer=format_money(offer, cur),
            threshold=format_money(threshold, cur),
            saving=format_money(saving, cur),
            switching=format_money(switching, cur),
            payback=f"{switching / saving:.1f}",
        ),
        rule="walkaway.past-agreed-point",
    )


def honest_math(deal: DealView, kb: Knowledge, th: Thresholds) -> list[Item] | None:
    f = deal.facts
    cur = currency(f)
    items: list[Item] = []
    claimed, ours = f.get("ms_claimed_switching_cost"), f.get("switching_cost")
    if isinstance(claimed, int | float) and isinstance(ours, int | float) and ours > 0:
        if claimed > th.inflated_switching_factor * ours:
            items.append(
                Item(
                    kb.say(
                        "walkaway.inflated-switching-cost",
                        claimed=format_money(claimed, cur),
                        ours=format_money(ours, cur),
                    ),
                    rule="walkaway.inflated-switching-cost",
                )
            )
    if any(not isinstance(f.get(k), int | float) for k in MATH):
        return items or None
    years = int(f["term_years"])
    ms, alt = totals(deal)
    rule = "walkaway.math-favors-leaving" if alt < ms else "walkaway.math-favors-staying"
    values = {
        "years": years,
        "ms_total": format_money(ms, cur),
        "alt_total": format_money(alt, cur),
        "gap": format_money(abs(ms - alt), cur),
    }
    items.insert(0, Item(kb.say(rule, **values), rule=rule))
    if f["annual_escalator_pct"]:
        items.append(
            Item(
                kb.say("walkaway.escalators-count", pct=f"{float(f['annual_escalator_pct']):g}"),
                rule="walkaway.escalators-count",
            )
        )
    if abs(ms - alt) <= th.close_call_share * max(ms, alt):
        items.append(Item(kb.say("walkaway.close-call"), rule="walkaway.close-call"))
    return items


def to_reply(a: WalkAssessment, deal: DealView, kb: Knowledge | None = None) -> Reply:
    sections = [Section(items=a.reasons)] if a.reasons else []
    if a.math:
        sections.insert(
            0 if a.verdict in (WALK, STAY) else len(sections), Section(title="The math", items=a.math)
        )
    if a.strengthen and kb is not None:
        asks = [Item(kb.facts[k].question) for k in a.strengthen if k in kb.facts]
        sections.append(Section(title="To strengthen the case", items=asks))
    return Reply(
        headline=f"{a.label} ({deal.name})",
        intent="walkaway.check",
        verdict=a.verdict,
        verdict_label=a.label,
        sections=sections,
    )


def switching_claim(text: str, amount: float | None, kb: Knowledge) -> float | None:
    """The amount (read from the statement by the caller) when the statement prices leaving
    Microsoft ("moving to Google would cost you $3M"), or None when it is about something else."""
    words: SwitchingClaimWords = kb.section("walkaway.switching_claim")
    if not (
        re.search(words.switch_words, text, re.IGNORECASE)
        and re.search(words.cost_words, text, re.IGNORECASE)
    ):
        return None
    return amount if amount is not None and amount >= 1000 else None


def check_switching_claim(claimed: float, ours: Any, kb: Knowledge, currency: str | None = None) -> Item:
    """Microsoft's switching-cost claim beside our own estimate (when we have one)."""
    th: Thresholds = kb.section("walkaway.thresholds")
    if not isinstance(ours, int | float) or ours <= 0:
        rule = "walkaway.switching-claim-unchecked"
        return Item(kb.say(rule, claimed=format_money(claimed, currency)), rule=rule)
    rule = (
        "walkaway.inflated-switching-cost"
        if claimed > th.inflated_switching_factor * ours
        else "walkaway.switching-claim-fair"
    )
    return Item(
        kb.say(rule, claimed=format_money(claimed, currency), ours=format_money(ours, currency)), rule=rule
    )
