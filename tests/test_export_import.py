"""A deal as JSON: export, import into a new deal, and the same export again; hostile files
are refused with one line and write nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from bot.db.models import Deal, DealEvent
from bot.memory import Memory
from bot.portable import ImportProblem, export_deal, import_deal, parse_document


async def _export(engine, tenant: str, name: str) -> dict:
    from bot.db.engine import session_factory

    async with session_factory(engine)() as s, s.begin():
        memory = await Memory.for_tenant(s, "console", tenant, _now())
        deal = await memory.find_deal(name)
        assert deal is not None
        return await export_deal(memory, deal.id)


def _now():
    from datetime import UTC, datetime

    return datetime(2026, 11, 23, tzinfo=UTC)


async def _import(engine, tenant: str, raw: bytes | str, name: str | None = None) -> int:
    from bot.db.engine import session_factory

    async with session_factory(engine)() as s, s.begin():
        memory = await Memory.for_tenant(s, "console", tenant, _now())
        return await import_deal(memory, parse_document(raw), user="u1", now=_now(), name=name)


async def test_export_import_export_round_trips(chat, engine):
    await chat("deal new Woodgrove EA renewal", tenant="t1")
    await chat("set renewal date: 2027-06-30", tenant="t1")
    noted = await chat("note: first pricing round", tenant="t1")
    await chat("note: CFO wants a call", tenant="t1")
    await chat(action=noted.actions[0].payload, tenant="t1")  # an undo, which must survive
    first = await _export(engine, "t1", "Woodgrove EA renewal")
    assert [e["kind"] for e in first["events"]] == ["fact", "note", "note", "undo"]

    await _import(engine, "t2", json.dumps(first))
    second = await _export(engine, "t2", "Woodgrove EA renewal")
    deal = ("format", "version", "deal", "contacts", "events", "facts")
    assert {k: second[k] for k in deal} == {k: first[k] for k in deal}
    assert second["facts"] == {"renewal_date": "2027-06-30"}
    # Who saw the deal and its trail are for readers: the import starts its own.
    assert first["version"] == 2
    assert [(m["user"], m["via"]) for m in first["members"]] == [("u1", "creator")]
    assert [(a["action"], a["detail"], a["keys"]) for a in first["audit"]] == [
        ("create", "creator", []),
        ("change", "fact", ["renewal_date"]),
        ("change", "note", []),
        ("change", "note", []),
        ("change", "undo", []),
    ]
    assert [(m["user"], m["via"]) for m in second["members"]] == [("u1", "import")]
    assert [(a["action"], a["detail"]) for a in second["audit"]] == [
        ("create", "import"),
        ("import", "4 events"),
    ]


async def test_a_version_1_file_still_imports(chat, engine):
    await chat("deal new Woodgrove EA renewal", tenant="t1")
    await chat("set renewal date: 2027-06-30", tenant="t1")
    old = await _export(engine, "t1", "Woodgrove EA renewal")
    for key in ("members", "audit"):
        old.pop(key)
    old["version"] = 1
    await _import(engine, "t2", json.dumps(old))
    again = await _export(engine, "t2", "Woodgrove EA renewal")
    assert again["facts"] == {"renewal_date": "2027-06-30"} and again["version"] == 2


HOSTILE = [
    ("not json", "{nope"),
    ("a list", "[1, 2, 3]"),
    ("wrong format", json.dumps({"format": "other", "version": 1, "deal": {}})),
    ("missing deal", json.dumps({"format": "deal-coach/deal", "version": 1})),
    (
        "wrong type",
        json.dumps(
            {
                "format": "deal-coach/deal",
                "version": 1,
                "deal": {"name": 5, "created_by": "x", "created_at": "2026-01-01T00:00:00Z"},
            }
        ),
    ),
    (
        "bad event",
        json.dumps(
            {
                "format": "deal-coach/deal",
                "version": 1,
                "deal": {"name": "X", "created_by": "x", "created_at": "2026-01-01T00:00:00Z"},
                "events": [
                    {
                        "ref": 1,
                        "kind": "note",
                        "payload": "text",
                        "actor": "a",
                        "at": "2026-01-01T00:00:00Z",
                        "recorded_at": "2026-01-01T00:00:00Z",
                    }
                ],
            }
        ),
    ),
    (
        "dangling undo",
        json.dumps(
            {
                "format": "deal-coach/deal",
                "version": 1,
                "deal": {"name": "X", "created_by": "x", "created_at": "2026-01-01T00:00:00Z"},
                "events": [
                    {
                        "ref": 1,
                        "kind": "undo",
                        "payload": {"event_id": 9},
                        "actor": "a",
                        "at": "2026-01-01T00:00:00Z",
                        "recorded_at": "2026-01-01T00:00:00Z",
                    }
                ],
            }
        ),
    ),
    ("50 MB", b" " * (50 * 1024 * 1024)),
]


@pytest.mark.parametrize("what,raw", HOSTILE, ids=[h[0] for h in HOSTILE])
async def test_hostile_imports_are_refused_and_write_nothing(engine, what, raw):
    with pytest.raises(ImportProblem) as err:
        await _import(engine, "t1", raw)
    assert "\n" not in str(err.value) and len(str(err.value)) < 200
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(Deal))).scalar_one() == 0
        assert (await conn.execute(select(func.count()).select_from(DealEvent))).scalar_one() == 0
