"""Microsoft's statements and counter-moves: recognise what they said, and coach the answer.

Pure: the deal's timeline -> how often they said it; a note -> who said it, what was promised.
The statement types, their patterns, example wordings and the counter-move wording live in
knowledge/counter_moves.yaml. Recognising the move (the patterns, then a classifier trained
from the examples) is understanding's work (bot/understanding/statements.py): the skill hands
its `Classified` result here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from bot.knowledge import Knowledge, KnowledgeSection
from bot.patterns import check
from bot.timeline import MS_STATEMENT, DealView


class Pattern(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    match: str
    label: str


class StatementType(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: str
    rule: str
    trigger: str | None = None  # which escalation trigger it feeds: exploding | verbal | stall
    patterns: list[Pattern]
    examples: list[str] = Field(min_length=12)  # the move in other words, for the classifier
    label: str | None = None  # read back when the classifier spotted it (default: the first pattern's)

    @property
    def default_label(self) -> str:
        return self.label or self.patterns[0].label


class Speaker(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    label: str
    words: list[str]


def _validate_types(raw: object) -> list[StatementType]:
    types = TypeAdapter(list[StatementType]).validate_python(raw)
    for t in types:
        for p in t.patterns:
            check(p.match, re.IGNORECASE)  # as bot/understanding/statements.py matches it
    return types


SECTIONS = (
    KnowledgeSection("counter_moves", "statements", _validate_types),
    KnowledgeSection("counter_moves", "speakers", TypeAdapter(list[Speaker]).validate_python),
    KnowledgeSection("counter_moves", "other_examples", TypeAdapter(list[str]).validate_python),
)

OTHER = "other"


@dataclass(frozen=True)
class Classified:
    type: str
    label: str
    rule: str | None
    match: str  # the words that gave it away, e.g. "sign by the end of the month"


def excerpt(text: str, limit: int = 60) -> str:
    body = re.sub(
        r"^\s*(the |their |our )?\w+( \w+)?\s+(just |again |also )*"
        r"(said|says|told (us|me)|tells us|mentioned)"
        r"( that)?\s*",
        "",
        text,
        flags=re.IGNORECASE,
    ).strip(" .")
    body = body or text.strip()
    return body if len(body) <= limit else body[: limit - 1] + "…"


def speaker(text: str, kb: Knowledge) -> tuple[str | None, str]:
    """Who said it (role key, how we show it), from the first words of the note."""
    head = " ".join(text.casefold().split()[:6])
    best: tuple[int, int, Speaker] | None = None  # earliest mention wins; then the longer word
    for sp in kb.section("counter_moves.speakers"):
        for w in sp.words:
            m = re.search(rf"(?<!\w){re.escape(w)}(?!\w)", head)
            if m and (best is None or (m.start(), -len(w)) < (best[0], best[1])):
                best = (m.start(), -len(w), sp)
    if best is None:
        return None, "Microsoft"
    return best[2].key, best[2].label


def times_said(deal: DealView, type_: str) -> int:
    """How often Microsoft said this kind of thing: each statement once, or the times told."""
    events = deal.live_events(MS_STATEMENT)
    return sum(max(1, int(e.payload.get("times") or 1)) for e in events if e.payload.get("type") == type_)


def ordinal_time(n: int) -> str:
    if n == 1:
        return "1st time"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix} time"


def day_words(at: datetime, now: datetime) -> str:
    days = (now.date() - at.date()).days
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"on {at.day} {at:%b}"


def statements_text(deal: DealView) -> str:
    """Everything Microsoft was logged as saying, for playbooks that look for a topic."""
    return "\n".join(str(e.payload.get("text", "")) for e in deal.live_events(MS_STATEMENT))


# What was promised, out of "the AE promised a price hold but won't put it in the contract" or
# "on the call their VP agreed to waive the uplift": the words after the promise verb, up to the
# refusal or the call.
_PROMISE_OF = re.compile(
    r"\b(?:verbally\s+)?(?:promised|promises|committed to|agreed to|agreed|offered|said (?:they|she|he|we) "
    r"(?:could|would|can|will|'d)|could|would|will|can)\s+(?:(?:us|to give us|to)\s+)?"
    r"(?P<what>.+?)(?=\s*(?:,|;|\bbut\b|\bthough\b|\bhowever\b|\bwhile\b|"
    r"\b(?:on|during|in) the (?:call|phone|meeting|zoom|teams call)\b|\bverbally\b|$))",
    re.IGNORECASE,
)


def promise_of(text: str) -> str:
    """The promise in a note about a verbal commitment; the note's gist when none is found."""
    m = _PROMISE_OF.search(text)
    what = m.group("what").strip(" .") if m else ""
    return what[:200] if len(what) >= 3 else excerpt(text, 120)
