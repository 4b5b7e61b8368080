"""A deal told as people tell it, played through the real core and scored (`coach eval stories`).

A corpus is YAML (the blind authors' `stories.yaml`, or a file of tests/data/blind_2026_12/):

    stories:
      - name: fifth round, copilot uplift
        voice: busy Slack user
        messages: ["ok EA update. had our 5th session w jane ...", "...", "so... escalate now??"]
        expect:
          facts: {rounds_with_account_team: 5, budget_per_year: 2500000}
          intent: escalation.check
          verdict: escalate_now        # null: only the intent is checked
          points: ["standard channel exhausted", "..."]

Each story runs through `Coach.handle` as terminal turns on a throwaway SQLite database in a
temporary folder: its own conversation, a fresh deal made first with the normal command
(`deal new Blind story N`, a name that states nothing), then each message in order, the clock
fixed at the corpora's now (2026-11-30 10:00, Europe/London, the person's time zone too).

Scores, per story and over the corpus:
- facts: the facts on record for the story's deal afterwards (`DealView.facts`, only keys of
  knowledge/'s facts) against `expect.facts`. A fact is right when its key and its value match;
  precision = right / facts on record, recall = right / facts expected. A fact on record that
  the story did not expect counts against precision (listed as "extra" so it can be judged);
  a fact newer than the corpora (`NEWER_THAN_BLIND`: its authors could not name it) is listed
  as "also" and not scored.
  Values are compared after this normalisation: money and other numbers within 1 % (counts
  exactly); yes/no exactly; dates as ISO days; internal alignment team by team (the teams
  named and each one's yes / not yet); other text without case, punctuation, articles and
  small words, equal when at least half of the words of each are shared (a loose match: a
  sticking point told as "the copilot uplift" matches "Copilot uplift").
- final answer: the last reply's intent and verdict against `expect.intent` and
  `expect.verdict`; right when both are (a null verdict: the intent alone).
- key points (reported apart, a loose check): a point counts as present when at least half of
  its content words (four letters or more, not small words; compared on their first five
  letters) appear in the final reply's text. It says whether the answer speaks of the point,
  not whether it says it well.
- deal kept: the conversation's active deal after the story is still the one made for it (a
  sentence about a negotiation must never create, rename or switch a deal).
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
from zoneinfo import ZoneInfo

import yaml

from bot.knowledge import Knowledge
from bot.understanding.evaluate import NEWER_THAN_BLIND, content_words, same_fact
from bot.unknown import is_unknown

TZ = "Europe/London"
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo(TZ)).astimezone(UTC)
TENANT = "eval"
USER = "eval"


@dataclass
class Story:
    source: str
    n: int
    name: str
    voice: str
    messages: list[str]
    facts: dict[str, Any]
    intent: str | None
    verdict: str | None
    points: list[str]


@dataclass
class StoryOutcome:
    story: Story
    facts: dict[str, Any]  # on record afterwards
    right: list[str] = field(default_factory=list)  # keys right
    wrong: list[str] = field(default_factory=list)  # keys on record with another value than expected
    extra: list[str] = field(default_factory=list)  # keys on record the story did not expect
    missed: list[str] = field(default_factory=list)  # keys expected and not on record
    intent: str = "unknown"
    verdict: str | None = None
    points_found: list[bool] = field(default_factory=list)
    deal_kept: bool = True
    replies: list[str] = field(default_factory=list)  # intent (verdict) of each reply
    headline: str = ""  # the final reply's first line
    unscored: list[str] = field(default_factory=list)  # facts newer than the corpus: shown, not scored

    @property
    def intent_right(self) -> bool:
        return self.intent == self.story.intent

    @property
    def answer_right(self) -> bool:
        return self.intent_right and (self.story.verdict is None or self.verdict == self.story.verdict)


@dataclass
class StoryReport:
    outcomes: list[StoryOutcome] = field(default_factory=list)

    def _count(self, attr: str) -> int:
        return sum(len(getattr(o, attr)) for o in self.outcomes)

    @property
    def precision(self) -> float:
        right = self._count("right")
        on_record = right + self._count("wrong") + self._count("extra")
        return right / on_record if on_record else 1.0

    @property
    def recall(self) -> float:
        expected = sum(len(o.story.facts) for o in self.outcomes)
        return self._count("right") / expected if expected else 1.0

    @property
    def answers_right(self) -> tuple[int, int]:
        return sum(o.answer_right for o in self.outcomes), len(self.outcomes)

    @property
    def intents_right(self) -> tuple[int, int]:
        return sum(o.intent_right for o in self.outcomes), len(self.outcomes)

    @property
    def points(self) -> tuple[int, int]:
        found = sum(sum(o.points_found) for o in self.outcomes)
        return found, sum(len(o.points_found) for o in self.outcomes)

    @property
    def deals_kept(self) -> tuple[int, int]:
        return sum(o.deal_kept for o in self.outcomes), len(self.outcomes)

    def per_key(self) -> dict[str, Counter[str]]:
        out: dict[str, Counter[str]] = {}
        for o in self.outcomes:
            for what in ("right", "wrong", "extra", "missed"):
                for key in getattr(o, what):
                    out.setdefault(key, Counter())[what] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        def frac(t: tuple[int, int]) -> dict[str, Any]:
            return {"right": t[0], "of": t[1], "share": round(t[0] / t[1], 4) if t[1] else None}

        return {
            "stories": len(self.outcomes),
            "facts": {"precision": round(self.precision, 4), "recall": round(self.recall, 4)},
            "final_answer_right": frac(self.answers_right),
            "final_intent_right": frac(self.intents_right),
            "key_points_loose": frac(self.points),
            "deal_kept": frac(self.deals_kept),
            "per_key": {k: dict(v) for k, v in sorted(self.per_key().items())},
            "outcomes": [
                {
                    "source": o.story.source,
                    "name": o.story.name,
                    "answer_right": o.answer_right,
                    "intent": o.intent,
                    "expected_intent": o.story.intent,
                    "verdict": o.verdict,
                    "expected_verdict": o.story.verdict,
                    "facts_on_record": o.facts,
                    "wrong": {k: [o.facts.get(k), o.story.facts.get(k)] for k in o.wrong},
                    "extra": {k: o.facts.get(k) for k in o.extra},
                    "not_scored": {k: o.facts.get(k) for k in o.unscored},
                    "missed": {k: o.story.facts.get(k) for k in o.missed},
                    "points_found": o.points_found,
                    "deal_kept": o.deal_kept,
                    "replies": o.replies,
                    "headline": o.headline,
                }
                for o in self.outcomes
            ],
        }


# --- key points ----------------------------------------------------------------------------


def point_found(point: str, reply_text: str) -> bool:
    """Loose: at least half of the point's content words (first five letters) are in the reply."""
    words = {w[:5] for w in content_words(point) if len(w) >= 4}
    if not words:
        return True
    have = {w[:5] for w in content_words(reply_text)}
    return len(words & have) * 2 >= len(words)


