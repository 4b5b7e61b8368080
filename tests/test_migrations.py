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


async def _sql(url: str, *statements: str) -> list[tuple]:
    from sqlalchemy import text

    engine = create_engine(url)
    out: list[tuple] = []
    async with engine.begin() as conn:
        for statement in statements:
            result = await conn.execute(text(statement))
            if result.returns_rows:
                out = [tuple(r) for r in result]
    await engine.dispose()
    return out


async def test_0006_gives_existing_deals_their_creator_and_everyone_who_logged_on_them(db_url):
    await asyncio.to_thread(downgrade, db_url, "0005")
    assert "deal_members" not in await _tables(db_url)
    at = "'2026-01-0{} 10:00:00+00:00'"
    await _sql(
        db_url,
        "INSERT INTO tenants (id, platform, external_id, created_at) "
        f"VALUES (1, 'slack', 'T1', {at.format(1)})",
        "INSERT INTO deals (id, tenant_id, name, name_key, created_by, created_at, contacts_version) VALUES "
        f"(1, 1, 'Woodgrove', 'woodgrove', 'U1', {at.format(1)}, 0), "
        f"(2, 1, 'Fabrikam', 'fabrikam', 'U2', {at.format(1)}, 0)",
        "INSERT INTO deal_events (deal_id, kind, payload, actor, occurred_at, recorded_at) VALUES "
        f"(1, 'note', '{{}}', 'U1', {at.format(2)}, {at.format(2)}), "
        f"(1, 'note', '{{}}', 'U3', {at.format(3)}, {at.format(3)}), "
        f"(1, 'fact', '{{}}', 'U3', {at.format(4)}, {at.format(4)}), "
        f"(1, 'note', '{{}}', 'U4', {at.format(5)}, {at.format(5)})",
    )
    await asyncio.to_thread(upgrade, db_url)
    members = await _sql(db_url, "SELECT deal_id, user_key, via FROM deal_members ORDER BY deal_id, id")
    assert members == [
        (1, "U1", "creator"),
        (1, "U3", "migrated"),
        (1, "U4", "migrated"),
        (2, "U2", "creator"),
    ]
    assert await _sql(db_url, "SELECT count(*) FROM tenant_settings") == [(0,)]  # members only
    await asyncio.to_thread(downgrade, db_url, "0005")
    gone = {"deal_members", "deal_audit", "tenant_settings", "deal_channels"}
    assert gone.isdisjoint(await _tables(db_url))
    assert await _sql(db_url, "SELECT count(*) FROM deal_events") == [(4,)]
