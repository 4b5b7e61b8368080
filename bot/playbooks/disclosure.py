"""What to tell which Microsoft role: share, protect or strategic, why, and what to say instead."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from bot.knowledge import Knowledge, KnowledgeSection
from bot.playbooks.people import find_phrase, find_role
from bot.reply import Item, Reply, Section

Stance = Literal["share", "protect", "strategic"]
STRICTNESS: dict[str, int] = {"share": 0, "strategic": 1, "protect": 2}


class KindSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    label: str
    aliases: list[str] = Field(default_factory=list)
    default: Stance
    rules: dict[Stance, str]
    say_instead: str

    @model_validator(mode="after")
    def _all_stances(self) -> KindSpec:
        missing = {"share", "protect", "strategic"} - set(self.rules)
        if missing:
            raise ValueError(f"kind {self.key!r} has no rule for {sorted(missing)}")
        return self


class Kinds(RootModel[list[KindSpec]]):
    @model_validator(mode="after")
    def _unique(self) -> Kinds:
        keys = [k.key for k in self.root]
        if len(keys) != len(set(keys)):
            raise ValueError("kind keys must be unique")
        return self


class Matrix(RootModel[dict[str, dict[str, Stance]]]):
    pass


class StanceLabel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str
    verdict_label: str


class Stances(RootModel[dict[Stance, StanceLabel]]):
    pass


SECTIONS = (
    KnowledgeSection("disclosure", "kinds", Kinds),
    KnowledgeSection("disclosure", "matrix", Matrix),
    KnowledgeSection("disclosure", "stances", Stances),
)


def kinds(kb: Knowledge) -> dict[str, KindSpec]:
    return kb.derive("disclosure.kinds", lambda kb: {k.key: k for k in kb.section("disclosure.kinds").root})


def _kind_phrases(kb: Knowledge) -> list[tuple[str, tuple[str, ...]]]:
    return [(spec.key, (spec.key, spec.label, *spec.aliases)) for spec in kinds(kb).values()]


@dataclass(frozen=True, slots=True)
class Advice:
    role: str
    kind: str
    stance: Stance
    rule: str
    why: str  # what the role is rewarded for
    say_instead: str


def stance_for(kb: Knowledge, role: str, kind: str) -> Advice:
    """The matrix cell; a role or kind the matrix lacks falls back to the kind's default."""
    spec = kinds(kb)[kind]
    row = kb.section("disclosure.matrix").root.get(role, {})
    stance: Stance = row.get(kind, spec.default)
    role_spec = kb.roles.get(role)
    rewarded = str(getattr(role_spec, "rewarded_for", "") or "") if role_spec else ""
    return Advice(role, kind, stance, spec.rules[stance], rewarded, spec.say_instead)


def find_kinds(text: str, kb: Knowledge) -> list[str]:
    """Every information kind the text names, in order of appearance."""
    hits: list[tuple[int, str]] = []
    for key, phrases in kb.derive("disclosure.kind_phrases", _kind_phrases):
        hit = find_phrase(text, phrases)
        if hit:
            hits.append((hit[0], key))
    competitor = kb.data.get("leakcheck", {}).get("macros", {}).get("competitor")
    if competitor and not any(k == "competitive" for _, k in hits):
        m = re.search(competitor, text, re.IGNORECASE)
        if m:
            hits.append((m.start(), "competitive"))
    return [k for _, k in sorted(hits)]