# --- the corpus --------------------------------------------------------------------------------


def corpus_files(path: Path) -> list[Path]:
    """A file, or every YAML file of a folder that holds stories (a blind author's folder has
    stories.yaml beside intents.yaml and leaks.yaml)."""
    if path.is_file():
        return [path]
    files = sorted(p for p in path.glob("*.yaml") if p.is_file())
    return [p for p in files if "stories" in (yaml.safe_load(p.read_text(encoding="utf-8")) or {})]


def load_stories(path: Path) -> list[Story]:
    stories: list[Story] = []
    for file in corpus_files(path):
        doc = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        source = file.stem if file.name != "stories.yaml" else file.parent.name
        for n, raw in enumerate(doc.get("stories") or []):
            expect = raw.get("expect") or {}
            messages = raw.get("messages") or []
            if not messages or not all(isinstance(m, str) for m in messages):
                raise ValueError(f"{file}: story {n + 1} needs messages, each quoted text")
            stories.append(
                Story(
                    source=source,
                    n=n + 1,
                    name=str(raw.get("name") or f"story {n + 1}"),
                    voice=str(raw.get("voice") or ""),
                    messages=[str(m) for m in messages],
                    facts=dict(expect.get("facts") or {}),
                    intent=expect.get("intent"),
                    verdict=expect.get("verdict"),
                    points=[str(p) for p in expect.get("points") or []],
                )
            )
    return stories


# --- playing the stories ----------------------------------------------------------------------


