"""The few statements every turn runs, compiled once and run straight on SQLite's connection.

Through the ORM session a statement costs some 70 µs of SQLAlchemy (execution context,
result objects, entity loading) around a 10 µs SQLite call, and its code fills the CPU's
caches. On SQLite (the embedded default) these statements therefore skip that layer: they are
compiled by SQLAlchemy once per dialect, their values converted by the column types' own
processors, and run on the turn's connection, inside the turn's transaction. On
PostgreSQL the network round trip dominates, so they run through SQLAlchemy Core as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import ClauseElement
from sqlalchemy.types import TypeEngine

Processor = Callable[[Any], Any] | None
# SQL text, bind names in order, their processors, the result columns' processors.
Compiled = tuple[str, tuple[str, ...], tuple[Processor, ...], tuple[Processor, ...]]


@dataclass(slots=True, frozen=True)
class Target:
    """Where a transaction's hot statements run: its connection, and on SQLite the driver's
    own connection under it (each lookup through SQLAlchemy's async layer costs a greenlet)."""

    conn: AsyncConnection
    driver: Any = None

    @classmethod
    async def of(cls, session: AsyncSession) -> Target:
        return await cls.on(await session.connection())

    @classmethod
    async def on(cls, conn: AsyncConnection) -> Target:
        if conn.dialect.name != "sqlite":
            return cls(conn)
        return cls(conn, (await conn.get_raw_connection()).driver_connection)


class HotStatement:
    """One statement with named bind parameters; `rows` gives plain tuples in the order of
    `result_types` (the selected or returned columns' types)."""

    def __init__(self, statement: ClauseElement, result_types: Sequence[TypeEngine[Any]]) -> None:
        self.statement = statement
        self.result_types = tuple(result_types)
        self._compiled: dict[str, Compiled] = {}

    def _for(self, dialect: Dialect) -> Compiled:
        hit = self._compiled.get(dialect.name)
        if hit is None:
            compiled = self.statement.compile(dialect=dialect)
            names = tuple(compiled.positiontup or ())
            binds = tuple(compiled.binds[n].type.bind_processor(dialect) for n in names)
            results = tuple(t.result_processor(dialect, None) for t in self.result_types)
            hit = self._compiled[dialect.name] = (str(compiled), names, binds, results)
        return hit

    async def rows(self, target: Target, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        if target.driver is None:
            return [tuple(r) for r in await target.conn.execute(self.statement, params)]
        sql, names, binds, results = self._for(target.conn.dialect)
        values = [p(params[n]) if p else params[n] for n, p in zip(names, binds, strict=True)]
        cursor = await target.driver.execute(sql, values)
        try:
            fetched = await cursor.fetchall()
        finally:
            await cursor.close()
        if not any(results):
            return [tuple(r) for r in fetched]
        return [tuple(p(v) if p else v for p, v in zip(results, r, strict=True)) for r in fetched]


def insert_unless_there(table: Table, *columns: str) -> dict[bool, HotStatement]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id, for SQLite and for PostgreSQL (key True):
    one statement that either adds the row or, when it is already there, returns nothing."""
    return {
        postgres: HotStatement(
            (pg_insert if postgres else sqlite_insert)(table)
            .values({c: bindparam(c) for c in columns})
            .on_conflict_do_nothing()
            .returning(table.c.id),
            (table.c.id.type,),
        )
        for postgres in (False, True)
    }
