"""Durable reminders in the `reminders` table: schedule, claim with a lease, finish.

Exactly once across replicas rests on the database, never on process memory:
- schedule: INSERT ... ON CONFLICT (idempotency_key) DO NOTHING, so planning twice is one row;
- claim: bot/db/leases.py (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's BEGIN
  IMMEDIATE serialises writers instead), then a lease (owner, until) on what was taken;
- renew just before sending: only the current lease holder of a still-pending row may send;
- finish: status moves from pending once, guarded by the owner, so a late worker can't undo it.
A worker killed mid-send leaves a pending row whose lease expires; another worker reclaims it
(attempts > 1), and the deliverer can then look for the message it may already have posted.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import leases
from bot.db.models import Conversation, ConversationRef, Reminder, Tenant
from bot.reminders.policy import Planned

PENDING, SENT, CANCELLED, DROPPED = "pending", "sent", "cancelled", "dropped"


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    tenant_id: int
    deal_id: int | None
    conversation_id: int | None
    kind: str
    payload: dict[str, Any]
    due_at: datetime
    attempts: int
    idempotency_key: str
    created_at: datetime


def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _claimed(r: Reminder) -> Claimed:
    return Claimed(
        id=r.id,
        tenant_id=r.tenant_id,
        deal_id=r.deal_id,
        conversation_id=r.conversation_id,
        kind=r.kind,
        payload=dict(r.payload or {}),
        due_at=utc(r.due_at),  # type: ignore[arg-type]
        attempts=r.attempts,
        idempotency_key=r.idempotency_key,
        created_at=utc(r.created_at),  # type: ignore[arg-type]
    )


async def schedule(
    session: AsyncSession,
    planned: Iterable[Planned],
    *,
    tenant_id: int,
    deal_id: int | None,
    conversation_id: int | None,
    now: datetime,
) -> int:
    """Insert what is not there yet (by idempotency key); returns how many rows were new."""
    rows = [
        {
            "tenant_id": tenant_id,
            "deal_id": deal_id,
            "conversation_id": conversation_id,
            "kind": p.kind,
            "payload": p.payload,
            "due_at": p.due_at.astimezone(UTC),
            "status": PENDING,
            "attempts": 0,
            "idempotency_key": p.key,
            "created_at": now,
        }
        for p in planned
    ]
    if not rows:
        return 0
    stmt = leases.insert_ignoring_conflicts(session, Reminder, rows, ["idempotency_key"])
    result = await session.execute(stmt)
    return max(result.rowcount or 0, 0)


async def claim_due(
    session: AsyncSession,
    owner: str,
    now: datetime,
    *,
    limit: int = 50,
    lease: timedelta,
    platforms: Collection[str] | None = None,
) -> list[Claimed]:
    """Take up to `limit` due reminders nobody holds a live lease on, of tenants on
    `platforms` (None: any). Commit promptly after."""
    where = [Reminder.status == PENDING, Reminder.due_at <= now]
    if platforms is not None:
        if not platforms:
            return []
        # A subquery, not a join: FOR UPDATE then locks only the reminder rows.
        where.append(Reminder.tenant_id.in_(select(Tenant.id).where(Tenant.platform.in_(sorted(platforms)))))
    rows = await leases.claim(
        session, Reminder, owner, now, lease=lease, where=where, order_by=[Reminder.due_at], limit=limit
    )
    return [_claimed(r) for r in rows]


def _held(reminder_id: int, owner: str, now: datetime) -> Any:
    return and_(
        Reminder.id == reminder_id,
        Reminder.status == PENDING,
        Reminder.lease_owner == owner,
        Reminder.lease_until > now,
    )


async def renew(session: AsyncSession, reminder_id: int, owner: str, now: datetime, lease: timedelta) -> bool:
    """Extend our lease right before sending; False when it lapsed or the row moved on."""
    result = await session.execute(
        update(Reminder)
        .where(_held(reminder_id, owner, now))
        .values(lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def mark_posting(session: AsyncSession, reminder_id: int, owner: str, now: datetime) -> bool:
    """For surfaces that cannot read back what they posted (Teams): record, under our live
    lease, that the post is about to go out. A pending row with `sent_at` set means "a post was
    started"; a worker that takes the row over does not post again (at most once; see
    docs/reminders.md). False when the lease lapsed: then do not post."""
    result = await session.execute(
        update(Reminder)
        .where(_held(reminder_id, owner, now))
        .values(sent_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def posting_started(session: AsyncSession, reminder_id: int) -> bool:
    """Did an earlier holder of this pending row start posting it (mark_posting)?"""
    stmt = select(Reminder.sent_at).where(Reminder.id == reminder_id, Reminder.status == PENDING)
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def finish(session: AsyncSession, reminder_id: int, owner: str, status: str, now: datetime) -> bool:
    """pending → sent | dropped, once, by the lease owner."""
    values: dict[str, Any] = {"status": status, "lease_until": None}
    if status == SENT:
        values["sent_at"] = now
    result = await session.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id, Reminder.status == PENDING, Reminder.lease_owner == owner)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def release(session: AsyncSession, reminder_id: int, owner: str, retry_at: datetime) -> None:
    """A failed send: give the row back for a later retry. The send failed visibly (no crash),
    so any "posting started" mark is cleared: the retry posts."""
    await session.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id, Reminder.status == PENDING, Reminder.lease_owner == owner)
        .values(lease_owner=None, lease_until=retry_at, sent_at=None)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True, slots=True)
class Addressee:
    """Where a claimed reminder goes: its workspace, conversation and stored reference."""

    tenant_id: int
    platform: str
    tenant_key: str
    conversation_key: str | None
    reference: dict[str, Any] | None  # conversation_refs.reference, when the surface stored one


async def addressee(session: AsyncSession, c: Claimed) -> Addressee | None:
    """None when the reminder's workspace is gone."""
    tenant = await session.get(Tenant, c.tenant_id)
    if tenant is None:
        return None
    conversation = await session.get(Conversation, c.conversation_id) if c.conversation_id else None
    if conversation is None:
        return Addressee(tenant.id, tenant.platform, tenant.external_id, None, None)
    ref = await reference(session, tenant.platform, tenant.external_id, conversation.external_id)
    return Addressee(tenant.id, tenant.platform, tenant.external_id, conversation.external_id, ref)


