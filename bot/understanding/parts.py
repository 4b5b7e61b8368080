"""The parts of a Reading (bot/understanding/reading.py): entities, speakers, facts, references
and the steps that decided the intent. Plain frozen data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# --- the reading ------------------------------------------------------------------------------

US, MICROSOFT = "us", "microsoft"


@dataclass(frozen=True, slots=True)
class Entity:
    kind: str  # person | role | team | amount | percent | count
    text: str
    span: tuple[int, int]
    value: Any = None  # amount: float per year or as said; person: role key or None; role: role key
    side: str | None = None  # "us" | "microsoft" | None (not said)


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who a statement is attributed to: our side, Microsoft's, or not said (the reader's own)."""

    side: str | None  # "us" | "microsoft" | None
    who: str  # as said: "our CFO", "their VP", "Jane", "Microsoft"
    span: tuple[int, int] = (0, 0)


@dataclass(frozen=True, slots=True)
class Fact:
    """A fact a statement told, with how sure the reader is and who stated it."""

    key: str
    value: Any
    span: tuple[int, int]
    confidence: float
    said: str
    speaker: str | None  # "us" | "microsoft" | None
    note: str = ""  # how a worked-out value was reached ("5.4m over 3 years, so 1.8M a year")
    rule: str = ""  # the reading that found it when not the fact rules: "fact-reading"


@dataclass(frozen=True, slots=True)
class Reference:
    """Words that lean on the conversation: a pronoun for a person, "the number", an ellipsis."""

    kind: str  # person | figure | ellipsis | what_now | yes_no | answer
    text: str
    span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Step:
    """One layer's say on the intent: which rule, what it decided."""

    rule: str
    intent: str | None
