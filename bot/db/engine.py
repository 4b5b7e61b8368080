"""Engines from user-friendly URLs: `sqlite:///path` and `postgresql://...` get async drivers
(aiosqlite and asyncpg), both used only through SQLAlchemy's public async API."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

# How long a SQLite writer waits for another process's write lock before its turn fails.
# aiosqlite runs SQLite on a thread of its own, so the wait never blocks the event loop.
BUSY_TIMEOUT_MS = 30_000
# A pooled PostgreSQL connection idle longer than this is pinged before use.
PING_AFTER_IDLE_S = 10.0
# aiosqlite logs every call with its SQL parameters at debug level: message text and deal data,
# which never go to logs, whatever level the operator turns on.
logging.getLogger("aiosqlite").setLevel(logging.WARNING)


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


def create_engine(url: str, *, pool_size: int | None = None, **kwargs: Any) -> AsyncEngine:
    """An async engine. SQLite: WAL, foreign keys, and every transaction begun with
    BEGIN IMMEDIATE (SQLAlchemy's documented recipe for SQLite transactions). `pool_size`:
    PostgreSQL connections kept open (SQLite, one writer at a time behind the write gate,
    keeps SQLAlchemy's default)."""
    u = async_url(url)
    if u.get_backend_name() != "sqlite":
        if pool_size is not None:
            kwargs["pool_size"] = pool_size
        engine = create_async_engine(u, **kwargs)
        _ping_after_idle(engine)
        return engine
    if u.database and u.database != ":memory:":
        Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    # The pool's reset on return is ours (`_sqlite_reset`, SQLAlchemy's documented custom
    # reset): the same rollback, skipped when SQLite says no transaction is open.
    engine = create_async_engine(u, pool_reset_on_return=None, **kwargs)
    event.listen(engine.sync_engine, "connect", _sqlite_connected)
    event.listen(engine.sync_engine, "begin", _sqlite_begin)
    event.listen(engine.sync_engine, "reset", _sqlite_reset)
    return engine


def _ping_after_idle(engine: AsyncEngine) -> None:
    """Check a pooled connection before use only when it has been idle for a while (a server
    restart or a firewall's idle timeout is what kills connections). `pool_pre_ping` would ping
    on every checkout: three round trips on asyncpg, more than the rest of a turn. A connection
    lost while busy fails its transaction, and SQLAlchemy then replaces the whole pool."""
    dialect = engine.sync_engine.dialect

    def checked_in(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("idle_since", time.monotonic()) < PING_AFTER_IDLE_S:
            return
        try:
            dialect.do_ping(dbapi_conn)
        except Exception as exc:  # the pool discards it and checks out another (documented)
            raise DisconnectionError("idle connection is gone") from exc

    event.listen(engine.sync_engine, "checkin", checked_in)
    event.listen(engine.sync_engine, "checkout", checked_out)


def _sqlite_connected(dbapi_conn: Any, _record: object) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin: otherwise a
    # SAVEPOINT before the first write runs outside any transaction and its RELEASE commits.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL commits write; only checkpoints fsync
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # IMMEDIATE takes the write lock up front, so two writers queue (busy_timeout) instead of
    # one failing when its read lock would have to be upgraded to a write lock. Sent with
    # aiosqlite's own execute through run_async (SQLAlchemy's way to await the driver from an
    # event): one trip to aiosqlite's thread, where a cursor of the DBAPI layer takes three.
    conn.connection.dbapi_connection.run_async(lambda driver: driver.execute("BEGIN IMMEDIATE"))


def _sqlite_reset(dbapi_conn: Any, record: Any, _state: Any) -> None:
    # A connection back in the pool must hold no transaction (nor SQLite's write lock). After a
    # commit or a rollback there is none, and the pool's usual ROLLBACK would still cost a trip
    # to aiosqlite's thread (two a turn); aiosqlite reads SQLite's own flag without one. When
    # the flag cannot be read, or a transaction is open (a turn cancelled midway), roll back.
    if getattr(record.driver_connection, "in_transaction", True):
        dbapi_conn.rollback()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


_GATES: weakref.WeakKeyDictionary[Any, asyncio.Lock] = weakref.WeakKeyDictionary()


def write_gate(sessions: async_sessionmaker) -> contextlib.AbstractAsyncContextManager[Any]:
    """SQLite has one writer at a time. Within a process, writers queue on an asyncio lock
    (first come, first served) instead of in SQLite's busy handler, which polls with growing
    sleeps and holds a pooled connection while it waits; across processes busy_timeout still
    applies. PostgreSQL: no gate (row locks and constraints serialise what must be)."""
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
    drafter's budget). On SQLite it queues on the same write gate as turns. Never open one
    inside a turn's transaction: the gate is not reentrant."""
    async with write_gate(sessions), sessions() as session, session.begin():
        yield session
