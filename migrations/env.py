"""Alembic environment: runs migrations on our async engine (SQLite or PostgreSQL).

On PostgreSQL the upgrade runs under an advisory lock, so replicas that start together (each
runs `upgrade head` on start) take turns: the first migrates, the others then find the schema
at head and do nothing. SQLite needs none: BEGIN IMMEDIATE already lets one writer in."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.db.engine import create_engine
from bot.db.models import Base

config = context.config
target_metadata = Base.metadata

# pg_advisory_xact_lock key for "migrating this database": any fixed bigint, the same in every
# replica. Transaction-scoped, so it is released when the migration commits or rolls back, and
# by the server if this process dies.
MIGRATION_LOCK = 0x636F616368_6462  # "coachdb"


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs batch ALTERs
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Before Alembic reads the current revision: a replica that waited here reads the
            # revision the first one committed.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


async def _online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_online())
