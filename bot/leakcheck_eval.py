"""How well the leak check catches leaks, measured on corpora of drafts (`coach eval leakcheck`).

A corpus is YAML:

    drafts:
      - role: ae                      # who the draft is for (a role key, title or alias)
        deal: {budget_per_year: 1500000, walk_threshold_per_year: 1.8M, renewal_date: 2027-06-30}
        message: "Hi Jane, ..."
        kinds: [budget, urgency]      # what it leaks; [] = a clean draft
        words: ["1.5M"]               # the leaking words (shown with a miss; not scored)

Each draft runs through the real core: a throwaway SQLite database in a temporary folder, a
deal made with `deal new`, its facts stored with `set KEY: VALUE` turns, then the check on the
deal's view as the core loads it (`Memory.deal_view`), for the draft's role. The same draft is
also sent as the message-action turn the Slack shortcut and the Teams action send, and a turn
whose verdict differs from the check's is reported (it should never happen).

Scores:
- leak recall: drafts with kinds, flagged at all;
- clean called clean: drafts without kinds, not flagged;
- kind right: drafts with kinds whose expected kinds (mapped by KIND_MAP) are all among the
  flagged kinds;
- per kind: of the drafts that leak a kind, how many had that kind flagged.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge import Knowledge

# Corpus kinds -> the check's kinds (disclosure.yaml). Our people disagreeing internally gives
# away our position (how firm we are), so the check names it under `position`.
KIND_MAP: dict[str, str] = {
    "budget": "budget",
    "position": "position",
    "urgency": "urgency",
    "competitive": "competitive",
    "approvals": "approvals",
    "internal": "position",
    "initiatives": "initiatives",
}

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@dataclass
class Draft:
    source: str
    n: int
    role: str
    message: str
    kinds: list[str]
    words: list[str]
    deal: dict[str, Any]


@dataclass
class Outcome:
    draft: Draft
    role: str  # the role key checked as
    flagged: list[str]  # kinds flagged, in order
    quotes: list[str]
    turn_verdict: str | None  # what the message-action turn said

    @property
    def leaks(self) -> bool:
        return bool(self.draft.kinds)

    @property
    def expected(self) -> set[str]:
        return {KIND_MAP.get(k, k) for k in self.draft.kinds}

    @property
    def caught(self) -> bool:
        return bool(self.flagged)

    @property
    def kind_right(self) -> bool:
        return self.expected <= set(self.flagged)


@dataclass
class LeakReport:
    outcomes: list[Outcome] = field(default_factory=list)

    def _leaky(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.leaks]

    def _clean(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.leaks]

    @property
    def recall(self) -> tuple[int, int]:
        leaky = self._leaky()
        return sum(o.caught for o in leaky), len(leaky)

    @property
    def clean_called_clean(self) -> tuple[int, int]:
        clean = self._clean()
        return sum(not o.caught for o in clean), len(clean)

    @property
    def kind_right(self) -> tuple[int, int]:
        leaky = self._leaky()
        return sum(o.kind_right for o in leaky), len(leaky)

    def per_kind(self) -> dict[str, tuple[int, int]]:
        out: dict[str, list[int]] = {}
        for o in self._leaky():
            for k in dict.fromkeys(o.draft.kinds):
                row = out.setdefault(k, [0, 0])
                row[1] += 1
                row[0] += KIND_MAP.get(k, k) in o.flagged
        return {k: (v[0], v[1]) for k, v in sorted(out.items())}

    def false_alarm_kinds(self) -> Counter[str]:
        return Counter(k for o in self._clean() for k in o.flagged)

    def turn_disagreements(self) -> list[Outcome]:
        return [
            o
            for o in self.outcomes
            if o.turn_verdict is not None and o.turn_verdict != ("flagged" if o.caught else "clean")
        ]

    def to_dict(self) -> dict[str, Any]:
        def frac(t: tuple[int, int]) -> dict[str, Any]:
            return {"hit": t[0], "of": t[1], "rate": round(t[0] / t[1], 4) if t[1] else None}

        return {
            "drafts": len(self.outcomes),
            "leak_recall": frac(self.recall),
            "clean_called_clean": frac(self.clean_called_clean),
            "kind_right": frac(self.kind_right),
            "per_kind": {k: frac(v) for k, v in self.per_kind().items()},
            "false_alarm_kinds": dict(self.false_alarm_kinds()),
            "turn_disagreements": len(self.turn_disagreements()),
            "misses": [
                {
                    "source": o.draft.source,
                    "n": o.draft.n,
                    "role": o.role,
                    "expected": o.draft.kinds,
                    "flagged": o.flagged,
                    "quotes": o.quotes,
                    "why": _why(o),
                    "message": o.draft.message,
                }
                for o in self.outcomes
                if _why(o)
            ],
        }


def _why(o: Outcome) -> str:
    if o.leaks and not o.caught:
        return "leak missed"
    if not o.leaks and o.caught:
        return "false alarm"
    if o.leaks and not o.kind_right:
        return "wrong kind"
    return ""


def _pct(t: tuple[int, int]) -> str:
    return f"{t[0] / t[1]:6.1%} ({t[0]}/{t[1]})" if t[1] else "  n/a"


def format_report(report: LeakReport) -> str:
    lines = [
        f"drafts: {len(report.outcomes)}",
        f"leak recall:        {_pct(report.recall)}",
        f"clean called clean: {_pct(report.clean_called_clean)}",
        f"kind right:         {_pct(report.kind_right)}",
        "",
        "per kind (drafts leaking it, flagged as it):",
    ]
    for k, t in report.per_kind().items():
        lines.append(f"  {k:12} {_pct(t)}" + (f"  (as {KIND_MAP[k]})" if KIND_MAP.get(k, k) != k else ""))
    fa = report.false_alarm_kinds()
    if fa:
        lines.append("false alarms by kind: " + ", ".join(f"{k} {n}" for k, n in fa.most_common()))
    dis = report.turn_disagreements()
    if dis:
        lines.append(f"the message-action turn disagreed with the check on {len(dis)} drafts")
    groups = (("missed leaks", "leak missed"), ("false alarms", "false alarm"), ("wrong kind", "wrong kind"))
    for title, why in groups:
        rows = [o for o in report.outcomes if _why(o) == why]
        if not rows:
            continue
        lines += ["", f"{title} ({len(rows)}):"]
        for o in rows:
            got = ",".join(o.flagged) or "-"
            want = ",".join(o.draft.kinds) or "-"
            where = f"{o.draft.source}#{o.draft.n} {o.role}"
            lines.append(f"  [{where}] want {want} got {got}: {_short(o.draft.message)}")
            if o.quotes and why != "leak missed":
                lines.append("      flagged: " + " | ".join(_short(q, 80) for q in o.quotes))
            if o.draft.words and why != "false alarm":
                lines.append("      words: " + " | ".join(_short(str(w), 80) for w in o.draft.words))
    return "\n".join(lines)


def _short(text: str, n: int = 140) -> str:
    one = " ".join(text.split())
    return one if len(one) <= n else one[: n - 1] + "…"


# --- loading ---------------------------------------------------------------------------


def corpus_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*.yaml") if p.is_file())
    return [path]


def load_drafts(path: Path) -> list[Draft]:
    out: list[Draft] = []
    for f in corpus_files(path):
        try:
            doc = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ValueError(f"{f}: not YAML ({str(exc).splitlines()[0]})") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("drafts"), list):
            continue
        for i, d in enumerate(doc["drafts"], 1):
            if not isinstance(d, dict) or not isinstance(d.get("message"), str):
                raise ValueError(f"{f}: draft {i} has no message")
            out.append(
                Draft(
                    source=f.parent.name + "/" + f.name if f.parent.name else f.name,
                    n=i,
                    role=str(d.get("role") or ""),
                    message=d["message"],
                    kinds=[str(k) for k in (d.get("kinds") or [])],
                    words=[str(w) for w in (d.get("words") or [])],
                    deal=dict(d.get("deal") or {}),
                )
            )
    return out


# --- running -----------------------------------------------------------------------------


def _role_key(role: str, kb: Knowledge) -> str:
    from bot.playbooks.people import find_role

    found = kb.role(role) or (find_role(role, kb) if role else None)
    return found.key if found else str(kb.section("leakcheck.default_role"))


def _fact_value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


async def _run(drafts: list[Draft], kb: Knowledge, turns: bool) -> LeakReport:
    from bot.coach import Coach
    from bot.db.engine import create_engine, session_factory
    from bot.db.migrate import upgrade
    from bot.memory import Memory
    from bot.playbooks import leakcheck
    from bot.turn import Turn

    report = LeakReport()
    with tempfile.TemporaryDirectory(prefix="coach-leakeval-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'eval.db'}"
        await asyncio.to_thread(upgrade, url)
        engine = create_engine(url)
        sessions = session_factory(engine)
        coach = Coach(sessions, kb, clock=lambda: NOW, listeners=())
        try:
            for i, d in enumerate(drafts):
                conv = f"eval-{i}"

                async def say(text: str = "", action: dict[str, Any] | None = None, conv: str = conv) -> Any:
                    return await coach.handle(
                        Turn(
                            platform="console",
                            tenant="eval",
                            conversation=conv,
                            user="u1",
                            text=text,
                            action=action,
                        )
                    )

                name = f"Eval deal {i}"
                await say(f"deal new {name}")
                for key, value in d.deal.items():
                    if value is None or key not in kb.facts:
                        continue
                    await say(f"set {key}: {_fact_value(value)}")
                async with sessions() as session:
                    memory = await Memory.for_tenant(session, "console", "eval", NOW)
                    deal = await memory.find_deal(name)
                    view = await memory.deal_view(deal.id) if deal else None
                role = _role_key(d.role, kb)
                result = _check(leakcheck, d.message, role, kb, view)
                verdict = None
                if turns:
                    r = await say(action={"intent": "leakcheck", "message": d.message, "role": role})
                    verdict = r.verdict if r is not None else None
                report.outcomes.append(
                    Outcome(d, role, [f.kind for f in result.flags], [f.quote for f in result.flags], verdict)
                )
        finally:
            await coach.close()
            await engine.dispose()
    return report


def _check(leakcheck: Any, message: str, role: str, kb: Knowledge, view: Any) -> Any:
    """The check as the skill runs it (the deal's view is what the skill's context holds, the
    disclosure reading what the skill passes)."""
    from bot.understanding.disclosure import reader

    return leakcheck.check(message, role, kb, view, NOW, reader(kb))


def evaluate(path: Path, kb: Knowledge, *, turns: bool = True) -> LeakReport:
    return asyncio.run(_run(load_drafts(path), kb, turns))


def run_eval(path: Path, kb: Knowledge, *, as_json: bool = False) -> str:
    report = evaluate(path, kb)
    return json.dumps(report.to_dict(), indent=2) if as_json else format_report(report)
