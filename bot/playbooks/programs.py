"""Program levers: which of Microsoft's strategic programs fit this deal, and what each costs you.

Pure: (DealView, Knowledge, the user's words) -> ProgramAdvice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, TypeAdapter

from bot.amounts import currency, format_money, in_deal_currency
from bot.knowledge import Knowledge, KnowledgeSection
from bot.playbooks.counter_moves import statements_text
from bot.reply import Item, Reply, Section
from bot.timeline import DealView
from bot.unknown import is_unknown

LEVERS = "levers"
NONE_FIT = "none_fit"
_REFERENCE = re.compile(
    r"\b(case stud(y|ies)|reference|testimonial|press release|customer story)\b", re.IGNORECASE
)
NOTES = (
    "programs.fold-into-renewal",
    "programs.condition-unknown",
    "programs.reference-ruled-out",
    "programs.migration-assumed",
)
CONDITION_FACTS = ("planned_migration", "reference_requested", "engineering_engagement", "exec_sponsor")


class Program(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    title: str
    gives: str
    you_bring: str
    rule: str
    when: str


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    large_account_per_year: float
    small_account_per_year: float


def _pattern(raw: object) -> re.Pattern[str]:
    return re.compile(TypeAdapter(str).validate_python(raw), re.IGNORECASE)


SECTIONS = (
    KnowledgeSection("programs", "programs", TypeAdapter(list[Program]).validate_python),
    KnowledgeSection("programs", "thresholds", Thresholds),
    KnowledgeSection("programs", "denied_before", _pattern),
    KnowledgeSection("programs", "no_migration", _pattern),
)


@dataclass
class ProgramAdvice:
    verdict: str | None
    missing: list[str] = field(default_factory=list)
    fits: list[Item] = field(default_factory=list)


def reference_asked(text: str, kb: Knowledge) -> bool:
    """A case study or reference named in the words, and not denied in its own sentence ("no case
    studies or logo stuff", "we can't be a reference", "they haven't asked about references")."""
    denied: re.Pattern[str] = kb.section("programs.denied_before")
    for sentence in re.split(r"(?<=[.!?;])\s+|\n+", text):
        for m in _REFERENCE.finditer(sentence):
            if not denied.search(sentence[: m.start()]):
                return True
    return False


def conditions(deal: DealView, kb: Knowledge, text: str = "") -> dict[str, bool]:
    th: Thresholds = kb.section("programs.thresholds")
    f = deal.facts
    migration = f.get("planned_migration")
    value = f.get("deal_value_per_year")
    asked_for_reference = f.get("reference_requested") is True or reference_asked(statements_text(deal), kb)
    # Asked or not, a reference our policy or our own answer rules out is nothing to trade.
    reference_open = f.get("reference_allowed") is not False
    return {
        "planned_migration": migration is not None
        and not is_unknown(migration)
        and not kb.section("programs.no_migration").search(str(migration)),
        "large_account": isinstance(value, int | float)
        and value >= in_deal_currency(th.large_account_per_year, currency(f), kb.section("core.per_usd")),
        "reference_requested": reference_open and (asked_for_reference or reference_asked(text, kb)),
        "engineering_engagement": f.get("engineering_engagement") is True,
        "exec_sponsor": f.get("exec_sponsor") is True,
    }


def _decidable_without_migration(deal: DealView, kb: Knowledge, text: str) -> bool:
    """Something told about the deal already decides: its size, a reference asked (or ruled
    out), engineering engagement or a sponsor. Then the untold migration is an assumption said
    in the answer, not a form before it; with nothing told, the form asks."""
    told = [deal.fact(k) for k in ("deal_value_per_year", *CONDITION_FACTS[1:], "reference_allowed")]
    return any(v is not None for v in told) or reference_asked(text, kb)


def advise(deal: DealView, kb: Knowledge, text: str = "") -> ProgramAdvice:
    assumed: list[Item] = []
    if deal.fact("planned_migration") is None:
        if not _decidable_without_migration(deal, kb, text):
            return ProgramAdvice(verdict=None, missing=["planned_migration"])
        assumed.append(Item(kb.say("programs.migration-assumed"), rule="programs.migration-assumed"))
    met = conditions(deal, kb, text)
    fits: list[Item] = []
    # "Not sure" is neither yes nor no: the program waits, and the reply says so.
    unsure = [
        kb.facts[k].label.lower() for k in CONDITION_FACTS if is_unknown(deal.fact(k)) and k in kb.facts
    ]
    for p in kb.section("programs.programs"):
        if met.get(p.when):
            line = kb.say(p.rule, what=str(deal.fact("planned_migration") or ""))
            fits.append(Item(f"{line} You bring: {p.you_bring}.", rule=p.rule))
    notes = (
        [
            Item(
                kb.say("programs.condition-unknown", what=", ".join(unsure)),
                rule="programs.condition-unknown",
            )
        ]
        if unsure
        else []
    )
    notes += assumed
    if deal.fact("reference_allowed") is False:
        notes.append(Item(kb.say("programs.reference-ruled-out"), rule="programs.reference-ruled-out"))
    if not fits:
        th: Thresholds = kb.section("programs.thresholds")
        value = deal.fact("deal_value_per_year")
        small = (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and 0
            < value
            < in_deal_currency(th.small_account_per_year, currency(deal.facts), kb.section("core.per_usd"))
        )
        # A small deal with nothing to trade: say that programs serve strategic-scale accounts and
        # where the effort pays instead (seed 003), besides what would make one fit.
        said = (
            Item(
                kb.say("programs.small-account", value=format_money(float(value), currency(deal.facts))),
                rule="programs.small-account",
            )
            if small
            else Item(kb.say("programs.none-fit"), rule="programs.none-fit")
        )
        return ProgramAdvice(verdict=NONE_FIT, fits=[said, *notes])
    fits.append(Item(kb.say("programs.fold-into-renewal"), rule="programs.fold-into-renewal"))
    return ProgramAdvice(verdict=LEVERS, fits=[*fits, *notes])


def to_reply(advice: ProgramAdvice, deal: DealView) -> Reply:
    n = len([i for i in advice.fits if i.rule not in NOTES])
    if advice.verdict == LEVERS:
        headline = f"{n} program lever{'s' if n != 1 else ''} fit {deal.name}:"
        label = "Levers that fit."
    else:
        headline = f"No program lever fits {deal.name} yet."
        label = "None fit yet."
    return Reply(
        headline=headline,
        intent="programs.levers",
        verdict=advice.verdict,
        verdict_label=label,
        sections=[Section(items=advice.fits)],
    )
