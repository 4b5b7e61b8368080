"""SQLite calls run on the event loop's own thread, behind aiosqlite's async interface.

aiosqlite hands every call (cursor, execute, fetch, close: four per statement) to a thread of
its own and back. A local SQLite call takes microseconds; the two thread switches around it
cost tens, and on the one CPU `coach serve` keeps to they were most of a turn. So SQLAlchemy's
aiosqlite dialect is given these objects instead (through `async_creator`): the same
coroutine interface, with each call done inline.

The one call that could block is a write waiting for another process's lock. SQLite's own
busy handler would sleep the whole loop, so it is off (busy_timeout 0) and a busy statement is
retried here with `await asyncio.sleep`, which lets every other request go on meanwhile. In
WAL mode readers never wait for writers; within a process, writers queue on the write gate.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")

# How long a statement keeps retrying a locked database before it fails (as busy_timeout did).
BUSY_TIMEOUT_S = 30.0
_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _BUSY_CODES
    return "locked" in str(exc) or "busy" in str(exc)


async def _call(fn: Callable[..., T], *args: Any) -> T:
    """Run one SQLite call now; if another process holds the lock, wait without blocking."""
    try:
        return fn(*args)
    except sqlite3.OperationalError as exc:
        if not _is_busy(exc):
            raise
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    delay = 0.001
    while True:
        await asyncio.sleep(delay)
        try:
            return fn(*args)
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() > deadline:
                raise
        delay = min(delay * 2, 0.05)


class InlineCursor:
    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Iterable[Any] = ()) -> InlineCursor:
        await _call(self._cursor.execute, sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> InlineCursor:
        await _call(self._cursor.executemany, sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def nextset(self) -> None:
        return None

    async def setinputsizes(self, *sizes: Any) -> None:
        return None

    async def close(self) -> None:
        self._cursor.close()


class _Inline:
    """Stands in for aiosqlite's request queue, which SQLAlchemy's isolation-level setter uses."""

    @staticmethod
    def put_nowait(item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as exc:  # handed to the awaiting caller, as aiosqlite would
            future.set_exception(exc)


class InlineConnection:
    """The slice of aiosqlite.Connection that SQLAlchemy's aiosqlite dialect calls."""

    _tx = _Inline()

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._connection: sqlite3.Connection | None = conn

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._conn.isolation_level = value

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Iterable[Any] = ()) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        await _call(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()


def connector(database: str) -> Callable[[], Any]:
    """The `async_creator` for create_async_engine: a new inline connection to `database`."""

    async def connect() -> InlineConnection:
        # timeout=0: never let SQLite's busy handler sleep the loop (see _call). Autocommit
        # mode (isolation_level None): SQLAlchemy's begin event issues BEGIN IMMEDIATE itself.
        conn = sqlite3.connect(database, timeout=0, isolation_level=None, check_same_thread=False)
        return InlineConnection(conn)

    return connect
