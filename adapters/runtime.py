"""Wiring shared by every entry point: settings → migrated database → Coach."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.coach import Coach, utcnow
from bot.db.engine import create_engine, session_factory
from bot.db.migrate import upgrade
from bot.knowledge import Knowledge, default_knowledge
from bot.settings import Settings, get_settings

log = logging.getLogger("coach.runtime")


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker
    kb: Knowledge
    coach: Coach
    services: dict[str, Any] = field(default_factory=dict)

    @classmethod
    async def start(
        cls,
        settings: Settings | None = None,
        *,
        migrate: bool = True,
        clock: Callable[[], datetime] = utcnow,
    ) -> Runtime:
        settings = settings or get_settings()
        kb = default_knowledge()  # validates knowledge/ before anything else happens
        if migrate:
            await asyncio.to_thread(upgrade, settings.database_url)
        engine = create_engine(settings.database_url)
        sessions = session_factory(engine)
        services: dict[str, Any] = {}
        coach = Coach(sessions, kb, clock=clock, services=services, max_chars=settings.max_message_chars)
        return cls(settings=settings, engine=engine, sessions=sessions, kb=kb, coach=coach, services=services)

    async def close(self) -> None:
        await self.engine.dispose()
