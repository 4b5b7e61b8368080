"""Alembic: one head; upgrade → downgrade → upgrade on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from sqlalchemy import inspect

from bot.db.engine import create_engine
from bot.db.migrate import downgrade, heads, upgrade
from bot.db.models import Base


def test_there_is_one_head():
    assert len(heads()) == 1


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


async def test_upgrade_downgrade_upgrade(db_url):
    # db_url is already at head.
    assert await _tables(db_url) >= set(Base.metadata.tables)
    await asyncio.to_thread(downgrade, db_url, "base")
    assert await _tables(db_url) == set()
    await asyncio.to_thread(upgrade, db_url)
    assert await _tables(db_url) >= set(Base.metadata.tables)
