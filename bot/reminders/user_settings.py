"""Per-user reminder preferences in the `user_settings` table: read into Prefs, upsert from chat.

Stored as plain JSON ({"before_minutes": [120], "morning": "07:00"}); anything unreadable is
ignored so a bad row can never stop a reminder from being planned.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import UserSetting

MAX_BEFORE_MINUTES = 7 * 24 * 60


async def load(session: AsyncSession, tenant_id: int, user: str) -> dict[str, Any]:
    row = (
        await session.execute(
            select(UserSetting.settings).where(
                UserSetting.tenant_id == tenant_id, UserSetting.user_key == user
            )
        )
    ).scalar_one_or_none()
    return dict(row or {})


async def save(
    session: AsyncSession, tenant_id: int, user: str, changes: dict[str, Any], now: datetime
) -> dict:
    """Merge `changes` into the user's settings (race-safe upsert); returns the merged settings."""
    merged = {**await load(session, tenant_id, user), **changes}
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(UserSetting).values(tenant_id=tenant_id, user_key=user, settings=merged, updated_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=["tenant_id", "user_key"], set_={"settings": merged, "updated_at": now}
    )
    await session.execute(stmt)
    return merged


def overrides(stored: dict[str, Any]) -> dict[str, Any]:
    """Prefs fields from stored settings: `morning` (time) and `before` (tuple of timedeltas)."""
    out: dict[str, Any] = {}
    morning = stored.get("morning")
    if isinstance(morning, str):
        try:
            out["morning"] = time.fromisoformat(morning)
        except ValueError:
            pass
    before = stored.get("before_minutes")
    if isinstance(before, list):
        mins = sorted({int(m) for m in before if isinstance(m, int) and 0 < m <= MAX_BEFORE_MINUTES})
        if mins:
            out["before"] = tuple(timedelta(minutes=m) for m in mins)
    return out
