"""The inbox: every turn a platform was told we have is in the database before it is told.

Slack gets its ack, and Teams its 202 before a slow turn ends, only after ONE insert into the
`inbox` table (INSERT … ON CONFLICT DO NOTHING on (platform, tenant, event id), so a Slack
retry or a Teams resend is one row). Workers then run the turn from the row, deliver the
reply and delete the row. Nothing acknowledged lives only in process memory:

- a row is held through a lease (bot/db/leases.py, the reminder worker's claiming): FOR UPDATE
  SKIP LOCKED on PostgreSQL, the write gate on SQLite; any replica takes rows that nobody holds
  or whose holder died (lease expired), so a restart or `kill -9` loses none;
- a new row is claimed by the process that received it when it has a free slot (no extra
  claim round trip); otherwise it waits, unclaimed, for whichever replica is free first;
- the turn itself stays exactly-once through Coach.handle's `processed_events` claim: a row
  run twice (its worker died after the turn committed) answers None the second time, and
  nothing is posted again;
- SIGTERM (aiohttp's on_shutdown): stop claiming, give in-flight turns `drain_seconds`, hand
  the rest back (lease cleared) for the next start or another replica, log the counts.

Rows hold message text (deal data): they are deleted when answered and never logged.
A surface hands its processor over when it mounts:  attach(rt, app, "slack", answer_slack)
    async def answer_slack(rt: Runtime, item: Item) -> None   (raise: retried with backoff)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker

from adapters.runtime import Runtime
from adapters.scheduler import worker_id
from bot.db import leases
from bot.db.engine import write_gate, write_session
from bot.db.models import InboxItem
from bot.turn import Turn

log = logging.getLogger("coach.inbox")

MAX_ATTEMPTS = 5  # a row that failed this often (a poison turn) is dropped, with a log line


class NotAccepted(RuntimeError):
    """The turn could not be written to the inbox: it must not be acknowledged."""


@dataclass(frozen=True, slots=True)
class Item:
    """One claimed inbox row."""

    id: int
    platform: str
    tenant_key: str
    event_id: str
    payload: dict[str, Any]
    attempts: int  # > 1: an earlier worker took it and died or failed


def _insert_statement(insert: Any) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: a new row's id, or nothing for a resend."""
    table = InboxItem.__table__
    columns = ("platform", "tenant_key", "event_id", "payload", "received_at", "attempts")
    columns += ("lease_owner", "lease_until")
    values = {c: bindparam(c, type_=table.c[c].type) for c in columns}
    return insert(table).values(values).on_conflict_do_nothing().returning(table.c.id)


# The one insert inside the ack budget, built once per dialect (SQLAlchemy caches its SQL).
_INSERT = {"sqlite": _insert_statement(sqlite_insert), "postgresql": _insert_statement(pg_insert)}
# Answered rows, deleted by their holder only (a row another worker took over is theirs).
_DELETE = delete(InboxItem.__table__).where(
    InboxItem.id.in_(bindparam("ids", expanding=True)), InboxItem.lease_owner == bindparam("owner")
)
Processor = Callable[[Runtime, Item], Awaitable[None]]
Job = Callable[[Item], Awaitable[None]]


_TURN_FIELDS = tuple(f.name for f in fields(Turn))


def turn_to_json(turn: Turn) -> dict[str, Any]:
    """The turn as the JSON column stores it (a shallow copy: the column serialises it)."""
    data = {name: getattr(turn, name) for name in _TURN_FIELDS}
    if turn.received_at is not None:
        data["received_at"] = turn.received_at.isoformat()
    return data


def turn_from_json(data: dict[str, Any]) -> Turn:
    values = {k: v for k, v in data.items() if k in _TURN_FIELDS}
    if values.get("received_at"):
        values["received_at"] = datetime.fromisoformat(values["received_at"])
    return Turn(**values)


