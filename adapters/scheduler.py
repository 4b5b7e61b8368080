"""The reminder worker `coach serve` runs: claim due reminders, have a surface deliver them.

Every replica runs one. What happens in the database (claim with a lease, relevance, the
after-meeting form and repeat, `sent`) is bot/reminders/worker.py; this loop only runs those
steps and hands each prepared Reply to the surface's deliverer, with no transaction open while
the network is slow. A surface that cannot read its chat back (Teams) calls `mark_posting` right
before the post and `posting_started` on a takeover: at most once when a worker dies mid-post
(docs/reminders.md, "Exactly once"); Slack looks for its own message instead (adapters/slack/).

A worker is given its deliverers by platform (`coach serve`: adapters/server.py,
`reminder_deliverers`), each
    async def deliver_teams(rt: Runtime, reminder: Delivery, reply: Reply) -> str | None
returning None once posted, or what it found instead (ALREADY_POSTED, NOT_REPOSTED: the
reminder counts as sent, and the worker's `stats` count the finding).
`reminder.reference` holds the conversation reference stored with Memory.save_reference
(platform "teams", tenant_key = tenant id, conversation_key = the conversation's external id).
Raise to have the reminder retried later with backoff.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from aiohttp import web

from adapters.runtime import Runtime
from bot.reminders import store, worker
from bot.reminders.settings import ReminderSettings
from bot.reminders.worker import Delivery, LeaseLost
from bot.reply import Reply
from bot.settings import load

log = logging.getLogger("coach.reminders")

__all__ = [
    "ALREADY_POSTED",
    "NOT_REPOSTED",
    "Deliverer",
    "Delivery",
    "LeaseLost",
    "Scheduler",
    "mark_posting",
    "posting_started",
]

Deliverer = Callable[[Runtime, Delivery, Reply], Awaitable[str | None]]

# What a deliverer may find on a takeover instead of posting (counted in `Scheduler.stats`).
ALREADY_POSTED = "already_posted"  # Slack: found in the channel by its metadata, not posted again
NOT_REPOSTED = "not_reposted"  # Teams: the worker before died mid-post, not posted again (at most once)


async def mark_posting(rt: Runtime, reminder: Delivery) -> None:
    """Record "posting now" under our live lease; raises LeaseLost (then do not post)."""
    await worker.mark_posting(rt.sessions, reminder, rt.coach.clock())


async def posting_started(rt: Runtime, reminder: Delivery) -> bool:
    """On a takeover: did the worker before us start posting this reminder?"""
    return await worker.posting_started(rt.sessions, reminder)


# The terminal has no deliverer here: `coach serve` leaves console reminders in the database,
# and `coach shell` claims and shows them (adapters/console/reminders.py).


# --- the worker ---------------------------------------------------------------------------------
def worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Scheduler:
    def __init__(
        self,
        rt: Runtime,
        *,
        owner: str | None = None,
        lease: timedelta = timedelta(seconds=120),
        batch: int = 50,
        poll: float = 5.0,
        concurrency: int = 8,
        deliverers: Mapping[str, Deliverer],
    ) -> None:
        """`deliverers`: the surfaces this worker delivers to, by platform; it claims only
        their reminders."""
        self.rt = rt
        self.deliverers = deliverers
        self.owner = owner or worker_id()
        self.lease = lease
        self.batch = batch
        self.poll = poll
        self.concurrency = concurrency
        # And ALREADY_POSTED / NOT_REPOSTED once a deliverer finds one.
        self.stats = {"sent": 0, "dropped": 0, "failed": 0, "lost_lease": 0}

    def now(self) -> datetime:
        return self.rt.coach.clock()

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: work off everything due (overdue ones first, on start), then poll."""
        # In the terminal the worker is part of the shell: its start is no news to the person.
        level = logging.DEBUG if set(self.deliverers) == {"console"} else logging.INFO
        log.log(level, "reminder worker %s started", self.owner)
        while not stop.is_set():
            try:
                n = await self.run_once()
            except Exception as exc:  # a database blip must not kill the loop
                log.warning("reminder worker: %s; retrying", type(exc).__name__)
                n = 0
            if n == 0:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=self.poll)
                except TimeoutError:
                    pass

    async def run_once(self) -> int:
        claimed = await worker.claim(
            self.rt.sessions,
            self.owner,
            self.now(),
            limit=self.batch,
            lease=self.lease,
            platforms=set(self.deliverers),
        )
        if not claimed:
            return 0
        gate = asyncio.Semaphore(self.concurrency)

        async def one(c: store.Claimed) -> None:
            async with gate:
                await self.process(c)

        await asyncio.gather(*(one(c) for c in claimed))
        return len(claimed)

    async def process(self, c: store.Claimed) -> None:
        try:
            prepared = await self._prepare(c)
        except Exception as exc:
            log.warning("reminder %s: could not prepare (%s)", c.id, type(exc).__name__)
            await self._retry_later(c)
            return
        if prepared is None:
            return
        delivery, reply = prepared
        deliver = self.deliverers.get(delivery.platform)
        if deliver is None:
            log.warning("reminder %s: no deliverer for platform %s; will retry", c.id, delivery.platform)
            await self._retry_later(c)
            return
        try:
            found = await deliver(self.rt, delivery, reply)
        except LeaseLost:
            self.stats["lost_lease"] += 1
            log.warning("reminder %s: lease lapsed before posting; left to the new holder", c.id)
            return
        except Exception as exc:
            log.warning("reminder %s: delivery failed (%s); will retry", c.id, type(exc).__name__)
            await self._retry_later(c)
            return
        if found is not None:
            self.stats[found] = self.stats.get(found, 0) + 1
        await self._sent(c)

    async def _prepare(self, c: store.Claimed) -> tuple[Delivery, Reply] | None:
        prepared = await worker.prepare(self.rt.sessions, c, self.owner, self.now(), self.lease, self.rt.kb)
        if isinstance(prepared, str):
            if prepared in (worker.DROPPED, worker.LOST_LEASE):
                self.stats[prepared] += 1
            return None
        return prepared

    async def _sent(self, c: store.Claimed) -> None:
        if await worker.mark_sent(self.rt.sessions, c, self.owner, self.now(), self.rt.kb):
            self.stats["sent"] += 1
        else:
            self.stats["lost_lease"] += 1
            log.warning("reminder %s: sent, but another worker had taken it over", c.id)

    async def _retry_later(self, c: store.Claimed) -> None:
        self.stats["failed"] += 1
        await worker.retry_later(self.rt.sessions, c, self.owner, self.now())


# --- `coach serve` wiring -------------------------------------------------------------------
SCHEDULER = web.AppKey("reminder_scheduler", Scheduler)
_STOP = web.AppKey("reminder_stop", asyncio.Event)
_TASK = web.AppKey("reminder_task", asyncio.Task)


async def mount(rt: Runtime, app: web.Application, deliverers: Mapping[str, Deliverer]) -> None:
    """The reminder worker of `coach serve`, delivering through `deliverers`."""
    settings: ReminderSettings = rt.surfaces.reminder_settings or load(ReminderSettings)
    if not settings.enabled:
        return
    scheduler = Scheduler(
        rt, lease=timedelta(seconds=settings.lease_seconds), poll=settings.poll_seconds, deliverers=deliverers
    )
    app[SCHEDULER] = scheduler

    async def start(app: web.Application) -> None:
        app[_STOP] = asyncio.Event()
        app[_TASK] = asyncio.create_task(scheduler.run(app[_STOP]))

    async def stop(app: web.Application) -> None:
        app[_STOP].set()
        await app[_TASK]

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
