"""Plain data the playbooks read: a deal's append-only timeline and what it implies now.

Nothing here touches the database or the clock; `derive_facts` is a pure fold over events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Event kinds the core knows. Playbooks may log others (kind strings are free), but these
# carry meaning for fact derivation.
FACT = "fact"  # {"key": str, "value": Any} - a fact stated by the user or a form answer
UNDO = "undo"  # {"event_id": int} - withdraws an earlier event; nothing is deleted
NOTE = "note"  # {"text": str}
MS_STATEMENT = "ms_statement"  # {"type": str, "text": str, "role": str|None, "contact": str|None}
CONTACT = "contact"  # {"name", "role", "kpis": [..], "note"} - contact added or changed


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    kind: str
    payload: Mapping[str, Any]
    actor: str
    at: datetime  # when it happened (as told), tz-aware UTC
    recorded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    id: int
    name: str
    role: str  # a role key from knowledge/roles.yaml, e.g. "ae", "csm"
    kpis: tuple[str, ...] = ()
    active: bool = True
    note: str | None = None


@dataclass(frozen=True, slots=True)
class DealView:
    """Everything a playbook may know about one deal."""

    id: int
    name: str
    events: tuple[Event, ...] = ()
    contacts: tuple[Contact, ...] = ()
    facts: Mapping[str, Any] = field(default_factory=dict)

    def live_events(self, *kinds: str) -> list[Event]:
        """Events not withdrawn by an undo, optionally of the given kinds, oldest first."""
        undone = {e.payload.get("event_id") for e in self.events if e.kind == UNDO}
        return [
            e for e in self.events if e.kind != UNDO and e.id not in undone and (not kinds or e.kind in kinds)
        ]

    def fact(self, key: str, default: Any = None) -> Any:
        return self.facts.get(key, default)

    def contact(self, name: str) -> Contact | None:
        wanted = name.strip().casefold()
        for c in self.contacts:
            if c.name.casefold() == wanted or c.name.split()[0].casefold() == wanted:
                return c
        return None


def derive_facts(events: Iterable[Event]) -> dict[str, Any]:
    """Current facts: the latest live `fact` event per key wins; undone ones don't count."""
    events = list(events)
    undone = {e.payload.get("event_id") for e in events if e.kind == UNDO}
    facts: dict[str, Any] = {}
    for e in sorted(events, key=lambda e: (e.at, e.id)):
        if e.kind == FACT and e.id not in undone:
            facts[str(e.payload["key"])] = e.payload.get("value")
    return facts


def make_view(
    deal_id: int,
    name: str,
    events: Iterable[Event],
    contacts: Iterable[Contact] = (),
    facts: Mapping[str, Any] | None = None,
) -> DealView:
    events = tuple(events)
    return DealView(
        id=deal_id,
        name=name,
        events=events,
        contacts=tuple(contacts),
        facts=derive_facts(events) if facts is None else facts,
    )