async def reference(
    session: AsyncSession, platform: str, tenant_key: str, conversation_key: str
) -> dict[str, Any] | None:
    """The conversation reference a surface stored (Memory.save_reference) for proactive sends."""
    stmt = select(ConversationRef.reference).where(
        ConversationRef.platform == platform,
        ConversationRef.tenant_key == tenant_key,
        ConversationRef.conversation_key == conversation_key,
    )
    return (await session.execute(stmt)).scalar_one_or_none()


# --- what users see and change ------------------------------------------------------------
async def list_pending(
    session: AsyncSession,
    tenant_id: int,
    *,
    deal_id: int | None = None,
    conversation_id: int | None = None,
    limit: int = 50,
) -> list[Reminder]:
    stmt = select(Reminder).where(Reminder.tenant_id == tenant_id, Reminder.status == PENDING)
    if deal_id is not None and conversation_id is not None:
        stmt = stmt.where(or_(Reminder.deal_id == deal_id, Reminder.conversation_id == conversation_id))
    elif deal_id is not None:
        stmt = stmt.where(Reminder.deal_id == deal_id)
    elif conversation_id is not None:
        stmt = stmt.where(Reminder.conversation_id == conversation_id)
    stmt = stmt.order_by(Reminder.due_at, Reminder.id).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def get(session: AsyncSession, tenant_id: int, reminder_id: int) -> Reminder | None:
    stmt = select(Reminder).where(Reminder.tenant_id == tenant_id, Reminder.id == reminder_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def cancel(session: AsyncSession, tenant_id: int, reminder_ids: Iterable[int]) -> int:
    ids = list(reminder_ids)
    if not ids:
        return 0
    result = await session.execute(
        update(Reminder)
        .where(Reminder.tenant_id == tenant_id, Reminder.id.in_(ids), Reminder.status == PENDING)
        .values(status=CANCELLED, lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


async def cancel_by_key_prefix(
    session: AsyncSession, tenant_id: int, deal_id: int, prefix: str, *, kinds: Iterable[str] | None = None
) -> int:
    stmt = select(Reminder.id).where(
        Reminder.tenant_id == tenant_id,
        Reminder.deal_id == deal_id,
        Reminder.status == PENDING,
        Reminder.idempotency_key.startswith(prefix, autoescape=True),
    )
    if kinds is not None:
        stmt = stmt.where(Reminder.kind.in_(list(kinds)))
    return await cancel(session, tenant_id, (await session.execute(stmt)).scalars().all())


async def snooze(session: AsyncSession, tenant_id: int, reminder_id: int, until: datetime) -> bool:
    result = await session.execute(
        update(Reminder)
        .where(Reminder.tenant_id == tenant_id, Reminder.id == reminder_id, Reminder.status == PENDING)
        .values(due_at=until, lease_owner=None, lease_until=None, sent_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


# --- what operators see -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Scheduled:
    """A pending reminder as an operator sees it: no payload, so no deal contents."""

    id: int
    due_at: datetime
    platform: str
    kind: str
    deal_id: int | None
    attempts: int


async def every_pending(session: AsyncSession, limit: int = 500) -> list[Scheduled]:
    """Pending reminders of every workspace, soonest first (`coach reminders --all`)."""
    stmt = (
        select(Reminder.id, Reminder.due_at, Tenant.platform, Reminder.kind)
        .add_columns(Reminder.deal_id, Reminder.attempts)
        .join(Tenant, Tenant.id == Reminder.tenant_id)
        .where(Reminder.status == PENDING)
        .order_by(Reminder.due_at, Reminder.id)
        .limit(limit)
    )
    return [
        Scheduled(id, utc(due), platform, kind, deal_id, attempts)  # type: ignore[arg-type]
        for id, due, platform, kind, deal_id, attempts in await session.execute(stmt)
    ]


async def queue_depth(session: AsyncSession, now: datetime) -> tuple[int, datetime | None]:
    """How many pending reminders are due, and the oldest one's due time (None when none is):
    the worker's backlog and how far behind it is. Served by ix_reminders_due."""
    stmt = select(func.count(), func.min(Reminder.due_at)).where(
        Reminder.status == PENDING, Reminder.due_at <= now
    )
    count, oldest = (await session.execute(stmt)).one()
    return int(count or 0), utc(oldest)
