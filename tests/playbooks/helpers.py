"""Plain-data deals for pure playbook tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.timeline import Contact, DealView, Event, make_view

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def deal(
    facts: dict[str, Any] | None = None,
    events: list[tuple[int, str, dict]] | None = None,
    contacts: list[Contact] | None = None,
) -> DealView:
    """facts as fact events 10 days ago; events as (days_ago, kind, payload)."""
    evs: list[Event] = []
    for key, value in (facts or {}).items():
        evs.append(Event(len(evs) + 1, "fact", {"key": key, "value": value}, "u1", NOW - timedelta(days=10)))
    for days_ago, kind, payload in events or []:
        evs.append(Event(len(evs) + 1, kind, payload, "u1", NOW - timedelta(days=days_ago)))
    return make_view(1, "Woodgrove EA renewal", evs, contacts or [])


READY = {
    "rounds_with_account_team": 3,
    "internal_alignment": "yes, all three",
    "sticking_point": "Copilot price",
    "sticking_point_value_per_year": 300_000,
    "deal_value_per_year": 2_400_000,
    "budget_target_set": True,
}


def final(days_ago: int = 5) -> tuple[int, str, dict]:
    return (
        days_ago,
        "ms_statement",
        {"type": "final_offer", "label": "final offer", "role": "ae", "text": "x"},
    )
