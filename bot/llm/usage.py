"""The per-tenant daily request budget, counted in llm_usage with one atomic upsert:
INSERT ... ON CONFLICT DO UPDATE ... WHERE requests < limit RETURNING requests. Two replicas
racing for the last request cannot both get it; no read-then-write."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import LlmUsage


async def take_request(session: AsyncSession, tenant_id: int, day: str, limit: int) -> bool:
    """Count one request for (tenant, day) if the budget allows it; False when used up."""
    if limit <= 0:
        return False
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(LlmUsage)
        .values(tenant_id=tenant_id, day=day, requests=1, tokens=0)
        .on_conflict_do_update(
            index_elements=[LlmUsage.tenant_id, LlmUsage.day],
            set_={"requests": LlmUsage.requests + 1},
            where=LlmUsage.requests < limit,
        )
        .returning(LlmUsage.requests)
    )
    async with session.begin_nested():
        got = (await session.execute(stmt)).scalar_one_or_none()
    return got is not None


async def add_tokens(session: AsyncSession, tenant_id: int, day: str, tokens: int) -> None:
    if tokens <= 0:
        return
    async with session.begin_nested():
        await session.execute(
            update(LlmUsage)
            .where(LlmUsage.tenant_id == tenant_id, LlmUsage.day == day)
            .values(tokens=LlmUsage.tokens + tokens)
        )


async def used(session: AsyncSession, tenant_id: int, day: str) -> tuple[int, int]:
    stmt = select(LlmUsage.requests, LlmUsage.tokens).where(
        LlmUsage.tenant_id == tenant_id, LlmUsage.day == day
    )
    row = (await session.execute(stmt)).first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


async def totals(session: AsyncSession, day: str) -> tuple[int, int, int, int]:
    """(workspaces, requests, tokens, the busiest workspace's requests) for one UTC day, across
    every tenant: for operators' gauges, never shown to a workspace."""
    stmt = select(
        func.count(), func.sum(LlmUsage.requests), func.sum(LlmUsage.tokens), func.max(LlmUsage.requests)
    ).where(LlmUsage.day == day)
    tenants, requests, tokens, busiest = (await session.execute(stmt)).one()
    return int(tenants or 0), int(requests or 0), int(tokens or 0), int(busiest or 0)
