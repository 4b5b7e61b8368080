"""Rows claimed by one worker at a time through a lease (`lease_owner`, `lease_until`), for any
table that has those columns (reminders, the inbox).

Exactly once across replicas rests on the database, never on process memory: SELECT … FOR
UPDATE SKIP LOCKED on PostgreSQL (two workers never take the same row); SQLite ignores the
clause and its BEGIN IMMEDIATE (behind the write gate) serialises claimers instead. A worker
that dies leaves its lease to expire; the next claimer takes the row with attempts + 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


def insert_ignoring_conflicts(session: AsyncSession, model: Any, rows: list[dict[str, Any]], keys: list[str]):
    """INSERT … ON CONFLICT (keys) DO NOTHING for this session's dialect (a statement to run)."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    return insert(model).values(rows).on_conflict_do_nothing(index_elements=keys)


def free(model: Any, now: datetime) -> ColumnElement[bool]:
    """Nobody holds a live lease on the row."""
    return or_(model.lease_until.is_(None), model.lease_until < now)


async def claim(
    session: AsyncSession,
    model: Any,
    owner: str,
    now: datetime,
    *,
    lease: timedelta,
    where: Sequence[ColumnElement[bool]] = (),
    order_by: Sequence[Any] = (),
    limit: int = 50,
) -> list[Any]:
    """Take up to `limit` rows matching `where` that nobody holds a live lease on; returns them
    (attempts already counted). Commit promptly after."""
    ids = (
        (
            await session.execute(
                select(model.id)
                .where(*where, free(model, now))
                .order_by(*order_by, model.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        .scalars()
        .all()
    )
    if not ids:
        return []
    await session.execute(
        update(model)
        .where(model.id.in_(ids))
        .values(lease_owner=owner, lease_until=now + lease, attempts=model.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    stmt = select(model).where(model.id.in_(ids)).order_by(*order_by, model.id)
    return list((await session.execute(stmt)).scalars())
