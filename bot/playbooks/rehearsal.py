"""Rehearsing a meeting: which lines Microsoft says, and how each answer scores.

Pure: plain data in (the deal's facts, the knowledge, a seed, the clock as an argument), plain
data out. The script comes from knowledge/rehearsal.yaml's cast and moves, filled from the
deal's facts; an answer is scored by the leak check (bot/playbooks/leakcheck.py, through its
public `check` and `rewrite`), the disclosure rules it cites, the deal's own protected figures,
the move's counter-move signals and the tone words of knowledge/llm.yaml. Same input, same
verdict: the seed only picks Microsoft's lines, never a score.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator

from bot.amounts import currency, format_money
from bot.knowledge import Knowledge, KnowledgeSection
from bot.llm.policy import close, figures
from bot.patterns import check, compiled
from bot.playbooks import leakcheck
from bot.playbooks.disclosure import kinds as disclosure_kinds

Verdict = Literal["good", "risky", "gave"]
OPENING = "opening"
POUNCE = "pounce"
EVENT = "rehearsal"  # a scorecard on the deal's timeline


# --- knowledge/rehearsal.yaml ---------------------------------------------------------------
class Line(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str
    needs: list[str] = Field(default_factory=list)  # fill values the line can't do without


class Cast(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    opening: list[Line] = Field(min_length=1)
    moves: list[str] = Field(min_length=1)


class Cue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    signal: str
    rule: str
    instead: str | None = None  # what to say instead when this cue decided it (else the move's)


class MoveSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    label: str
    lines: list[Line] = Field(min_length=1)
    gave: list[Cue] = Field(default_factory=list)
    risky: list[Cue] = Field(default_factory=list)
    good: list[Cue] = Field(default_factory=list)
    otherwise: str
    instead: list[str] = Field(min_length=1)
    reactive: bool = False


class Everywhere(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    gave: list[Cue] = Field(default_factory=list)
    good: list[Cue] = Field(default_factory=list)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    lines_per_rehearsal: int = Field(ge=2, le=20)
    everywhere: Everywhere = Field(default_factory=Everywhere)
    protected_facts: list[str]
    figure_rules: dict[str, str]
    llm_kind: str
    stop_words: list[str]
    pause_words: list[str]
    resume_words: list[str]
    to_the_coach: list[str]

    @field_validator("to_the_coach")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        for p in v:
            check(p, re.IGNORECASE)  # as `to_the_coach` is matched
        return v


class Signals(RootModel[dict[str, list[str]]]):
    @field_validator("root")
    @classmethod
    def _compiles(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, patterns in v.items():
            for p in patterns:
                try:
                    check(p, re.IGNORECASE)
                except re.error as exc:
                    raise ValueError(f"signal {name!r}: {p!r} does not compile: {exc}") from None
        return v


class Wording(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    verdicts: dict[Verdict, str]
    started: str
    started_footer: str
    ms_says: str
    resumed: str
    paused: str
    paused_footer: str
    nothing_open: str
    already_open: str
    instead: str
    scorecard: str
    scorecard_none: str
    went_well: str
    leaked: str
    remember: str
    nothing_well: str
    nothing_leaked: str
    saved: str
    unknown_role: str
    from_last: str


def _moves(raw: object) -> dict[str, MoveSpec]:
    if not isinstance(raw, list):
        raise ValueError("moves must be a list")
    out: dict[str, MoveSpec] = {}
    for item in raw:
        spec = MoveSpec.model_validate(item)
        if spec.key in out:
            raise ValueError(f"move {spec.key!r} is defined twice")
        out[spec.key] = spec
    if POUNCE not in out:
        raise ValueError(f"a {POUNCE!r} move is required")
    return out


def _cast(raw: object) -> dict[str, Cast]:
    if not isinstance(raw, dict):
        raise ValueError("cast must be a mapping of role key to its lines and moves")
    return {str(k): Cast.model_validate(v) for k, v in raw.items()}


def _products(raw: object) -> list[str]:
    if not isinstance(raw, list) or not raw or not all(isinstance(p, str) for p in raw):
        raise ValueError("products must be a non-empty list of strings")
    return list(raw)


SECTIONS = (
    KnowledgeSection("rehearsal", "settings", Settings),
    KnowledgeSection("rehearsal", "cast", _cast),
    KnowledgeSection("rehearsal", "moves", _moves),
    KnowledgeSection("rehearsal", "products", _products),
    KnowledgeSection("rehearsal", "signals", Signals),
    KnowledgeSection("rehearsal", "wording", Wording),
)


def settings(kb: Knowledge) -> Settings:
    return kb.section("rehearsal.settings")


def wording(kb: Knowledge) -> Wording:
    return kb.section("rehearsal.wording")


def cast(kb: Knowledge) -> dict[str, Cast]:
    return kb.section("rehearsal.cast")


def moves(kb: Knowledge) -> dict[str, MoveSpec]:
    return kb.section("rehearsal.moves")


def problems(kb: Knowledge) -> list[str]:
    """Cross-references the sections can't check alone: roles, moves, signals, rule ids."""
    out: list[str] = []
    signals = kb.section("rehearsal.signals").root
    for role, c in cast(kb).items():
        if all(line.needs for line in c.opening):
            out.append(f"cast {role}: every opening line needs a fact; one must need none")
        if role not in kb.roles:
            out.append(f"cast: {role!r} is not a role of knowledge/roles.yaml")
        out += [f"cast {role}: no move {m!r}" for m in c.moves if m not in moves(kb)]
    every = settings(kb).everywhere
    for m in [
        *moves(kb).values(),
        MoveSpec(
            key="everywhere",
            label="",
            lines=[Line(text="-")],
            gave=every.gave,
            good=every.good,
            otherwise="rehearsal.good-line",
            instead=["-"],
        ),
    ]:
        for cue in [*m.gave, *m.risky, *m.good]:
            if cue.signal not in signals:
                out.append(f"move {m.key}: no signal {cue.signal!r}")
            if cue.rule not in kb.rules:
                out.append(f"move {m.key}: no rule {cue.rule!r}")
        if m.otherwise not in kb.rules:
            out.append(f"move {m.key}: no rule {m.otherwise!r}")
    for rule in settings(kb).figure_rules.values():
        if rule not in kb.rules:
            out.append(f"settings: no rule {rule!r}")
    return out


