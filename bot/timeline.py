"""Plain data the playbooks read: a deal's append-only timeline and what it implies now.

Nothing here touches the database or the clock; `derive_facts` is a pure fold over events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
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
class Timeline:
    """A decoded timeline and what is derived from it once (playbooks ask many times a turn)."""

    events: tuple[Event, ...] = ()
    live: tuple[Event, ...] = ()  # not undone, undo events left out, oldest first
    by_kind: Mapping[str, tuple[Event, ...]] = field(default_factory=dict)
    facts: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, events: Iterable[Event]) -> Timeline:
        events = tuple(events)
        undone = {e.payload.get("event_id") for e in events if e.kind == UNDO}
        live = tuple(e for e in events if e.kind != UNDO and e.id not in undone)
        by_kind: dict[str, list[Event]] = {}
        for e in live:
            by_kind.setdefault(e.kind, []).append(e)
        return cls(
            events=events,
            live=live,
            by_kind=MappingProxyType({k: tuple(v) for k, v in by_kind.items()}),
            facts=MappingProxyType(derive_facts(events)),
        )


@dataclass(frozen=True, slots=True)
class DealView:
    """Everything a playbook may know about one deal."""

    id: int
    name: str
    timeline: Timeline = field(default_factory=Timeline)
    contacts: tuple[Contact, ...] = ()

    @property
    def events(self) -> tuple[Event, ...]:
        return self.timeline.events

    @property
    def facts(self) -> Mapping[str, Any]:
        return self.timeline.facts

    def live_events(self, *kinds: str) -> list[Event]:
        """Events not withdrawn by an undo, optionally of the given kinds, oldest first."""
        if not kinds:
            return list(self.timeline.live)
        if len(kinds) == 1:
            return list(self.timeline.by_kind.get(kinds[0], ()))
        return [e for e in self.timeline.live if e.kind in kinds]

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
    events: Iterable[Event] | Timeline,
    contacts: Iterable[Contact] = (),
) -> DealView:
    timeline = events if isinstance(events, Timeline) else Timeline.of(events)
    return DealView(id=deal_id, name=name, timeline=timeline, contacts=tuple(contacts))