def advise(kb: Knowledge, role: str | None, kind_keys: list[str]) -> Reply:
    """The answer to "can I tell the <role> our <kind>?"."""
    specs = kinds(kb)
    labels = kb.section("disclosure.stances").root
    if not kind_keys and role is None:
        return Reply(
            headline="Tell me who and what, e.g. “can I tell the CSM our budget?”.",
            intent="disclosure.share",
            sections=[
                Section(
                    items=[
                        Item(kb.say("disclosure.unknown", kinds=_kind_list(kb)), rule="disclosure.unknown")
                    ]
                )
            ],
        )
    if role is None:
        return _kind_across_roles(kb, kind_keys[0])
    title = kb.roles[role].title
    if not kind_keys:
        return _role_row(kb, role)
    advice = [stance_for(kb, role, k) for k in kind_keys]
    worst = max(advice, key=lambda a: STRICTNESS[a.stance])
    items: list[Item] = []
    for a in advice:
        label = specs[a.kind].label
        items.append(Item(f"{labels[a.stance].label} {label.capitalize()}: {kb.say(a.rule)}", rule=a.rule))
    if worst.why:
        items.append(Item(f"Why: the {title} is rewarded for {worst.why}.", rule=worst.rule))
    caution = getattr(kb.roles[role], "caution_rule", None)
    if caution and worst.stance != "share":
        items.append(Item(kb.say(caution), rule=caution))
    instead = [a.say_instead for a in advice if a.stance != "share"]
    sections = [Section(items=items)]
    if instead:
        sections.append(Section(title="Say instead", items=[Item(f"“{s}”") for s in dict.fromkeys(instead)]))
    what = " and ".join(specs[k].label for k in kind_keys)
    return Reply(
        headline=f"{labels[worst.stance].verdict_label} {what.capitalize()}, with the {title}.",
        intent="disclosure.share",
        verdict=worst.stance,
        verdict_label=labels[worst.stance].verdict_label,
        sections=sections,
    )


def _kind_list(kb: Knowledge) -> str:
    return ", ".join(k.label for k in kinds(kb).values())


def _kind_across_roles(kb: Knowledge, kind: str) -> Reply:
    spec = kinds(kb)[kind]
    labels = kb.section("disclosure.stances").root
    by_stance: dict[str, list[str]] = {}
    rules: dict[str, str] = {}
    for role in kb.roles:
        a = stance_for(kb, role, kind)
        by_stance.setdefault(a.stance, []).append(kb.roles[role].title)
        rules[a.stance] = a.rule
    items = [
        Item(f"{labels[s].label} With: {', '.join(by_stance[s])}. {kb.say(rules[s])}", rule=rules[s])
        for s in ("share", "strategic", "protect")
        if s in by_stance
    ]
    worst = max(by_stance, key=lambda s: STRICTNESS[s])
    if len(by_stance) == 1:
        headline = (
            f"{labels[worst].verdict_label} {spec.label.capitalize()}: the same with every Microsoft role."
        )
    else:
        headline = f"{spec.label.capitalize()}: it depends on who. Which role do you mean?"
    return Reply(
        headline=headline,
        intent="disclosure.share",
        verdict=worst if len(by_stance) == 1 else None,
        verdict_label=labels[worst].verdict_label if len(by_stance) == 1 else None,
        sections=[Section(items=items), Section(title="Say instead", items=[Item(f"“{spec.say_instead}”")])],
    )


def _role_row(kb: Knowledge, role: str) -> Reply:
    title = kb.roles[role].title
    grouped: dict[str, list[tuple[str, str]]] = {"share": [], "strategic": [], "protect": []}
    for key, spec in kinds(kb).items():
        a = stance_for(kb, role, key)
        grouped[a.stance].append((spec.label, a.rule))
    sections = []
    titles = {"share": "Fine to share", "strategic": "Only on purpose", "protect": "Keep to yourselves"}
    for stance, rows in grouped.items():
        if rows:
            sections.append(
                Section(title=titles[stance], items=[Item(label, rule=rule) for label, rule in rows])
            )
    why = getattr(kb.roles[role], "rewarded_for", None)
    return Reply(
        headline=f"What to share with the {title}" + (f" (rewarded for {why})" if why else "") + ":",
        intent="disclosure.share",
        verdict="row",
        verdict_label="What to share",
        sections=sections,
    )


def understand_question(text: str, kb: Knowledge) -> tuple[str | None, list[str]]:
    role = find_role(text, kb)
    return (role.key if role else None), find_kinds(text, kb)