# --- what a message in a rehearsal is -------------------------------------------------------
Said = Literal["stop", "pause", "resume", "coach", "answer"]


def _norm(text: str) -> str:
    return " ".join(text.casefold().strip(" .!?\n").split())


def what_is(text: str, kb: Knowledge) -> Said:
    """A line to Microsoft unless it is a rehearsal word (stop, pause, resume) or speaks to the
    coach ("should I tell them…", "coach: …"): a negotiator answers Microsoft, and asks us."""
    s, low = settings(kb), _norm(text)
    if low in {_norm(w) for w in s.stop_words}:
        return "stop"
    if low in {_norm(w) for w in s.pause_words}:
        return "pause"
    if low in {_norm(w) for w in s.resume_words}:
        return "resume"
    if any(compiled(p, re.IGNORECASE).search(text) for p in s.to_the_coach):
        return "coach"
    return "answer"


# --- the deal's facts a line may use ------------------------------------------------------
def _day(value: Any) -> str | None:
    try:
        d = date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
    return f"{d.day} {d:%B %Y}"


def _their_date(now: datetime) -> str:
    """The date Microsoft presses with: its quarter's end when close, else a Friday soon."""
    quarter_ends = [date(now.year, m, d) for m, d in ((3, 31), (6, 30), (9, 30), (12, 31))]
    today = now.date()
    end = next(q for q in quarter_ends if q >= today)
    if (end - today).days <= 45:
        return f"the end of our quarter on {end.day} {end:%B}"
    friday = today + timedelta(days=(4 - today.weekday()) % 7 or 7)
    return f"Friday {friday.day} {friday:%B}"


