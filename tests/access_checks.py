"""What the outsider tests compare: every row of every table of the database, before and after
(docs/security.md, "Outsiders": nothing an outsider sends is stored)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, select


async def snapshot(engine: Any) -> dict[str, list[str]]:
    """Each table's rows, as sorted text: equal snapshots mean nothing was inserted, changed
    or deleted. The tables are read from the database itself, so a table added later counts."""
    meta = MetaData()
    async with engine.connect() as conn:
        await conn.run_sync(meta.reflect)
        out: dict[str, list[str]] = {}
        for table in meta.sorted_tables:
            rows = (await conn.execute(select(table))).all()
            out[table.name] = sorted(repr(tuple(r)) for r in rows)
    return out


async def settled(engine: Any) -> dict[str, list[str]]:
    """A snapshot taken once the inbox is empty (every acknowledged turn answered and its row
    deleted): the baseline the outsiders' attempts are compared with."""
    import asyncio

    async with asyncio.timeout(10):
        while True:
            snap = await snapshot(engine)
            if not snap.get("inbox"):
                return snap
            await asyncio.sleep(0.05)


def counts(snap: dict[str, list[str]]) -> dict[str, int]:
    return {name: len(rows) for name, rows in snap.items()}


def changed(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[str]:
    """The tables whose rows differ (empty when nothing was written)."""
    return sorted(n for n in before.keys() | after.keys() if before.get(n) != after.get(n))


async def deal_rows(engine: Any, name: str) -> dict[str, list[str]]:
    """Everything stored of one deal: its row and, in every table with a `deal_id` column, its
    rows (events, contacts, forms, reminders, members, …), as sorted text. The audit trail is
    left out: a refused attempt is recorded there, by design."""
    meta = MetaData()
    async with engine.connect() as conn:
        await conn.run_sync(meta.reflect)
        deals = meta.tables["deals"]
        (deal_id,) = (await conn.execute(select(deals.c.id).where(deals.c.name == name))).one()
        out = {
            "deals": [repr(tuple(r)) for r in await conn.execute(select(deals).where(deals.c.id == deal_id))]
        }
        for table in meta.sorted_tables:
            if "deal_id" in table.c and table.name != "deal_audit":
                rows = await conn.execute(select(table).where(table.c.deal_id == deal_id))
                out[table.name] = sorted(repr(tuple(r)) for r in rows)
    return out
