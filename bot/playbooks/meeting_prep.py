"""Meeting prep: a checklist for one meeting with one Microsoft role on one topic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.alignment import TEAM_LABELS, parse_alignment
from bot.knowledge import Knowledge, KnowledgeSection
from bot.playbooks.disclosure import kinds, stance_for
from bot.playbooks.people import find_phrase
from bot.reply import Item, Section

MEETING = "meeting"


class TopicSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    label: str
    keywords: list[str] = Field(default_factory=list)
    guard: list[str] = Field(default_factory=list)
    ask: list[str] = Field(default_factory=list)


class PrepConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    default_topic: str
    topics: list[TopicSpec]
    role_rules: dict[str, list[str]] = Field(default_factory=dict)
    default_hour: int = Field(9, ge=0, le=23)


SECTIONS = (KnowledgeSection("meetings", "meeting_prep", PrepConfig),)


def prep_config(kb: Knowledge) -> PrepConfig:
    return kb.section("meetings.meeting_prep")


def find_topic(text: str, kb: Knowledge) -> TopicSpec:
    cfg = prep_config(kb)
    best: tuple[int, TopicSpec] | None = None
    for t in cfg.topics:
        if t.key == cfg.default_topic:
            continue
        hit = find_phrase(text, t.keywords)
        if hit and (best is None or len(hit[1]) > best[0]):
            best = (len(hit[1]), t)
    if best:
        return best[1]
    return next(t for t in cfg.topics if t.key == cfg.default_topic)


@dataclass(frozen=True, slots=True)
class Checklist:
    role: str
    topic: TopicSpec
    sections: list[Section]

    @property
    def rules(self) -> list[str]:
        return [i.rule for s in self.sections for i in s.items if i.rule]


def alignment_item(kb: Knowledge, alignment: Any) -> Item:
    """Who attends from your side, read from the deal's `internal_alignment` when it is known."""
    state = parse_alignment(alignment)
    if all(v is None for v in state.values()):
        return Item(kb.say("meetings.attendees-aligned"), rule="meetings.attendees-aligned", done=False)
    apart = [TEAM_LABELS[t] for t, ok in state.items() if ok is not True]
    if not apart:
        return Item(kb.say("meetings.side-aligned"), rule="meetings.side-aligned", done=False)
    return Item(
        kb.say("meetings.side-split", who=" and ".join(apart)), rule="meetings.side-split", done=False
    )


def reminder_checklist(
    kb: Knowledge, role: str | None, topic: str | None, alignment: Any = None, rehearsed: Any = None
) -> list[Item] | None:
    """What the pre-meeting reminder of a meeting logged by prep lists: the prep checklist's
    "before" part. None for a role or topic prep doesn't know (meetings logged elsewhere): the
    reminder then keeps its own default."""
    if not role or role not in kb.roles:
        return None
    spec = next((t for t in prep_config(kb).topics if topic in (t.key, t.label)), None)
    if spec is None:
        return None
    return list(checklist(kb, role, spec, alignment, rehearsed).sections[0].items)


def checklist(
    kb: Knowledge, role: str, topic: TopicSpec, alignment: Any = None, rehearsed: Any = None
) -> Checklist:
    """Before: agenda, what to share and keep back, what to ask, who attends (and whether the
    deal says they are aligned), and the lines to remember from the last rehearsal with this
    role (`rehearsed`: its scorecard event's payload, bot/skills/rehearsal.py). After: promises
    in writing."""
    specs = kinds(kb)
    before: list[Item] = [Item(kb.say("account-team.set-agenda"), rule="account-team.set-agenda", done=False)]
    share = [k for k in specs if stance_for(kb, role, k).stance == "share"]
    if share:
        labels = ", ".join(specs[k].label for k in share)
        before.append(Item(f"Fine to share: {labels}.", rule="disclosure.safe", done=False))
    for k in topic.guard:
        if k not in specs:
            continue
        a = stance_for(kb, role, k)
        if a.stance == "protect":
            before.append(
                Item(f"Keep to yourselves: {specs[k].label}. {kb.say(a.rule)}", rule=a.rule, done=False)
            )
        elif a.stance == "strategic":
            before.append(
                Item(f"Only on purpose: {specs[k].label}. {kb.say(a.rule)}", rule=a.rule, done=False)
            )
    extra = [*topic.ask, *prep_config(kb).role_rules.get(role, [])]
    for rule in dict.fromkeys(extra):
        before.append(Item(kb.say(rule), rule=rule, done=False))
    before.append(alignment_item(kb, alignment))
    lines = (
        [str(x) for x in (rehearsed or {}).get("remember", []) if x] if isinstance(rehearsed, dict) else []
    )
    if lines:
        title = kb.roles[role].title if role in kb.roles else role
        said = " / ".join(f"“{line}”" for line in lines)
        before.append(
            Item(kb.say("rehearsal.remember", role=title, lines=said), rule="rehearsal.remember", done=False)
        )
    after = [Item(kb.say("commitments.in-writing"), rule="commitments.in-writing", done=False)]
    return Checklist(
        role,
        topic,
        [
            Section(items=before, title="Before", style="checklist"),
            Section(items=after, title="Afterwards", style="checklist"),
        ],
    )