def fill_values(facts: Mapping[str, Any], now: datetime, promises: Iterable[str] = ()) -> dict[str, str]:
    """The words a line may be filled with: their latest offer, our ask, the renewal date, a
    date they press with, an open verbal promise. Never a protected fact (budget, walk-away,
    our own dates): those are not read here at all."""
    values: dict[str, str] = {"their_date": _their_date(now)}
    offer = facts.get("ms_annual_cost")
    if isinstance(offer, int | float) and not isinstance(offer, bool) and offer > 0:
        values["offer"] = format_money(offer, currency(facts))
    ask = facts.get("ask_discount_pct")
    if isinstance(ask, int | float) and not isinstance(ask, bool) and ask > 0:
        values["ask"] = f"{ask:g}%"
    renewal = _day(facts.get("renewal_date")) if facts.get("renewal_date") else None
    if renewal:
        values["renewal"] = renewal
    for what in promises:
        if what:
            values["promise"] = str(what)[:120]
            break
    return values


def state_key(values: Mapping[str, str]) -> str:
    """The deal state a script was made for: the same facts give the same key."""
    body = "|".join(f"{k}={values[k]}" for k in sorted(values) if k != "their_date")
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def seed_for(deal_id: int, role: str, nth: int) -> int:
    """The n-th rehearsal of a role on a deal: reproducible, and different from the ones before."""
    digest = hashlib.sha256(f"{deal_id}:{role}:{nth}".encode()).digest()
    return int.from_bytes(digest[:6], "big")


# --- the script ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Step:
    move: str  # a move key, or OPENING
    line: int  # index into the move's (or the role's opening) lines

    def as_json(self) -> dict[str, Any]:
        return {"move": self.move, "line": self.line}


@dataclass(frozen=True, slots=True)
class Script:
    role: str
    seed: int
    steps: tuple[Step, ...]
    product: str

    @property
    def signature(self) -> str:
        return ";".join(f"{s.move}:{s.line}" for s in self.steps) + f";{self.product}"


def _usable(lines: list[Line], values: Mapping[str, str]) -> list[int]:
    return [i for i, line in enumerate(lines) if all(n in values for n in line.needs)]


def _draw(kb: Knowledge, role: str, values: Mapping[str, str], seed: int) -> Script:
    rng = random.Random(seed)
    c, ms = cast(kb)[role], moves(kb)
    n = settings(kb).lines_per_rehearsal
    opening = _usable(c.opening, values) or [0]
    steps = [Step(OPENING, rng.choice(opening))]
    order = list(c.moves)
    rng.shuffle(order)
    for key in order[: n - 1]:
        usable = _usable(ms[key].lines, values)
        if usable:
            steps.append(Step(key, rng.choice(usable)))
    products = kb.section("rehearsal.products")
    return Script(role, seed, tuple(steps), rng.choice(products))


def plan(kb: Knowledge, role: str, values: Mapping[str, str], seed: int, avoid: Iterable[str] = ()) -> Script:
    """Microsoft's lines for one rehearsal: the role's opening, then its moves in a seeded order
    with seeded wording. A script already played for the same deal state (`avoid`: their
    signatures) is never drawn again while another is left."""
    seen = set(avoid)
    script = _draw(kb, role, values, seed)
    for k in range(1, 500):
        if script.signature not in seen:
            return script
        script = _draw(kb, role, values, seed + k * 7919)
    return script


