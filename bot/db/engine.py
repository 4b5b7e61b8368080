"""Engines from user-friendly URLs: `sqlite:///path` and `postgresql://...` get async drivers."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.db.inline_sqlite import Checkpointer, InlineConnection, connector


def async_url(url: str) -> URL:
    """Add the async driver the user did not name: aiosqlite for SQLite, asyncpg for PostgreSQL."""
    u = make_url(url)
    backend = u.get_backend_name()
    if backend == "sqlite":
        u = u.set(drivername="sqlite+aiosqlite")
    elif backend in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+asyncpg")
    else:
        raise ValueError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")
    return u


def sync_url(url: str) -> URL:
    """The same database for synchronous tools (Alembic offline bits, slack_sdk stores)."""
    u = make_url(url)
    backend = u.get_backend_name()
    if backend == "sqlite":
        return u.set(drivername="sqlite")
    return u.set(drivername="postgresql+asyncpg")


def create_engine(url: str, *, inline: bool = True, **kwargs: object) -> AsyncEngine:
    """An async engine. A SQLite file runs on the event loop's thread (`inline`, see
    bot/db/inline_sqlite.py) unless inline=False asks for aiosqlite's thread."""
    u = async_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        if inline and u.database and u.database != ":memory:":
            path = str(Path(u.database).expanduser())
            checkpointer = Checkpointer(path)
            engine = create_async_engine(u, async_creator=connector(path, checkpointer), **kwargs)
            _GATES[engine.sync_engine] = checkpointer.gate
        else:
            engine = create_async_engine(u, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(u, **kwargs)


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin: otherwise a
    # SAVEPOINT before the first write runs outside any transaction and its RELEASE commits.
    if dbapi_conn.isolation_level is not None:  # type: ignore[attr-defined]
        dbapi_conn.isolation_level = None  # type: ignore[attr-defined]
    inline = isinstance(dbapi_conn.driver_connection, InlineConnection)  # type: ignore[attr-defined]
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA journal_mode=WAL")
    # Inline connections wait for other processes' locks without blocking the loop instead.
    cur.execute(f"PRAGMA busy_timeout={0 if inline else 30000}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    if inline:  # checkpoints (the fsyncs) run on a worker thread: see bot/db/inline_sqlite.py
        cur.execute("PRAGMA wal_autocheckpoint=0")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock up front, so two writers wait (busy_timeout) instead of
    # failing when a read lock would have to be upgraded. Straight to the driver's cursor:
    # a full SQLAlchemy execution here cost more than the rest of a small transaction.
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute("BEGIN IMMEDIATE")
    finally:
        cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


_GATES: weakref.WeakKeyDictionary[Any, asyncio.Lock] = weakref.WeakKeyDictionary()


def write_gate(sessions: async_sessionmaker) -> contextlib.AbstractAsyncContextManager[Any]:
    """SQLite has one writer at a time. Within a process, queue turns on an asyncio lock
    (first come, first served, no sleeping) instead of letting SQLite's busy handler poll
    with growing sleeps; across processes busy_timeout still applies. PostgreSQL: no gate."""
    engine = sessions.kw.get("bind")
    if engine is None or engine.dialect.name != "sqlite":
        return contextlib.nullcontext()
    gate = _GATES.get(engine.sync_engine)
    if gate is None:
        gate = _GATES[engine.sync_engine] = asyncio.Lock()
    return gate


@contextlib.asynccontextmanager
async def write_session(sessions: async_sessionmaker) -> AsyncIterator[AsyncSession]:
    """A session in a transaction, for writers outside a turn (reminders, references, the
    drafter's budget). On SQLite it queues on the same write gate as turns, first come first
    served, rather than retrying for the lock while turns keep taking it. Never open one inside
    a turn's transaction: the gate is not reentrant."""
    async with write_gate(sessions), sessions() as session, session.begin():
        yield session
