"""Import rules on SQLite and PostgreSQL: times become UTC (so a timeline orders the same on
both), and every file that either database would choke on is refused with one line, nothing
written."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.db.engine import session_factory
from bot.db.models import Deal, DealContact, DealEvent
from bot.memory import Memory
from bot.portable import ImportProblem, export_deal, import_deal, parse_document

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def _event(ref: int, text: str, at: str, **extra: Any) -> dict[str, Any]:
    return {
        "ref": ref,
        "kind": "note",
        "payload": {"text": text},
        "actor": "u1",
        "at": at,
        "recorded_at": at,
        **extra,
    }


def _file(*, name: str = "Fabrikam", contacts: list | None = None, events: list | None = None) -> dict:
    return {
        "format": "deal-coach/deal",
        "version": 1,
        "deal": {"name": name, "created_by": "u1", "created_at": "2026-01-01T00:00:00Z"},
        "contacts": contacts or [],
        "events": events or [_event(1, "first round", "2026-03-01T12:00:00Z")],
    }


def _contact(name: str, role: str = "ae") -> dict[str, Any]:
    return {"name": name, "role": role, "kpis": [], "note": None, "active": True}


async def _import(engine, raw: bytes | str, name: str | None = None) -> int:
    async with session_factory(engine)() as s, s.begin():
        memory = await Memory.for_tenant(s, "console", "t1", NOW)
        return await import_deal(memory, parse_document(raw), user="u1", now=NOW, name=name)


async def _export(engine, deal_id: int) -> dict:
    async with session_factory(engine)() as s, s.begin():
        memory = await Memory.for_tenant(s, "console", "t1", NOW)
        return await export_deal(memory, deal_id)


async def test_offsets_become_utc_and_order_the_timeline_the_same_on_both_databases(engine):
    events = [
        _event(1, "call with the AE", "2026-03-01T09:00:00-05:00"),  # 14:00 UTC
        _event(2, "pricing e-mail", "2026-03-01T10:00:00+02:00"),  # 08:00 UTC
        _event(3, "CFO sync", "2026-03-01T12:00:00Z"),
    ]
    deal_id = await _import(engine, json.dumps(_file(events=events)))
    out = await _export(engine, deal_id)
    assert [(e["payload"]["text"], e["at"]) for e in out["events"]] == [
        ("pricing e-mail", "2026-03-01T08:00:00+00:00"),
        ("CFO sync", "2026-03-01T12:00:00+00:00"),
        ("call with the AE", "2026-03-01T14:00:00+00:00"),
    ]
    # Read straight from the table: the stored instant, not a conversion on the way out.
    async with engine.connect() as conn:
        stored = (await conn.execute(select(DealEvent.occurred_at).order_by(DealEvent.id))).scalars().all()
    assert stored == [
        datetime(2026, 3, 1, 14, tzinfo=UTC),
        datetime(2026, 3, 1, 8, tzinfo=UTC),
        datetime(2026, 3, 1, 12, tzinfo=UTC),
    ]
    assert all(t.utcoffset().total_seconds() == 0 for t in stored)


async def test_naive_datetimes_are_refused_by_the_column_type(engine):
    async with session_factory(engine)() as s:
        memory = await Memory.for_tenant(s, "console", "t1", NOW)
        with pytest.raises(Exception, match="tz-aware"):
            await memory.create_deal("Naive", "u1", datetime(2026, 1, 1))
        await s.rollback()


def _deep(levels: int) -> str:
    doc = _file()
    doc["events"][0]["payload"] = {"text": "x", "nested": "@"}
    text = json.dumps(doc)
    return text.replace('"@"', "[" * levels + "]" * levels)


def _with(**changes: Any) -> str:
    return json.dumps(_file(**changes))


def _payload(value: Any) -> str:
    doc = _file()
    doc["events"][0]["payload"] = {"text": "round", "value": value}
    return json.dumps(doc)


REFUSED = [
    ("100k-deep", _deep(100_000), "nested too deeply"),
    ("40-deep", _deep(40), "nested too deeply"),
    ("NUL in a deal name", _with(name="Fabri\x00kam"), "NUL"),
    ("NUL in a contact name", _with(contacts=[_contact("Ja\x00ne")]), "NUL"),
    ("NUL in a payload", _payload("ab\x00c"), "NUL"),
    ("NaN in a payload", _payload(float("nan")), "NaN"),
    ("Infinity in a payload", _payload(float("inf")), "Infinity"),
    ("-Infinity in a payload", _payload(float("-inf")), "-Infinity"),
    ("an unpaired surrogate", _with(name="Fabri\ud800kam"), "unpaired surrogate"),
    (
        "year 0001 at +14:00",
        _with(events=[_event(1, "old", "0001-01-01T00:00:00+14:00")]),
        "outside the years",
    ),
    (
        "year 9999 at -14:00",
        _with(events=[_event(1, "far", "9999-12-31T23:00:00-14:00")]),
        "outside the years",
    ),
    ("year 1066", _with(events=[_event(1, "old", "1066-10-14T09:00:00Z")]), "outside the years"),
    ("a blank deal name", _with(name="   \t "), "name is blank"),
    ("a blank contact name", _with(contacts=[_contact("  ")]), "name is blank"),
    ("a blank role", _with(contacts=[_contact("Jane", role=" ")]), "name is blank"),
    ("ESC in a deal name", _with(name="Fab\x1b[2Jrikam"), "control character (U+001B)"),
    ("ESC in a contact name", _with(contacts=[_contact("\x1b]0;pwned\x07Jane")]), "control character"),
    ("RTL override in a name", _with(contacts=[_contact("Jane\u202eeoD")]), "bidirectional"),
    (
        "Jane and jane",
        _with(contacts=[_contact("Jane Doe"), _contact("jane  doe", "csm")]),
        "one contact twice",
    ),
    (
        "an undo naming a string",
        _with(
            events=[
                {**_event(1, "x", "2026-01-01T00:00:00Z"), "kind": "undo", "payload": {"event_id": "abc"}}
            ]
        ),
        "ref number",
    ),
    (
        "an undo naming a list",
        _with(
            events=[{**_event(1, "x", "2026-01-01T00:00:00Z"), "kind": "undo", "payload": {"event_id": [1]}}]
        ),
        "ref number",
    ),
]


@pytest.mark.parametrize("what,raw,says", REFUSED, ids=[r[0] for r in REFUSED])
async def test_files_either_database_would_choke_on_are_refused(engine, what, raw, says):
    with pytest.raises(ImportProblem) as err:
        await _import(engine, raw)
    message = str(err.value)
    assert says in message
    assert "\n" not in message and len(message) < 200
    async with engine.connect() as conn:
        for table in (Deal, DealEvent, DealContact):
            assert (await conn.execute(select(func.count()).select_from(table))).scalar_one() == 0


@pytest.mark.parametrize("name", ["   ", "Fab\x1bkam", "x" * 121])
async def test_a_bad_name_given_with_as_is_refused(engine, name):
    with pytest.raises(ImportProblem, match="Can't use that deal name"):
        await _import(engine, _with(), name=name)
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(Deal))).scalar_one() == 0


async def test_names_are_tidied_and_reachable_afterwards(engine, chat):
    await _import(engine, _with(name="  Fabrikam \n  Azure\t", contacts=[_contact(" Jane   Doe ")]))
    assert (await chat("deal use fabrikam azure")).headline == "Switched to Fabrikam Azure."
    assert "Jane Doe (ae)" in (await chat("deal show")).plain_text()