def _fill(text: str, values: Mapping[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def line_text(kb: Knowledge, role: str, step: Step, values: Mapping[str, str], product: str) -> str:
    """What Microsoft says at this step, filled from the deal."""
    lines = cast(kb)[role].opening if step.move == OPENING else moves(kb)[step.move].lines
    line = lines[step.line % len(lines)]
    return _fill(line.text, {**values, "product": product})


def move_label(kb: Knowledge, move: str) -> str:
    return "opening" if move == OPENING else moves(kb)[move].label


def pounce_step(seed: int, turn: int, kb: Knowledge) -> Step:
    n = len(moves(kb)[POUNCE].lines)
    return Step(POUNCE, (seed + turn) % n)


# --- scoring ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Score:
    verdict: Verdict
    rule: str
    why: str  # the rule's wording, filled
    instead: str | None  # what to say instead (None when the answer was good)
    kinds: tuple[str, ...] = ()  # what was given away (disclosure kinds), for the scorecard
    signal: str | None = None  # the counter-move signal that decided it, if any


def _compiled_signals(kb: Knowledge) -> dict[str, tuple[list[re.Pattern[str]], list[re.Pattern[str]]]]:
    def build(kb: Knowledge) -> dict[str, tuple[list[re.Pattern[str]], list[re.Pattern[str]]]]:
        raw: dict[str, list[str]] = kb.section("rehearsal.signals").root
        out = {}
        for name, patterns in raw.items():
            if name.endswith("_unless"):
                continue
            unless = raw.get(f"{name}_unless", [])
            out[name] = (
                [compiled(p, re.IGNORECASE) for p in patterns],
                [compiled(p, re.IGNORECASE) for p in unless],
            )
        return out

    return kb.derive("rehearsal.signals", build)


def signal(name: str, text: str, kb: Knowledge) -> bool:
    """Whether an answer does what the named signal describes (and none of its `unless`)."""
    patterns, unless = _compiled_signals(kb)[name]
    if any(u.search(text) for u in unless):
        return False
    return any(p.search(text) for p in patterns)


def _tone_problem(text: str, kb: Knowledge) -> bool:
    tone = kb.section("llm.tone")
    words = [*tone.threat, *tone.insult, *tone.emotional, *tone.blame]
    return any(re.search(p, text, re.IGNORECASE) for p in words) or signal("shouting", text, kb)


def _protected_figure(text: str, facts: Mapping[str, Any], kb: Knowledge) -> tuple[str, str] | None:
    """(fact key, rule) when the answer says a figure of the budget or the walk-away."""
    said = [value for value, _ in figures(text)]
    for key, rule in settings(kb).figure_rules.items():
        secret = facts.get(key)
        if isinstance(secret, int | float) and not isinstance(secret, bool) and secret > 0:
            if any(close(v, float(secret), 0.03) for v in said):
                return key, rule
    return None


def _instead(move: MoveSpec, values: Mapping[str, str], product: str, turn: int, seed: int) -> str:
    return _fill(move.instead[(seed + turn) % len(move.instead)], {**values, "product": product})


def score(
    kb: Knowledge,
    answer: str,
    role: str,
    move: str,
    facts: Mapping[str, Any],
    *,
    values: Mapping[str, str] | None = None,
    product: str = "",
    turn: int = 0,
    seed: int = 0,
    read: leakcheck.Read | None = None,
) -> Score:
    """One answer to one of Microsoft's moves, scored. In order: what the leak check flags to
    keep to yourselves, a figure of your budget or walk-away, the move's signals of giving in,
    the tone, what is only for on purpose, the move's signals of a good answer; else risky,
    citing the move's counter-move rule. `values` and `seed` only choose the wording of "say
    instead"; the verdict depends on the answer, the role, the move and the facts. `read` is the
    disclosure reading the chat's leak check uses (bot/understanding/disclosure.py: `reader`), so
    an answer that gives something away in words no rule knows is caught here too."""
    values = values or {}
    spec = moves(kb)[move] if move != OPENING else None
    instead = _instead(spec, values, product, turn, seed) if spec else None
    result = leakcheck.check(answer, role, kb, read=read)
    flags = list(getattr(result, "flags", []))
    protect = [f for f in flags if getattr(f, "stance", "protect") == "protect"]
    if protect:
        first = protect[0]
        rewritten = leakcheck.rewrite(answer, result, kb, read).strip()
        kind = getattr(first, "kind", "")
        fallback = disclosure_kinds(kb)[kind].say_instead if kind in disclosure_kinds(kb) else instead
        return Score(
            "gave",
            first.rule,
            kb.say(first.rule),
            rewritten or fallback,
            tuple(dict.fromkeys(getattr(f, "kind", "") for f in protect)),
        )
    figure = _protected_figure(answer, facts, kb)
    if figure is not None:
        key, rule = figure
        label = kb.facts[key].label.split(" (")[0].lower() if key in kb.facts else key
        why = kb.say("rehearsal.figure-said", what=label) + " " + kb.say(rule)
        kind = "position" if "walk" in key else "budget"
        say = disclosure_kinds(kb)[kind].say_instead if kind in disclosure_kinds(kb) else instead
        return Score("gave", rule, why, say, (kind,))
    everywhere = settings(kb).everywhere
    for cue in [*(spec.gave if spec else []), *everywhere.gave]:
        if signal(cue.signal, answer, kb):
            say = _fill(cue.instead, {**values, "product": product}) if cue.instead else instead
            return Score("gave", cue.rule, kb.say(cue.rule), say, (), cue.signal)
    if _tone_problem(answer, kb):
        return Score("risky", "rehearsal.tone", kb.say("rehearsal.tone"), instead)
    strategic = [f for f in flags if getattr(f, "stance", "") == "strategic"]
    if strategic:
        rule = strategic[0].rule
        return Score(
            "risky", rule, kb.say(rule), leakcheck.rewrite(answer, result, kb, read).strip() or instead
        )
    for cue in spec.risky if spec else []:
        if signal(cue.signal, answer, kb):
            return Score("risky", cue.rule, kb.say(cue.rule), instead, (), cue.signal)
    for cue in [*(spec.good if spec else []), *everywhere.good]:
        if signal(cue.signal, answer, kb):
            return Score("good", cue.rule, kb.say(cue.rule), None, (), cue.signal)
    if spec is None:  # the opening: nothing to counter yet, nothing given away
        return Score("good", "rehearsal.good-line", kb.say("rehearsal.good-line"), None)
    return Score("risky", spec.otherwise, kb.say(spec.otherwise, id="", what=""), instead)


# --- the scorecard --------------------------------------------------------------------------
@dataclass(slots=True)
class Scorecard:
    answers: int
    counts: dict[str, int]
    went_well: list[tuple[str, str]] = field(default_factory=list)  # (text, rule)
    leaked: list[tuple[str, str]] = field(default_factory=list)  # (text, rule): labels, never quotes
    remember: list[str] = field(default_factory=list)  # three lines


def scorecard(
    kb: Knowledge, said: list[Mapping[str, Any]], values: Mapping[str, str], product: str
) -> Scorecard:
    """What went well, what leaked (by kind and move, never the words said) and three lines to
    remember: the better answers to the worst moments first."""
    counts = {"good": 0, "risky": 0, "gave": 0}
    card = Scorecard(len(said), counts)
    specs, kinds_ = moves(kb), disclosure_kinds(kb)
    remember: list[str] = []
    for entry in said:
        verdict, rule, move = str(entry["verdict"]), str(entry["rule"]), str(entry["move"])
        counts[verdict] = counts.get(verdict, 0) + 1
        label = move_label(kb, move) if move == OPENING or move in specs else move
        if verdict == "good":
            card.went_well.append((f"{label.capitalize()}: {kb.say(rule)}", rule))
        elif verdict == "gave":
            what = ", ".join(kinds_[k].label for k in entry.get("kinds") or [] if k in kinds_)
            text = (
                f"{label.capitalize()}: " + (f"gave away {what}. " if what else "") + kb.say(rule, what=what)
            )
            card.leaked.append((text, rule))
    for wanted in ("gave", "risky"):
        for entry in said:
            line = entry.get("instead")
            if entry["verdict"] == wanted and line and str(entry["move"]) in specs:
                line = _fill(specs[str(entry["move"])].instead[0], {**values, "product": product})
                if line not in remember:
                    remember.append(line)
    for entry in said:  # then the best lines of the moves played, so there are always three
        move = str(entry["move"])
        if move in specs:
            for line in specs[move].instead:
                line = _fill(line, {**values, "product": product})
                if line not in remember:
                    remember.append(line)
                    break
    card.remember = remember[:3]
    return card


def last_scorecard(deal: Any, role: str) -> dict[str, Any] | None:
    """The newest rehearsal scorecard for a role on a deal's timeline (meeting prep and the
    pre-meeting reminder offer its lines again)."""
    if deal is None:
        return None
    for e in reversed(deal.live_events(EVENT)):
        if e.payload.get("role") == role:
            return dict(e.payload)
    return None
