"""Wiring shared by every entry point: settings → migrated database → Coach."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.coach import Coach, utcnow
from bot.db.engine import create_engine, session_factory
from bot.db.migrate import upgrade
from bot.knowledge import Knowledge, default_knowledge
from bot.llm.setup import LlmConfigError, drafter_from_env
from bot.reply import Reply
from bot.settings import Settings, get_settings
from bot.turn import Turn
from bot.understanding.llm_reader import reader_from_env

log = logging.getLogger("coach.runtime")

# Libraries whose debug output carries SQL parameters or message bodies (deal data): they stay
# at WARNING whatever COACH_LOG_LEVEL says.
QUIET = (
    "aiosqlite",
    "asyncpg",
    "sqlalchemy.engine",
    "sqlalchemy.pool",
    "alembic",
    "openai",
    "httpx",
    "httpcore",
    "slack_bolt",
    "slack_sdk",
    "msal",
    "microsoft_agents",
)


def pin_cpu(setting: str = "auto") -> int | None:
    """Keep this process on one CPU. An asyncio process runs on one core anyway; left to roam,
    the scheduler moves it between cores while it waits on each database round trip, and every
    move costs a cold wake-up (measured on PostgreSQL: a core turn 2.1 ms unpinned, 1.2 ms
    pinned; SQLite runs on the loop's own thread and no longer minds). "auto" spreads replicas
    by pid."""
    if setting.strip().casefold() in ("off", "no", "false", "0", "") or not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None
    cpu = allowed[os.getpid() % len(allowed)] if setting == "auto" else int(setting)
    if cpu not in allowed:
        log.warning("COACH_CPU_AFFINITY=%s is not an allowed CPU; not pinning", setting)
        return None
    os.sched_setaffinity(0, {cpu})
    return cpu


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(level=level.upper(), format="%(levelname)s %(name)s: %(message)s")
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger(name).level))


# (surface, outcome, seconds) for every turn an adapter runs; `coach serve` sets one (metrics).
TurnObserver = Callable[[str, str, float], None]


def turn_outcome(reply: Reply | None) -> str:
    """ok, duplicate (the event was already handled), error, or rejected (empty / too long)."""
    if reply is None:
        return "duplicate"
    if reply.intent == "error":
        return "error"
    if reply.intent in ("too_long", "empty"):
        return "rejected"
    return "ok"


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker
    kb: Knowledge
    coach: Coach
    services: dict[str, Any] = field(default_factory=dict)
    observe_turn: TurnObserver | None = None

    async def handle(self, turn: Turn) -> Reply | None:
        """coach.handle for adapters: every surface runs its turns through here, so `coach serve`
        measures them in one place. Without an observer (the shell) it is the plain call."""
        observe = self.observe_turn
        if observe is None:
            return await self.coach.handle(turn)
        started = time.perf_counter()
        try:
            reply = await self.coach.handle(turn)
        except Exception:
            observe(turn.platform, "error", time.perf_counter() - started)
            raise
        observe(turn.platform, turn_outcome(reply), time.perf_counter() - started)
        return reply

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
        try:  # drafts through an LLM when one is configured (docs/llm.md); templates otherwise
            drafter = drafter_from_env(kb, sessions=sessions)
        except LlmConfigError as exc:
            log.error("LLM drafting is off: %s", exc)
            drafter = None
        if drafter is not None:
            services["drafter"] = drafter
        try:  # reads unclear messages through the same LLM, only with COACH_LLM_UNDERSTAND on
            reader = reader_from_env(kb, sessions=sessions, client=getattr(drafter, "client", None))
        except LlmConfigError as exc:
            log.error("LLM understanding is off: %s", exc)
            reader = None
        if reader is not None:
            services["llm_reader"] = reader
        coach = Coach(sessions, kb, clock=clock, services=services, max_chars=settings.max_message_chars)
        return cls(settings=settings, engine=engine, sessions=sessions, kb=kb, coach=coach, services=services)

    async def close(self) -> None:
        if "llm_reader" in self.services:
            await self.services["llm_reader"].aclose()
        if "drafter" in self.services:
            await self.services["drafter"].aclose()
        await self.coach.close()
        await self.engine.dispose()
