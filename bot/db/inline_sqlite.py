"""SQLite calls run on the event loop's own thread, behind aiosqlite's async interface.

aiosqlite hands every call (cursor, execute, fetch, close: four per statement) to a thread of
its own and back. A local SQLite call takes microseconds; the two thread switches around it
cost tens, and on the one CPU `coach serve` keeps to they were most of a turn. So SQLAlchemy's
aiosqlite dialect is given these objects instead (through `async_creator`): the same
coroutine interface, with each call done inline.

Two things could block. A write waiting for another process's lock: SQLite's own busy
handler would sleep the whole loop, so it is off (busy_timeout 0) and a busy statement is
retried here with `await asyncio.sleep`, which lets every other request go on meanwhile (in WAL
mode readers never wait for writers; within a process, writers queue on the write gate). And
the disk: with synchronous=NORMAL a WAL commit only writes, never fsyncs, but a checkpoint
(copying the WAL back into the database file) does. So automatic checkpoints are off on these
connections, and every CHECKPOINT_EVERY commits one runs on a worker thread instead.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")
log = logging.getLogger("coach.db")

# How long a statement keeps retrying a locked database before it fails (as busy_timeout did).
BUSY_TIMEOUT_S = 30.0
_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
# Commits between checkpoints; a turn's commit writes a handful of pages, so this keeps the WAL
# near SQLite's own default of 1,000 pages.
CHECKPOINT_EVERY = 200


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


class Checkpointer:
    """Checkpoints one database's WAL off the loop, on a connection of its own in a worker
    thread. It holds the process's write gate meanwhile, as SQLite's own checkpoint (run inside
    a commit) holds the write lock: with no write landing during it, the checkpoint copies the
    whole WAL, and the next writer starts the WAL file over instead of growing it."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.gate = asyncio.Lock()  # bot.db.engine.write_gate hands out this same lock
        self.commits = 0
        self.running: asyncio.Task[None] | None = None

    def committed(self) -> None:
        self.commits += 1
        if self.commits >= CHECKPOINT_EVERY and self.running is None:
            self.commits = 0
            self.running = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            async with self.gate:
                await asyncio.to_thread(self._checkpoint)
        except sqlite3.Error as exc:  # the next one catches up; the WAL only grows meanwhile
            log.warning("WAL checkpoint failed (%s)", type(exc).__name__)
        finally:
            self.running = None

    def _checkpoint(self) -> None:
        conn = sqlite3.connect(self.database, timeout=5, isolation_level=None)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            conn.close()


class InlineConnection:
    """The slice of aiosqlite.Connection that SQLAlchemy's aiosqlite dialect calls."""

    _tx = _Inline()

    def __init__(self, conn: sqlite3.Connection, checkpointer: Checkpointer | None = None) -> None:
        self._conn = conn
        self._connection: sqlite3.Connection | None = conn
        self.checkpointer = checkpointer

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
        was_writing = self._conn.in_transaction
        await _call(self._conn.commit)
        if was_writing and self.checkpointer is not None:
            self.checkpointer.committed()

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


def connector(database: str, checkpointer: Checkpointer | None = None) -> Callable[[], Any]:
    """The `async_creator` for create_async_engine: a new inline connection to `database`.
    Its connections share `checkpointer` (pragmas in bot.db.engine turn SQLite's off)."""

    async def connect() -> InlineConnection:
        # timeout=0: never let SQLite's busy handler sleep the loop (see _call). Autocommit
        # mode (isolation_level None): SQLAlchemy's begin event issues BEGIN IMMEDIATE itself.
        conn = sqlite3.connect(database, timeout=0, isolation_level=None, check_same_thread=False)
        return InlineConnection(conn, checkpointer)

    return connect