async def inbox_depth(sessions: async_sessionmaker) -> int:
    """Turns acknowledged and not yet answered, over every replica (for a metrics gauge)."""
    async with sessions() as session:
        return int((await session.execute(select(func.count()).select_from(InboxItem))).scalar_one())


class Inbox:
    def __init__(
        self,
        rt: Runtime,
        *,
        owner: str | None = None,
        lease: float | None = None,
        poll: float | None = None,
        concurrency: int | None = None,
        drain_seconds: float | None = None,
        processors: Mapping[str, Processor] | None = None,
    ) -> None:
        """`processors`: platform -> what answers its rows (the mounted surfaces add theirs)."""
        s = rt.settings
        self.rt = rt
        self.processors: dict[str, Processor] = dict(processors or {})
        self.owner = owner or worker_id()
        self.lease = timedelta(seconds=lease if lease is not None else s.inbox_lease_seconds)
        self.poll = poll if poll is not None else s.inbox_poll_seconds
        self.concurrency = concurrency if concurrency is not None else s.inbox_concurrency
        self.drain_seconds = drain_seconds if drain_seconds is not None else s.drain_seconds
        self.jobs: dict[int, asyncio.Task] = {}
        self.draining = False
        self.reserved = 0  # local slots promised to inserts still in flight
        self.answered: set[int] = set()  # rows done here, deleted by the loop in one statement
        self.maybe_waiting = True  # unclaimed rows may exist (start, a busy accept, the poll)
        self.last_accept = 0.0
        self.wake = asyncio.Event()
        self.stats = {"accepted": 0, "duplicate": 0, "answered": 0, "retried": 0, "dropped": 0}

    def now(self) -> datetime:
        return self.rt.coach.clock()

    # --- receiving (inside the platform's ack budget) -------------------------------------------
    async def accept(
        self,
        platform: str,
        tenant_key: str,
        event_id: str | None,
        payload: dict[str, Any],
        *,
        job: Job | None = None,
    ) -> asyncio.Task | None:
        """Persist an acknowledged turn with one INSERT; only then may the caller ack. Returns
        the local task running it, or None (a duplicate, or left for any free worker).
        `job`: the turn is already running in this process (Teams' background turns): the row
        is ours at once and `job` finishes it instead of the platform's processor."""
        now = self.now()
        # A running `job` stays ours even while draining: its turn is already under way here.
        busy = len(self.jobs) + self.reserved
        local = job is not None or (not self.draining and busy < self.concurrency)
        row = {
            "platform": platform,
            "tenant_key": tenant_key,
            "event_id": event_id or f"none:{uuid.uuid4().hex}",
            "payload": payload,
            "received_at": now,
            "attempts": 1 if local else 0,
            "lease_owner": self.owner if local else None,
            "lease_until": now + self.lease if local else None,
        }
        self.reserved += int(local)
        self.last_accept = time.monotonic()
        try:
            async with self._writing() as conn:
                made = (await conn.execute(_INSERT[conn.dialect.name], row)).first()
                await self._delete_answered(conn)  # rides along: no commit of its own
        except Exception as exc:  # not durable, so not to be acknowledged: the platform retries
            raise NotAccepted(type(exc).__name__) from exc
        finally:
            self.reserved -= int(local)
        new_id = made[0] if made else None
        if new_id is None:
            self.stats["duplicate"] += 1
            return None  # a retry or resend of a row that is already there: one turn
        self.stats["accepted"] += 1
        if not local:
            self.maybe_waiting = True
            self.wake.set()
            return None
        item = Item(new_id, platform, tenant_key, row["event_id"], payload, 1)
        return self._start(item, job)

    @contextlib.asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncConnection]:
        """A short write transaction on a plain connection (no ORM session: these few
        statements run per turn), behind SQLite's write gate like every writer."""
        async with write_gate(self.rt.sessions), self.rt.engine.begin() as conn:
            yield conn

    async def close(self) -> None:
        """Nothing held between writes; kept for the shutdown sequence's symmetry."""

    # --- working ---------------------------------------------------------------------------
    def _start(self, item: Item, job: Job | None = None) -> asyncio.Task:
        task = asyncio.create_task(self._run(item, job))
        self.jobs[item.id] = task
        task.add_done_callback(lambda _: self._done(item.id))
        return task

    def _done(self, item_id: int) -> None:
        self.jobs.pop(item_id, None)
        self.wake.set()  # a free slot: look for waiting rows

    async def _run(self, item: Item, job: Job | None) -> None:
        try:
            if job is not None:
                await job(item)
            else:
                processor = self.processors.get(item.platform)
                if processor is None:
                    raise LookupError(f"no inbox processor for {item.platform}")
                await processor(self.rt, item)
        except asyncio.CancelledError:
            raise  # shutdown: drain() hands the row back
        except Exception as exc:
            await self._failed(item, exc)
            return
        # Deleted with others in one statement (flush). Should this process die first, the row
        # is run again and its turn, already claimed, answers None: nothing is posted twice.
        self.answered.add(item.id)
        self.stats["answered"] += 1

    async def flush(self) -> int:
        """Delete the rows answered here that no insert has taken along yet."""
        if not self.answered:
            return 0
        async with self._writing() as conn:
            return await self._delete_answered(conn)

    async def _delete_answered(self, conn: AsyncConnection) -> int:
        """One DELETE for every row answered here since the last one."""
        if not self.answered:
            return 0
        ids, self.answered = self.answered, set()
        await conn.execute(_DELETE, {"ids": sorted(ids), "owner": self.owner})
        return len(ids)

    async def _failed(self, item: Item, exc: Exception) -> None:
        async with write_session(self.rt.sessions) as session:
            mine = (InboxItem.id == item.id, InboxItem.lease_owner == self.owner)
            if item.attempts >= MAX_ATTEMPTS:
                self.stats["dropped"] += 1
                log.error(
                    "inbox row %s (%s) dropped after %s attempts: %s",
                    item.id,
                    item.platform,
                    item.attempts,
                    type(exc).__name__,
                )
                await session.execute(delete(InboxItem).where(*mine))
                return
            self.stats["retried"] += 1
            backoff = timedelta(seconds=min(5 * 2 ** (item.attempts - 1), 300))
            log.warning(
                "inbox row %s (%s) failed (%s); retrying in %ss",
                item.id,
                item.platform,
                type(exc).__name__,
                int(backoff.total_seconds()),
            )
            # lease_until in the future with no owner: nobody takes it before the backoff ends
            await session.execute(
                update(InboxItem).where(*mine).values(lease_owner=None, lease_until=self.now() + backoff)
            )

    async def run_once(self) -> int:
        """Claim what fits into our free slots and start it; returns how many rows."""
        room = self.concurrency - len(self.jobs) - self.reserved
        if room <= 0 or self.draining or not self.maybe_waiting:
            return 0
        self.maybe_waiting = False
        now = self.now()
        async with self.rt.sessions() as session:  # a plain read first: idle polls write nothing
            waiting = await session.execute(select(InboxItem.id).where(leases.free(InboxItem, now)).limit(1))
            if waiting.first() is None:
                return 0
        async with write_session(self.rt.sessions) as session:
            rows = await leases.claim(
                session, InboxItem, self.owner, now, lease=self.lease, order_by=[], limit=room
            )
            claimed = [
                Item(r.id, r.platform, r.tenant_key, r.event_id, dict(r.payload), r.attempts) for r in rows
            ]
        self.maybe_waiting = self.maybe_waiting or len(claimed) == room  # a full batch: more may wait
        for item in claimed:
            if item.attempts > 1:
                log.info("inbox row %s (%s) taken over (attempt %s)", item.id, item.platform, item.attempts)
            self._start(item)
        return len(claimed)

    async def renew(self) -> None:
        """Keep the leases of the rows we are working on."""
        ids = list(self.jobs)
        if not ids:
            return
        async with self._writing() as conn:
            await conn.execute(
                update(InboxItem)
                .where(InboxItem.id.in_(ids), InboxItem.lease_owner == self.owner)
                .values(lease_until=self.now() + self.lease)
            )

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: take waiting rows (on start: everything a previous run left), renew."""
        renew_every = max(self.lease.total_seconds() / 3, 0.2)
        next_renew = time.monotonic() + renew_every
        next_poll = time.monotonic()
        while not stop.is_set():
            self.wake.clear()
            try:
                if self.answered and time.monotonic() - self.last_accept > 0.2:
                    await self.flush()  # quiet: no insert is coming to take the deletes along
                if time.monotonic() >= next_poll:  # rows other replicas left, or leases that lapsed
                    self.maybe_waiting = True
                    next_poll = time.monotonic() + self.poll
                await self.run_once()
                if time.monotonic() >= next_renew:
                    await self.renew()
                    next_renew = time.monotonic() + renew_every
            except Exception as exc:  # a database blip must not kill the loop
                log.warning("inbox worker: %s; retrying", type(exc).__name__)
            waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
            timeout = min(self.poll, renew_every)
            await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            for w in waits:
                w.cancel()

    async def drain(self) -> dict[str, float]:
        """Shutdown: no new claims; wait up to drain_seconds for running turns; hand back the
        rest (lease cleared) so the next start or another replica takes them at once."""
        self.draining = True
        started = time.monotonic()
        running = set(self.jobs.values())
        finished = 0
        if running:
            done, pending = await asyncio.wait(running, timeout=self.drain_seconds)
            finished = len(done)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await self.flush()
        handed_back = await self.release_all()
        took = time.monotonic() - started
        waiting = await inbox_depth(self.rt.sessions)
        log.info(
            "inbox drained in %.1fs: %d turns finished, %d handed back, %d waiting for the next start",
            took,
            finished,
            handed_back,
            waiting,
        )
        return {"seconds": took, "finished": finished, "handed_back": handed_back, "waiting": waiting}

    async def release_all(self) -> int:
        async with self._writing() as conn:
            result = await conn.execute(
                update(InboxItem)
                .where(InboxItem.lease_owner == self.owner)
                .values(lease_owner=None, lease_until=None)
            )
            return max(result.rowcount or 0, 0)


# --- `coach serve` wiring --------------------------------------------------------------------
INBOX = web.AppKey("inbox", Inbox)
_STOP = web.AppKey("inbox_stop", asyncio.Event)
_TASK = web.AppKey("inbox_task", asyncio.Task)


def attach(rt: Runtime, app: web.Application, platform: str, processor: Processor) -> Inbox:
    """The app's inbox, answering `platform`'s rows with `processor` (the inbox is made, and
    its worker wired to start and stop, on first use)."""
    if INBOX in app:
        app[INBOX].processors[platform] = processor
        return app[INBOX]
    inbox = rt.services.inbox
    if not isinstance(inbox, Inbox):
        inbox = Inbox(rt)
        rt.services.inbox = inbox
    inbox.processors[platform] = processor
    app[INBOX] = inbox

    async def start(app: web.Application) -> None:
        app[_STOP] = asyncio.Event()
        app[_TASK] = asyncio.create_task(inbox.run(app[_STOP]))

    async def shutdown(app: web.Application) -> None:
        # on_shutdown: the listening socket is closed already; requests still in flight may add
        # rows (unclaimed now that we are draining), which the next start takes.
        app[_STOP].set()
        await app[_TASK]
        await inbox.drain()

    async def cleanup(app: web.Application) -> None:
        await inbox.flush()
        await inbox.release_all()  # anything a late request handed us
        await inbox.close()

    app.on_startup.append(start)
    app.on_shutdown.append(shutdown)
    app.on_cleanup.insert(0, cleanup)
    return inbox
