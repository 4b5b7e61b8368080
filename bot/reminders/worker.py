"""The reminder worker's database steps, each its own short transaction; the loop that runs them
and the surfaces that deliver live in adapters/ (adapters/scheduler.py, adapters/*/reminders.py).

Per claimed reminder:
  1. `prepare`: still relevant? (no: `dropped`, with a log line); renew our lease; build the Reply
     and the Delivery (where it goes)
  2. the surface delivers it, with no transaction open while the network is slow
  3. `mark_sent`: `sent` (owner-guarded); an after-meeting prompt also opens its capture form and
     schedules its one repeat
A worker killed between 2 and 3 leaves the row pending; its lease expires and another worker
takes it with attempts > 1 (store.py says why that is exactly once across replicas).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import write_session
from bot.db.models import Tenant
from bot.dialogue.forms import Form
from bot.knowledge import Knowledge
from bot.memory import Memory
from bot.reminders import policy, prompts, store
from bot.reply import Reply

log = logging.getLogger("coach.reminders")

# Why `prepare` sends nothing: dropped as no longer relevant; our lease lapsed; nothing to count
# (the workspace is gone, or another worker finished the row first).
DROPPED, LOST_LEASE, SKIPPED = "dropped", "lost_lease", "skipped"


@dataclass(frozen=True, slots=True)
class Delivery:
    """A claimed reminder plus where it goes."""

    id: int
    kind: str
    idempotency_key: str
    attempts: int  # > 1: an earlier worker may have sent it before dying
    platform: str
    tenant_key: str
    conversation_key: str | None
    reference: dict[str, Any] | None  # conversation_refs.reference for (platform, tenant, conversation)
    deal_id: int | None
    due_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    owner: str = ""  # the worker holding the lease (for mark_posting)


class LeaseLost(Exception):
    """Raised by a deliverer when the lease lapsed before it posted: nothing was sent, and the
    row now belongs to another worker."""


async def claim(
    sessions: async_sessionmaker[AsyncSession],
    owner: str,
    now: datetime,
    *,
    limit: int,
    lease: timedelta,
    platforms: Collection[str],
) -> list[store.Claimed]:
    async with write_session(sessions) as session:
        return await store.claim_due(session, owner, now, limit=limit, lease=lease, platforms=platforms)


async def prepare(
    sessions: async_sessionmaker[AsyncSession],
    c: store.Claimed,
    owner: str,
    now: datetime,
    lease: timedelta,
    kb: Knowledge,
) -> tuple[Delivery, Reply] | str:
    """The Delivery and its Reply, or why nothing goes out (DROPPED, LOST_LEASE, SKIPPED)."""
    async with write_session(sessions) as session:
        to = await store.addressee(session, c)
        if to is None:
            await store.finish(session, c.id, owner, store.DROPPED, now)
            return SKIPPED
        memory = await Memory.for_tenant(session, to.platform, to.tenant_key, now)
        view = None
        if c.deal_id is not None:
            try:
                view = await memory.deal_view(c.deal_id)
            except LookupError:
                view = None
        verdict = policy.relevance(c.kind, c.payload, view, now)
        if not verdict.ok:
            if not await store.finish(session, c.id, owner, store.DROPPED, now):
                return SKIPPED
            log.info("reminder %s (%s) dropped: %s", c.id, c.kind, verdict.why)
            return DROPPED
        if not await store.renew(session, c.id, owner, now, lease):
            return LOST_LEASE
        open_form = await _other_form(memory, c) if c.kind == policy.MEETING_AFTER else None
        reply = prompts.build(c.id, c.kind, c.payload, view, kb, now, open_form=open_form)
        delivery = Delivery(
            id=c.id,
            kind=c.kind,
            idempotency_key=c.idempotency_key,
            attempts=c.attempts,
            platform=to.platform,
            tenant_key=to.tenant_key,
            conversation_key=to.conversation_key,
            reference=to.reference,
            deal_id=c.deal_id,
            due_at=c.due_at,
            payload=c.payload,
            owner=owner,
        )
        return delivery, reply


async def mark_sent(
    sessions: async_sessionmaker[AsyncSession], c: store.Claimed, owner: str, now: datetime, kb: Knowledge
) -> bool:
    """`sent`, once, by the lease owner (False: another worker had taken it over). After a
    meeting the person's next message there answers "what did they promise?" (the capture
    form), unless another form is open there: that one is not replaced (the prompt said so
    and offers a button to answer this one now); and the capture is asked once more later."""
    async with write_session(sessions) as session:
        if not await store.finish(session, c.id, owner, store.SENT, now):
            return False
        if c.kind != policy.MEETING_AFTER or c.deal_id is None or c.conversation_id is None:
            return True
        tenant = await session.get(Tenant, c.tenant_id)
        if tenant is None:
            return True
        memory = await Memory.for_tenant(session, tenant.platform, tenant.external_id, now)
        if await _other_form(memory, c) is None:
            await memory.save_form(
                c.conversation_id,
                c.deal_id,
                ["meeting_promises"],
                {"intent": "reminders.capture", "id": c.id},
                now,
            )
        if not c.payload.get("repeat"):
            again = policy.capture_repeat(c.idempotency_key, c.payload, prompts.config(kb), now)
            await store.schedule(
                session,
                [again],
                tenant_id=c.tenant_id,
                deal_id=c.deal_id,
                conversation_id=c.conversation_id,
                now=now,
            )
        return True


async def retry_later(
    sessions: async_sessionmaker[AsyncSession], c: store.Claimed, owner: str, now: datetime
) -> None:
    """Give the row back, due again after a backoff that doubles per attempt (30 s to 1 h)."""
    backoff = timedelta(seconds=min(30 * 2 ** max(c.attempts - 1, 0), 3600))
    async with write_session(sessions) as session:
        await store.release(session, c.id, owner, now + backoff)


async def mark_posting(sessions: async_sessionmaker[AsyncSession], reminder: Delivery, now: datetime) -> None:
    """Record "posting now" under our live lease; raises LeaseLost (then do not post)."""
    async with write_session(sessions) as session:
        if not await store.mark_posting(session, reminder.id, reminder.owner, now):
            raise LeaseLost(reminder.id)


async def posting_started(sessions: async_sessionmaker[AsyncSession], reminder: Delivery) -> bool:
    """On a takeover: did the worker before us start posting this reminder?"""
    if reminder.attempts <= 1:
        return False
    async with sessions() as session:
        return await store.posting_started(session, reminder.id)


async def every_pending(
    sessions: async_sessionmaker[AsyncSession], limit: int = 500
) -> list[store.Scheduled]:
    """Pending reminders of every workspace, soonest first: an operator's view, no deal contents."""
    async with sessions() as session:
        return await store.every_pending(session, limit)


async def reference(
    sessions: async_sessionmaker[AsyncSession], platform: str, tenant_key: str, conversation_key: str
) -> dict[str, Any] | None:
    """The conversation reference a surface stored for proactive sends (None: never seen)."""
    async with sessions() as session:
        return await store.reference(session, platform, tenant_key, conversation_key)


async def _other_form(memory: Memory, c: store.Claimed) -> list[str] | None:
    """The pending fact keys of a form open in the reminder's conversation that is not this
    capture's own (None when there is none)."""
    if c.deal_id is None or c.conversation_id is None:
        return None
    form = Form.of(await memory.load_form(c.conversation_id, c.deal_id))
    if form is None or form.intent == "reminders.capture":
        return None
    return list(form.keys)
