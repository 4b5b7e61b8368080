"""The rehearsals table's reads and writes, on the turn's own session (one transaction).

A rehearsal is open (active or paused) while `open_slot` is 1; the unique key on
(conversation_id, deal_id, open_slot) keeps it to one per conversation and deal, on every
replica. Finished rehearsals stay: their scripts are what the next one must not repeat.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Rehearsal

ACTIVE, PAUSED, DONE = "active", "paused", "done"


async def open_one(session: AsyncSession, conversation_id: int, deal_id: int) -> Rehearsal | None:
    stmt = select(Rehearsal).where(
        Rehearsal.conversation_id == conversation_id,
        Rehearsal.deal_id == deal_id,
        Rehearsal.open_slot == 1,
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def of_role(session: AsyncSession, deal_id: int, role: str) -> list[Rehearsal]:
    """Every rehearsal of this role on this deal, oldest first (any conversation)."""
    stmt = (
        select(Rehearsal).where(Rehearsal.deal_id == deal_id, Rehearsal.role == role).order_by(Rehearsal.id)
    )
    return list((await session.execute(stmt)).scalars())


async def create(
    session: AsyncSession,
    conversation_id: int,
    deal_id: int,
    role: str,
    seed: int,
    state: dict[str, Any],
    now: datetime,
) -> Rehearsal:
    row = Rehearsal(
        conversation_id=conversation_id,
        deal_id=deal_id,
        role=role,
        seed=seed,
        status=ACTIVE,
        open_slot=1,
        state=state,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def get(session: AsyncSession, rehearsal_id: int) -> Rehearsal | None:
    return await session.get(Rehearsal, rehearsal_id)


async def save(
    session: AsyncSession, row: Rehearsal, state: dict[str, Any], now: datetime, status: str | None = None
) -> None:
    """Write the new state (a new dict, so the JSON column sees the change) and status."""
    row.state = dict(state)
    row.updated_at = now
    if status is not None:
        row.status = status
        row.open_slot = None if status == DONE else 1
    await session.flush()
