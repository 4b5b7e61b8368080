"""The inbox: every turn a platform was told we have is in the database before it is told.

Slack gets its ack, and Teams its 202 before a slow turn ends, only after ONE insert into the
`inbox` table (INSERT … ON CONFLICT DO NOTHING on (platform, tenant, event id), so a Slack
retry or a Teams resend is one row). Workers then run the turn from the row, deliver the
reply and delete the row. Nothing acknowledged lives only in process memory:

- a row is held through a lease (the statements: bot/db/inbox_store.py, over bot/db/leases.py,
  the reminder worker's claiming): FOR UPDATE SKIP LOCKED on PostgreSQL, the write gate on
  SQLite; any replica takes rows that nobody holds or whose holder died (lease expired), so a
  restart or `kill -9` loses none;
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
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from adapters.runtime import Runtime
from adapters.scheduler import worker_id
from bot.db import inbox_store
from bot.db.inbox_store import Item
from bot.turn import Turn

log = logging.getLogger("coach.inbox")

MAX_ATTEMPTS = 5  # a row that failed this often (a poison turn) is dropped, with a log line


class NotAccepted(RuntimeError):
    """The turn could not be written to the inbox: it must not be acknowledged."""


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


async def inbox_depth(sessions: Any) -> int:
    """Turns acknowledged and not yet answered, over every replica (for a metrics gauge)."""
    return await inbox_store.depth(sessions)


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
                new_id = await inbox_store.insert(conn, row)
                await self._delete_answered(conn)  # rides along: no commit of its own
        except Exception as exc:  # not durable, so not to be acknowledged: the platform retries
            raise NotAccepted(type(exc).__name__) from exc
        finally:
            self.reserved -= int(local)
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

    def _writing(self) -> contextlib.AbstractAsyncContextManager[Any]:
        """A short write transaction on a plain connection, behind SQLite's write gate."""
        return inbox_store.writing(self.rt.engine, self.rt.sessions)

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

    async def _delete_answered(self, conn: Any) -> int:
        """One DELETE for every row answered here since the last one."""
        if not self.answered:
            return 0
        ids, self.answered = self.answered, set()
        await inbox_store.delete_answered(conn, ids, self.owner)
        return len(ids)

    async def _failed(self, item: Item, exc: Exception) -> None:
        if item.attempts >= MAX_ATTEMPTS:
            self.stats["dropped"] += 1
            log.error(
                "inbox row %s (%s) dropped after %s attempts: %s",
                item.id,
                item.platform,
                item.attempts,
                type(exc).__name__,
            )
            await inbox_store.drop(self.rt.sessions, item.id, self.owner)
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
        await inbox_store.retry_after(self.rt.sessions, item.id, self.owner, self.now() + backoff)

    async def run_once(self) -> int:
        """Claim what fits into our free slots and start it; returns how many rows."""
        room = self.concurrency - len(self.jobs) - self.reserved
        if room <= 0 or self.draining or not self.maybe_waiting:
            return 0
        self.maybe_waiting = False
        now = self.now()
        if not await inbox_store.any_waiting(self.rt.sessions, now):  # idle polls write nothing
            return 0
        claimed = await inbox_store.claim(self.rt.sessions, self.owner, now, lease=self.lease, limit=room)
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
            await inbox_store.renew(conn, ids, self.owner, self.now() + self.lease)

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
            return await inbox_store.release_all(conn, self.owner)


# --- `coach serve` wiring --------------------------------------------------------------------
INBOX = web.AppKey("inbox", Inbox)
_STOP = web.AppKey("inbox_stop", asyncio.Event)
_TASK = web.AppKey("inbox_task", asyncio.Task)


def attach(rt: Runtime, app: web.Application, platform: str, processor: Processor) -> Inbox:
    """The app's inbox, answering `platform`'s rows with `processor` (the inbox is made, and
    its worker wired to start and stop, on first use)."""
    inbox = of(rt, app)
    inbox.processors[platform] = processor
    return inbox


def of(rt: Runtime, app: web.Application) -> Inbox:
    """The app's one inbox: made, and its worker wired to start and stop, on first use. The
    surfaces that put turns into it receive it through their constructors."""
    if INBOX in app:
        return app[INBOX]
    inbox = Inbox(rt)
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
