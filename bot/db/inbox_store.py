"""The `inbox` table's statements: accept a turn (one INSERT … ON CONFLICT DO NOTHING), claim
rows through a lease (bot/db/leases.py), delete answered rows, retry with a backoff, renew,
hand back, count. The worker loop that drives them is adapters/inbox.py.

Every write here is guarded by the lease owner: a row another worker took over is theirs.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker

from bot.db import leases
from bot.db.engine import write_gate, write_session
from bot.db.models import InboxItem


@dataclass(frozen=True, slots=True)
class Item:
    """One claimed inbox row."""

    id: int
    platform: str
    tenant_key: str
    event_id: str
    payload: dict[str, Any]
    attempts: int  # > 1: an earlier worker took it and died or failed


def _insert_statement(insert: Any, *, returning: bool) -> Any:
    """INSERT … ON CONFLICT DO NOTHING: one row the first time, none for a resend. `returning`:
    the new row's id comes back as a row (RETURNING id); without, from the result's
    `inserted_primary_key` (SQLite's last rowid, read without another statement)."""
    table = InboxItem.__table__
    columns = ("platform", "tenant_key", "event_id", "payload", "received_at", "attempts")
    columns += ("lease_owner", "lease_until")
    values = {c: bindparam(c, type_=table.c[c].type) for c in columns}
    stmt = insert(table).values(values).on_conflict_do_nothing()
    return stmt.returning(table.c.id) if returning else stmt


# The one insert inside the ack budget, built once per dialect (SQLAlchemy caches its SQL). On
# SQLite without RETURNING: a statement with no rows to fetch is one trip fewer to aiosqlite's
# thread, and SQLite knows the id it gave (its last rowid); PostgreSQL has no such thing.
_INSERT = {
    "sqlite": _insert_statement(sqlite_insert, returning=False),
    "postgresql": _insert_statement(pg_insert, returning=True),
}
# Answered rows, deleted by their holder only.
_DELETE = delete(InboxItem.__table__).where(
    InboxItem.id.in_(bindparam("ids", expanding=True)), InboxItem.lease_owner == bindparam("owner")
)


@contextlib.asynccontextmanager
async def writing(engine: AsyncEngine, sessions: async_sessionmaker) -> AsyncIterator[AsyncConnection]:
    """A short write transaction on a plain connection (no ORM session: these few statements
    run per turn), behind SQLite's write gate like every writer."""
    async with write_gate(sessions), engine.begin() as conn:
        yield conn


async def insert(conn: AsyncConnection, row: dict[str, Any]) -> int | None:
    """The new row's id, or None when (platform, tenant, event id) is there already."""
    dialect = conn.dialect.name
    result = await conn.execute(_INSERT[dialect], row)
    if dialect == "sqlite":  # no RETURNING: the id SQLite gave, when a row was made
        return result.inserted_primary_key[0] if result.rowcount == 1 else None
    made = result.first()
    return made[0] if made else None


async def delete_answered(conn: AsyncConnection, ids: Collection[int], owner: str) -> None:
    await conn.execute(_DELETE, {"ids": sorted(ids), "owner": owner})


async def drop(sessions: async_sessionmaker, item_id: int, owner: str) -> None:
    """Delete a row that failed too often (a poison turn)."""
    async with write_session(sessions) as session:
        mine = (InboxItem.id == item_id, InboxItem.lease_owner == owner)
        await session.execute(delete(InboxItem).where(*mine))


async def retry_after(sessions: async_sessionmaker, item_id: int, owner: str, until: datetime) -> None:
    """Give a failed row back for a retry at `until`: lease_until in the future with no owner,
    so nobody takes it before the backoff ends."""
    async with write_session(sessions) as session:
        await session.execute(
            update(InboxItem)
            .where(InboxItem.id == item_id, InboxItem.lease_owner == owner)
            .values(lease_owner=None, lease_until=until)
        )


async def any_waiting(sessions: async_sessionmaker, now: datetime) -> bool:
    """A plain read, so that idle polls write nothing: does any row nobody holds wait?"""
    async with sessions() as session:
        waiting = await session.execute(select(InboxItem.id).where(leases.free(InboxItem, now)).limit(1))
        return waiting.first() is not None


async def claim(
    sessions: async_sessionmaker, owner: str, now: datetime, *, lease: timedelta, limit: int
) -> list[Item]:
    """Take up to `limit` rows nobody holds (attempts counted), in one write transaction."""
    async with write_session(sessions) as session:
        rows = await leases.claim(session, InboxItem, owner, now, lease=lease, order_by=[], limit=limit)
        return [Item(r.id, r.platform, r.tenant_key, r.event_id, dict(r.payload), r.attempts) for r in rows]


async def renew(conn: AsyncConnection, ids: Collection[int], owner: str, until: datetime) -> None:
    """Extend the leases `owner` still holds on `ids`."""
    await conn.execute(
        update(InboxItem)
        .where(InboxItem.id.in_(list(ids)), InboxItem.lease_owner == owner)
        .values(lease_until=until)
    )


async def release_all(conn: AsyncConnection, owner: str) -> int:
    """Hand back every row `owner` holds (lease cleared); returns how many."""
    result = await conn.execute(
        update(InboxItem).where(InboxItem.lease_owner == owner).values(lease_owner=None, lease_until=None)
    )
    return max(result.rowcount or 0, 0)


async def depth(sessions: async_sessionmaker) -> int:
    """Turns acknowledged and not yet answered, over every replica (for a metrics gauge)."""
    async with sessions() as session:
        return int((await session.execute(select(func.count()).select_from(InboxItem))).scalar_one())
