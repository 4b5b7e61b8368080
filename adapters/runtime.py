"""Wiring shared by every entry point: settings → migrated database → Coach."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.coach import Coach, utcnow
from bot.db.engine import create_engine, session_factory
from bot.db.migrate import shipped_heads, upgrade
from bot.features import default_knowledge
from bot.knowledge import Knowledge
from bot.llm.setup import LlmConfigError, drafter_from_env
from bot.reply import Reply
from bot.services import CoachServices
from bot.settings import Settings, get_settings
from bot.skills import Skills
from bot.turn import Turn
from bot.understanding.llm_reader import reader_from_env

if TYPE_CHECKING:
    from adapters.metrics import Metrics
    from adapters.slack.settings import SlackSettings
    from adapters.teams.config import TeamsConfig
    from bot.reminders.settings import ReminderSettings

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


def pin_cpu(setting: str = "off") -> int | None:
    """Keep this process on one CPU when asked to (COACH_CPU_AFFINITY, or a bench's --cpu).
    An asyncio process runs on one core anyway, and pinning spares it cold wake-ups on another
    core after each database round trip; but placing processes is the operator's job, so
    `coach serve` does not pin by default. "auto" picks a CPU by pid: fine for benches and
    for replicas sharing one host's pid space, wrong in containers (every replica is PID 1)."""
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


async def at_head(engine: AsyncEngine) -> bool:
    """The database's schema is the shipped head: the start skips Alembic (and importing it),
    the usual case for every `coach` command after the first. Anything else, a new database
    included, goes through Alembic's upgrade as before."""
    heads = shipped_heads()
    if heads is None:
        return False
    try:
        async with engine.connect() as conn:
            found = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
    except SQLAlchemyError:  # no version table yet
        return False
    return frozenset(found) == heads


@dataclass(frozen=True, slots=True)
class Serving:
    """What `coach serve` wires around the core, fixed before the runtime starts and handed to
    `Runtime.start` as one frozen record. A field left None is read from the environment by the
    surface that uses it; a test or bench gives its own. What the surfaces build (the inbox,
    SlackCoach, the Teams host) is not here: each mount returns it and keeps it in the app, and
    the reminder deliverers are built from it (adapters/server.py). The core's own services
    (drafter, LLM reader) are not here either: `Runtime.start` builds them and hands them to the
    Coach (`rt.coach.services`)."""

    socket_mode: bool = False  # `coach serve --socket-mode`
    slack_settings: SlackSettings | None = None  # adapters/slack
    teams_config: TeamsConfig | None = None  # adapters/teams
    reminder_settings: ReminderSettings | None = None  # adapters/scheduler.py


NOT_SERVING = Serving()  # a runtime of the terminal: every surface setting from the environment


@dataclass(frozen=True, slots=True)
class Runtime:
    """Built once by `Runtime.start` and never changed: every entry point and surface gets it
    (or what it holds) by constructor. `serving` is given only to the runtime of `coach serve`
    (and the tests and benches that build its app); `metrics` and `observe_turn` come with it
    when COACH_METRICS is on."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker
    kb: Knowledge
    coach: Coach
    serving: Serving | None = None
    metrics: Metrics | None = None  # adapters/metrics.py: /metrics reads it
    observe_turn: TurnObserver | None = None  # the metrics' turn counter, on the turn path

    @property
    def surfaces(self) -> Serving:
        """The surface settings this runtime was started with (the environment's when none)."""
        return self.serving or NOT_SERVING

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
        skills: Skills | None = None,
        serving: Serving | None = None,
    ) -> Runtime:
        """`skills`: the intents this coach answers (bot/features.py's by default; a test adds
        its probes with `features.skills_with`). `serving`: what `coach serve` wires around the
        core (given by `coach serve`, and by the tests and benches that build its app); with it
        and COACH_METRICS on, the runtime measures its turns and drafts (adapters/metrics.py,
        imported only then, so the terminal never loads prometheus_client)."""
        settings = settings or get_settings()
        kb = default_knowledge()  # validates knowledge/ before anything else happens
        engine = create_engine(settings.database_url, pool_size=settings.pool_size)
        if migrate and not await at_head(engine):
            await asyncio.to_thread(upgrade, settings.database_url)
        sessions = session_factory(engine)
        try:  # drafts through an LLM when one is configured (docs/llm.md); templates otherwise
            drafter = drafter_from_env(kb, sessions=sessions)
        except LlmConfigError as exc:
            log.error("LLM drafting is off: %s", exc)
            drafter = None
        try:  # reads unclear messages through the same LLM, only with COACH_LLM_UNDERSTAND on
            reader = reader_from_env(kb, sessions=sessions, client=getattr(drafter, "client", None))
        except LlmConfigError as exc:
            log.error("LLM understanding is off: %s", exc)
            reader = None
        core = CoachServices(drafter=drafter, llm_reader=reader)
        coach = Coach(
            sessions, kb, clock=clock, services=core, max_chars=settings.max_message_chars, skills=skills
        )
        metrics = None
        if serving is not None and settings.metrics:
            from adapters.metrics import Metrics

            metrics = Metrics(sessions, clock=clock, drafter=drafter)
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            kb=kb,
            coach=coach,
            serving=serving,
            metrics=metrics,
            observe_turn=metrics.observe_turn if metrics is not None else None,
        )

    async def close(self) -> None:
        core = self.coach.services
        if core.llm_reader is not None:
            await core.llm_reader.aclose()
        if core.drafter is not None:
            await core.drafter.aclose()
        await self.coach.close()
        await self.engine.dispose()
