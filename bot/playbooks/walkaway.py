"""The walk-away position: is it real, and what does the honest math say?

Pure: (DealView, Knowledge) -> WalkAssessment. Totals are computed only from figures the
deal holds; nothing is estimated on the user's behalf.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from types import MappingProxyType
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
    escalator_ceiling_pct: float
    # Staying cheaper flat, and only a rise at least this steep would turn it: assume flat and say so
    flat_unless_rise_pct: float = 5.0


class SwitchingClaimWords(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    switch_words: str
    cost_words: str


SECTIONS = (
    KnowledgeSection("walkaway", "thresholds", Thresholds),
    KnowledgeSection("walkaway", "none_words", TypeAdapter(list[str]).validate_python),
    KnowledgeSection("walkaway", "switching_claim", SwitchingClaimWords),
    KnowledgeSection("walkaway", "credibility_asked", lambda raw: re.compile(str(raw), re.IGNORECASE)),
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


def _money(f: dict[str, Any], key: str) -> float | None:
    v = f.get(key)
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def has_alternative(f: dict[str, Any], kb: Knowledge) -> bool | None:
    """Whether there is an alternative: a yearly cost for one says so even when it went unnamed;
    None when nothing was told (or "not sure")."""
    if _money(f, "alternative_annual_cost") is not None:
        return True
    value = f.get("alternative")
    if value is None or is_unknown(value):
        return None
    return not no_alternative(value, kb)


def threshold_agreed(f: dict[str, Any]) -> Any:
    """Leadership's walk point: told as agreed, or a walk-away price per year on record (that is
    leadership's point by its question) unless told as not agreed."""
    said = f.get("walk_threshold_agreed")
    if said is None and _money(f, "walk_threshold_per_year") is not None:
        return True
    return said


def _readiness(f: dict[str, Any], kb: Knowledge) -> dict[str, Any]:
    alt = f.get("alternative")
    if alt is None and has_alternative(f, kb):
        alt = "costed"
    return {
        "alternative": alt,
        "walk_threshold_agreed": threshold_agreed(f),
        "timeline_in_control": f.get("timeline_in_control"),
    }


def assess(deal: DealView, kb: Knowledge, text: str = "") -> WalkAssessment:
    """`_assess` below; with Microsoft's offer untold and what we pay now on record, staying is
    priced at what we pay now, said so, and their offer is listed to strengthen the case."""
    spend = _money(deal.facts, "deal_value_per_year")
    if deal.facts.get("ms_annual_cost") is not None or spend is None:
        return _assess(deal, kb, text)
    facts = MappingProxyType({**deal.facts, "ms_annual_cost": spend})
    a = _assess(replace(deal, timeline=replace(deal.timeline, facts=facts)), kb, text)
    if a.verdict is None:
        return _assess(deal, kb, text)  # a form is asked anyway: it asks for their offer too
    said = kb.say("walkaway.staying-at-current-spend", spend=format_money(spend, currency(deal.facts)))
    a.math.append(Item(said, rule="walkaway.staying-at-current-spend"))
    a.strengthen = ["ms_annual_cost", *a.strengthen]
    return a