async def _play(stories: list[Story], kb: Knowledge) -> StoryReport:
    from bot.coach import Coach
    from bot.db.engine import create_engine, session_factory
    from bot.db.migrate import upgrade
    from bot.memory import Memory
    from bot.turn import Turn

    report = StoryReport()
    with tempfile.TemporaryDirectory(prefix="coach-storyeval-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'stories.db'}"
        await asyncio.to_thread(upgrade, url)
        engine = create_engine(url)
        sessions = session_factory(engine)
        coach = Coach(sessions, kb, clock=lambda: NOW)
        made_before = 0  # deals that exist before a story starts
        try:
            for i, story in enumerate(stories, 1):
                conversation = f"story-{i}"
                deal_name = f"Blind story {i}"

                async def say(text: str, conversation: str = conversation) -> Any:
                    turn = Turn(
                        platform="console",
                        tenant=TENANT,
                        conversation=conversation,
                        user=USER,
                        text=text,
                        timezone=TZ,
                    )
                    reply = await coach.handle(turn)
                    assert reply is not None  # no event id: never a duplicate
                    return reply

                made = await say(f"deal new {deal_name}")
                if made.intent != "deal.new":
                    raise RuntimeError(f"could not make a deal for story {i}: {made.headline}")
                replies = [await say(m) for m in story.messages]
                last = replies[-1]
                async with sessions() as session, session.begin():
                    memory = await Memory.for_tenant(session, "console", TENANT, NOW)
                    deal = await memory.find_deal(deal_name)
                    assert deal is not None
                    view = await memory.deal_view(deal.id, deal)
                    opening = await memory.open_conversation(conversation, NOW)
                    kept = opening.deal is not None and opening.deal.id == deal.id
                    deals = len(await memory.list_deals(None))  # this story's deal and those before it
                facts = {k: v for k, v in view.facts.items() if k in kb.facts and v is not None}
                outcome = StoryOutcome(story, facts, intent=last.intent, verdict=last.verdict)
                # A "not sure" the story does not list is shown, not scored: a corpus lists values,
                # and has no way to say a figure is not known yet ("nobody has priced it").
                shown = (k for k in facts if k not in story.facts)
                outcome.unscored = [k for k in shown if k in NEWER_THAN_BLIND or is_unknown(facts[k])]
                outcome.deal_kept = kept and deals == made_before + 1
                made_before = deals
                outcome.headline = last.headline
                outcome.replies = [f"{r.intent} ({r.verdict})" if r.verdict else r.intent for r in replies]
                for key, value in facts.items():
                    if key in outcome.unscored:
                        continue
                    if key not in story.facts:
                        outcome.extra.append(key)
                    elif same_fact(key, value, story.facts[key], kb):
                        outcome.right.append(key)
                    else:
                        outcome.wrong.append(key)
                outcome.missed = [k for k in story.facts if k not in facts or k in outcome.wrong]
                text = last.plain_text()
                outcome.points_found = [point_found(p, text) for p in story.points]
                report.outcomes.append(outcome)
        finally:
            await coach.close()
            await engine.dispose()
    return report


def evaluate(path: Path, kb: Knowledge) -> StoryReport:
    return asyncio.run(_play(load_stories(path), kb))


# --- the report ---------------------------------------------------------------------------------


def _pct(t: tuple[int, int]) -> str:
    return f"{t[0]} of {t[1]} ({t[0] / t[1]:.0%})" if t[1] else "none"


def _short(value: Any, n: int = 70) -> str:
    s = repr(value)
    return s if len(s) <= n else s[: n - 1] + "…"


def format_report(report: StoryReport) -> str:
    lines = [
        f"stories: {len(report.outcomes)}",
        f"facts: precision {report.precision:.1%}, recall {report.recall:.1%}",
        f"final answer right (intent and verdict): {_pct(report.answers_right)}",
        f"final intent right: {_pct(report.intents_right)}",
        f"key points named (loose word check): {_pct(report.points)}",
        f"deal kept (none created, renamed or switched): {_pct(report.deals_kept)}",
        "",
        f"{'fact':32} {'right':>5} {'wrong':>5} {'extra':>5} {'missed':>6}",
    ]
    for key, c in sorted(report.per_key().items()):
        lines.append(f"{key:32} {c['right']:5} {c['wrong']:5} {c['extra']:5} {c['missed']:6}")
    lines.append("")
    for o in report.outcomes:
        s = o.story
        mark = "ok  " if o.answer_right else "MISS"
        lines.append(
            f"{mark} {s.source} #{s.n} {s.name}: {o.intent} ({o.verdict}), expected {s.intent} ({s.verdict})"
        )
        if not o.answer_right:
            lines.append(f"       replies: {' / '.join(o.replies)}; last: {_short(o.headline, 100)}")
        for k in o.wrong:
            lines.append(f"       wrong  {k}: {_short(o.facts.get(k))}, expected {_short(s.facts.get(k))}")
        for k in o.extra:
            lines.append(f"       extra  {k}: {_short(o.facts.get(k))}")
        for k in o.unscored:
            lines.append(f"       also   {k}: {_short(o.facts.get(k))} (newer than the corpus, not scored)")
        for k in o.missed:
            if k not in o.wrong:
                lines.append(f"       missed {k}: {_short(s.facts.get(k))}")
        if not o.deal_kept:
            lines.append("       the story's deal was not kept (a deal was made or switched)")
        if o.points_found and not all(o.points_found):
            gone = [p for p, ok in zip(s.points, o.points_found, strict=True) if not ok]
            lines.append(f"       points not named: {'; '.join(gone)}")
    return "\n".join(lines)


def run_eval(path: Path, kb: Knowledge, *, as_json: bool = False) -> str:
    report = evaluate(path, kb)
    return json.dumps(report.to_dict(), indent=2, default=str) if as_json else format_report(report)
