"""The leak check: flag every passage of a message that helps Microsoft more than you.

Deterministic: regex detectors from knowledge/leakcheck.yaml, sentence by sentence; whether a
hit counts depends on the recipient role's stance for that kind (disclosure.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator

from bot.knowledge import Knowledge, KnowledgeSection
from bot.playbooks.disclosure import kinds, stance_for
from bot.reply import Item, Reply, Section


class DetectorSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    kind: str
    patterns: list[str]
    requires: list[str] = Field(default_factory=list)
    unless: list[str] = Field(default_factory=list)
    rewrite: str | None = None

    @field_validator("patterns", "requires", "unless")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        # Macros are filled in later; a stand-in group is enough to catch a broken regex at start-up.
        for p in v:
            try:
                re.compile(re.sub(r"\{[a-z_]+\}", "(?:x)", p))
            except re.error as exc:
                raise ValueError(f"pattern {p!r} does not compile: {exc}") from None
        return v


class Detectors(RootModel[list[DetectorSpec]]):
    pass


class Macros(RootModel[dict[str, str]]):
    @field_validator("root")
    @classmethod
    def _compiles(cls, v: dict[str, str]) -> dict[str, str]:
        for name, p in v.items():
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"macro {name!r} does not compile: {exc}") from None
        return v


class Why(RootModel[dict[str, str]]):
    pass


SECTIONS = (
    KnowledgeSection("leakcheck", "detectors", Detectors),
    KnowledgeSection("leakcheck", "macros", Macros),
    KnowledgeSection("leakcheck", "why", Why),
    KnowledgeSection("leakcheck", "default_role", str),
)


@dataclass(frozen=True, slots=True)
class Compiled:
    spec: DetectorSpec
    patterns: tuple[re.Pattern[str], ...]
    requires: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]


# Compiled detectors per Knowledge; the entry keeps its Knowledge alive so an id is never reused.
_CACHE: dict[int, tuple[Knowledge, list[Compiled]]] = {}


def _expand(pattern: str, macros: dict[str, str]) -> re.Pattern[str]:
    for name, value in macros.items():
        pattern = pattern.replace("{" + name + "}", value)
    return re.compile(pattern, re.IGNORECASE)


def compiled(kb: Knowledge) -> list[Compiled]:
    hit = _CACHE.get(id(kb))
    if hit is not None and hit[0] is kb:
        return hit[1]
    macros = kb.section("leakcheck.macros").root
    out = [
        Compiled(
            d,
            tuple(_expand(p, macros) for p in d.patterns),
            tuple(_expand(p, macros) for p in d.requires),
            tuple(_expand(p, macros) for p in d.unless),
        )
        for d in kb.section("leakcheck.detectors").root
    ]
    if len(_CACHE) > 8:
        _CACHE.clear()
    _CACHE[id(kb)] = (kb, out)
    return out


@dataclass(frozen=True, slots=True)
class Flag:
    detector: str
    kind: str
    stance: str  # protect | strategic
    rule: str
    quote: str  # the passage as the user wrote it
    sentence: str
    start: int  # offset in the message


@dataclass(slots=True)
class LeakResult:
    role: str
    flags: list[Flag] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "flagged" if self.flags else "clean"


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; decimal points and amounts like $1.2m stay inside a sentence."""
    out: list[tuple[int, str]] = []
    start = 0
    for m in re.finditer(r"(?<!\d)[.!?]+(?=\s|$)|\n", text):
        end = m.end()
        chunk = text[start:end]
        if chunk.strip():
            out.append((start, chunk))
        start = end
    if text[start:].strip():
        out.append((start, text[start:]))
    return out


def check(message: str, role: str, kb: Knowledge) -> LeakResult:
    result = LeakResult(role=role)
    for offset, sentence in sentences(message):
        seen: set[str] = set()  # one flag per kind per sentence
        for c in compiled(kb):
            if c.spec.kind in seen or any(u.search(sentence) for u in c.unless):
                continue
            if not all(r.search(sentence) for r in c.requires):
                continue
            m = next((m for p in c.patterns if (m := p.search(sentence))), None)
            if m is None:
                continue
            advice = stance_for(kb, role, c.spec.kind)
            if advice.stance == "share":
                continue
            seen.add(c.spec.kind)
            result.flags.append(
                Flag(
                    c.spec.id,
                    c.spec.kind,
                    advice.stance,
                    advice.rule,
                    m.group(0).strip(),
                    sentence.strip(),
                    offset + m.start(),
                )
            )
    result.flags.sort(key=lambda f: f.start)
    return result


def rewrite(message: str, result: LeakResult, kb: Knowledge) -> str:
    """The message with each flagged sentence swapped for the kind's safe line (once each)."""
    specs = kinds(kb)
    by_detector = {c.spec.id: c.spec for c in compiled(kb)}
    flagged: dict[str, list[Flag]] = {}
    for f in result.flags:
        flagged.setdefault(f.sentence, []).append(f)
    out: list[str] = []
    for _, sentence in sentences(message):
        s = sentence.strip()
        if s not in flagged:
            out.append(s)
            continue
        for f in flagged[s]:
            line = by_detector[f.detector].rewrite or specs[f.kind].say_instead
            if line not in out:
                out.append(line)
    return " ".join(x for x in out if x)


def reply(message: str, role: str, kb: Knowledge) -> Reply:
    result = check(message, role, kb)
    title = kb.roles[role].title if role in kb.roles else role
    if not result.flags:
        return Reply(
            headline=f"Clean. Fine to send to the {title}.",
            intent="leakcheck",
            verdict="clean",
            verdict_label="Clean.",
            sections=[Section(items=[Item(kb.say("leakcheck.clean"), rule="leakcheck.clean")])],
            ephemeral=True,
        )
    why = kb.section("leakcheck.why").root
    items = []
    for f in result.flags:
        text = f"“{f.quote}” {why.get(f.kind, 'gives something away')}. {kb.say(f.rule)}"
        if f.stance == "strategic":
            text += " " + kb.say("leakcheck.strategic-note", role=title)
        items.append(Item(text, rule=f.rule))
    n = len(result.flags)
    return Reply(
        headline=f"Hold on: {n} thing{'s' if n != 1 else ''} in this message "
        f"help{'' if n != 1 else 's'} Microsoft more than you.",
        intent="leakcheck",
        verdict="flagged",
        verdict_label="Hold on",
        sections=[Section(items=items)],
        draft=rewrite(message, result, kb),
        draft_source="template",
        footer=f"Checked as a message to the {title}.",
        ephemeral=True,
    )