def _assess(deal: DealView, kb: Knowledge, text: str = "") -> WalkAssessment:
    """The math decides whether walking is right whenever the costs are known (or bound it, when
    the figures told already settle it); whether a walk threat is credible is judged beside it,
    never instead of it. Short of the math, leadership's own walk point decides when Microsoft's
    offer is under it; a walk with no agreed point or no costed alternative is not credible now.
    Only facts that could still change the verdict are asked; the rest are listed to strengthen."""
    th: Thresholds = kb.section("walkaway.thresholds")
    f = deal.facts
    a = WalkAssessment(verdict=None)
    ready = _readiness(f, kb)
    readiness_missing = [k for k in READINESS if ready.get(k) is None]
    # "Not sure" is neither yes nor no: credibility is then not established, and we say what we assumed.
    unsure = False
    if is_unknown(ready["alternative"]):
        unsure = True
        a.reasons.append(Item(kb.say("walkaway.alternative-unknown"), rule="walkaway.alternative-unknown"))
    elif ready["alternative"] is not None and no_alternative(ready["alternative"], kb):
        a.reasons.append(Item(kb.say("walkaway.no-alternative"), rule="walkaway.no-alternative"))
    elif is_unknown(f.get("alternative_annual_cost")):
        # An alternative named but not costed: Microsoft prices against a number, not a name.
        a.reasons.append(
            Item(kb.say("walkaway.alternative-not-costed"), rule="walkaway.alternative-not-costed")
        )
    for key, no_rule, unsure_rule in (
        ("walk_threshold_agreed", "walkaway.threshold-not-agreed", "walkaway.threshold-unknown"),
        ("timeline_in_control", "walkaway.timeline-not-controlled", "walkaway.timeline-unknown"),
    ):
        if is_unknown(ready.get(key)):
            unsure = True
            a.reasons.append(Item(kb.say(unsure_rule), rule=unsure_rule))
        elif ready.get(key) is False:
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
    bound = math_bound(deal, kb)
    if bound is not None:  # the figures told settle the math whatever the untold ones turn out to be
        a.verdict, item = bound
        a.math = [item, *a.math]
        if a.verdict == STAY:
            a.math.append(Item(kb.say("walkaway.quiet-leverage"), rule="walkaway.quiet-leverage"))
        elif readiness_missing:
            a.reasons.append(Item(kb.say("walkaway.check-readiness"), rule="walkaway.check-readiness"))
        a.strengthen = readiness_missing + math_missing
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
    under = under_agreed_point(deal, kb)
    if under is not None:
        # Microsoft's offer is inside the line leadership agreed, and nothing told makes the
        # alternative cheaper: stay. Whether the timeline is ours cannot change that.
        a.verdict = STAY
        a.math = [under, *a.math, Item(kb.say("walkaway.quiet-leverage"), rule="walkaway.quiet-leverage")]
        a.reasons = [r for r in a.reasons if r.rule not in ("walkaway.no-bluff", "walkaway.not-established")]
        a.strengthen = [k for k in readiness_missing + math_missing if k != "timeline_in_control"]
        return a
    if math_unsure and not math_missing:  # every figure answered, some "not sure": no walk on a guess
        what = ", ".join(kb.facts[k].label.lower() if k in kb.facts else k for k in math_unsure)
        a.math.append(Item(kb.say("walkaway.math-unknown", what=what), rule="walkaway.math-unknown"))
        a.verdict = NOT_CREDIBLE if not_credible else STAY
        a.strengthen = readiness_missing
        return a
    if not_credible:
        a.verdict = NOT_CREDIBLE
        a.strengthen = readiness_missing + math_missing
        return a
    # Asked whether a walk threat would be believed, with the walk told about but its footing
    # untold: a position not yet established is not credible now; say what would make it so.
    told = any(f.get(k) is not None for k in ("alternative", "ms_annual_cost", "alternative_annual_cost"))
    if text and told and readiness_missing and kb.section("walkaway.credibility_asked").search(text):
        what = ", ".join(kb.facts[k].label.lower() if k in kb.facts else k for k in readiness_missing)
        a.verdict = NOT_CREDIBLE
        a.reasons.append(Item(kb.say("walkaway.untold-footing", what=what), rule="walkaway.untold-footing"))
        a.strengthen = readiness_missing + math_missing
        return a
    # Nothing decides yet. The missing figures decide whatever they turn out to be; a readiness
    # question decides only if answered "no". So the figures are asked once the alternative is
    # costed or they are the shorter way to a verdict; otherwise readiness comes first.
    costed = _money(f, "alternative_annual_cost") is not None
    if readiness_missing and (costed or len(math_missing) <= len(readiness_missing)):
        # An alternative's cost is asked about a named alternative: an untold one is asked first.
        a.missing = (["alternative"] if ready["alternative"] is None else []) + math_missing
    else:
        a.missing = readiness_missing or math_missing
    return a


def math_bound(deal: DealView, kb: Knowledge) -> tuple[str, Item] | None:
    """The honest math settled by the figures told, with one or two still untold: leaving is
    cheaper even with Microsoft's price taken as flat (a yearly increase only widens the gap), or
    the alternative is dearer even before its switching cost."""
    f = deal.facts
    cur = currency(f)
    ms, alt = _money(f, "ms_annual_cost"), _money(f, "alternative_annual_cost")
    switching = _money(f, "switching_cost")
    years = f.get("term_years")
    esc = f.get("annual_escalator_pct")
    n = int(years) if isinstance(years, int | float) and not isinstance(years, bool) and years > 0 else None
    rate = float(esc) if isinstance(esc, int | float) and not isinstance(esc, bool) else None
    if ms is None or alt is None:
        return None
    if n is not None and switching is not None and rate is None:
        ms_low, alt_all = ms_total(ms, n, 0.0), alternative_total(alt, n, switching)
        if alt_all < ms_low:
            return WALK, Item(
                kb.say(
                    "walkaway.math-favors-leaving-flat",
                    years=n,
                    ms_total=format_money(ms_low, cur),
                    alt_total=format_money(alt_all, cur),
                    gap=format_money(ms_low - alt_all, cur),
                ),
                rule="walkaway.math-favors-leaving-flat",
            )
    if n is not None and switching is not None and rate is None:
        # Staying is cheaper even if their price rose each year by more than any renewal does:
        # the untold increase cannot change the verdict, so it is not asked.
        th: Thresholds = kb.section("walkaway.thresholds")
        ms_high, alt_all = ms_total(ms, n, th.escalator_ceiling_pct), alternative_total(alt, n, switching)
        if alt_all >= ms_high:
            return STAY, Item(
                kb.say(
                    "walkaway.alternative-dearer-any-increase",
                    years=n,
                    pct=f"{th.escalator_ceiling_pct:g}",
                    ms_total=format_money(ms_high, cur),
                    alt_total=format_money(alt_all, cur),
                ),
                rule="walkaway.alternative-dearer-any-increase",
            )
    if n is not None and switching is not None and rate is None:
        # Flat, staying is cheaper; some yearly increase would turn it. The verdict is given on
        # their price as told, with the increase that would change it, instead of a question.
        alt_all = alternative_total(alt, n, switching)
        limits: Thresholds = kb.section("walkaway.thresholds")
        turn = _turning_increase(ms, n, alt_all, limits.escalator_ceiling_pct)
        # A rise as small as renewals carry could turn it: then the increase is asked instead,
        # unless their offer is inside the walk-away line leadership agreed: the line and the flat
        # math then agree on staying, and the increase is named as what would change it.
        within_line = under_agreed_point(deal, kb, cheaper_elsewhere=True) is not None
        if turn is not None and (turn >= limits.flat_unless_rise_pct or within_line):
            return STAY, Item(
                kb.say(
                    "walkaway.stay-if-flat",
                    years=n,
                    ms_total=format_money(ms_total(ms, n, 0.0), cur),
                    alt_total=format_money(alt_all, cur),
                    pct=f"{turn:.1f}".rstrip("0").rstrip("."),
                ),
                rule="walkaway.stay-if-flat",
            )
    if rate is not None:
        if n is not None:
            ms_all, alt_low = ms_total(ms, n, rate), alt * n + (switching or 0.0)
        elif rate == 0:  # flat: year by year is the whole story, whatever the term
            ms_all, alt_low = ms, alt
        else:
            return None
        if alt_low >= ms_all:
            return STAY, Item(
                kb.say("walkaway.alternative-dearer", alt=format_money(alt, cur), ms=format_money(ms, cur)),
                rule="walkaway.alternative-dearer",
            )
    return None


def _turning_increase(ms: float, years: int, alt_all: float, ceiling: float) -> float | None:
    """The yearly increase (in %) at which Microsoft over `years` costs as much as leaving, when
    staying is cheaper flat and dearer at `ceiling`; None otherwise."""
    if ms_total(ms, years, 0.0) > alt_all or ms_total(ms, years, ceiling) <= alt_all:
        return None
    low, high = 0.0, ceiling
    for _ in range(40):
        mid = (low + high) / 2
        low, high = (mid, high) if ms_total(ms, years, mid) <= alt_all else (low, mid)
    return high


def under_agreed_point(deal: DealView, kb: Knowledge, *, cheaper_elsewhere: bool = False) -> Item | None:
    """Microsoft's yearly offer at or under the walk-away price leadership agreed, and no cheaper
    alternative told (or one, with `cheaper_elsewhere`): by leadership's own line this is a deal
    to stay in."""
    f = deal.facts
    cur = currency(f)
    threshold, offer = _money(f, "walk_threshold_per_year"), _money(f, "ms_annual_cost")
    if threshold_agreed(f) is not True or threshold is None or offer is None or offer > threshold:
        return None
    alt = _money(f, "alternative_annual_cost")
    if alt is not None and alt < offer and not cheaper_elsewhere:  # the math, not the line, decides
        return None
    return Item(
        kb.say(
            "walkaway.below-agreed-point",
            offer=format_money(offer, cur),
            threshold=format_money(threshold, cur),
        ),
        rule="walkaway.below-agreed-point",
    )


def past_agreed_point(deal: DealView, kb: Knowledge) -> Item | None:
    """Microsoft's yearly offer above the walk-away price leadership agreed, with a costed
    alternative that is cheaper per year: the yearly saving against the one-off switching cost."""
    f = deal.facts
    cur = currency(f)
    figures = [
        f.get(k)
        for k in ("walk_threshold_per_year", "ms_annual_cost", "alternative_annual_cost", "switching_cost")
    ]
    if threshold_agreed(f) is not True or not all(isinstance(v, int | float) for v in figures):
        return None
    if has_alternative(f, kb) is not True:
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
