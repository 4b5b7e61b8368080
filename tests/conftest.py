"""Fixtures: real databases (a SQLite file and a throwaway PostgreSQL server), the real core,
and `chat`, which reads like a conversation: `reply = await chat("should we escalate?")`."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.coach import Coach
from bot.db.engine import create_engine, session_factory
from bot.db.migrate import upgrade
from bot.features import default_knowledge, default_skills
from bot.reply import Reply
from bot.skills import Skills
from bot.turn import Turn
from tests.pg import PgServer, start_server

REQUIRE_PG = os.environ.get("COACH_REQUIRE_POSTGRES") == "1"
_counter = itertools.count()


class Clock:
    """A controllable clock: tests move time by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def pg_server() -> AsyncIterator[PgServer | None]:
    try:
        server = start_server()
    except (FileNotFoundError, OSError) as exc:
        if REQUIRE_PG:
            raise
        pytest.skip(f"PostgreSQL server not available here: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template(pg_server: PgServer) -> str:
    import subprocess

    psql = pg_server.psql
    subprocess.run([psql, pg_server.admin_url, "-qc", "CREATE DATABASE coach_template"], check=True)
    upgrade(pg_server.url("coach_template"))
    return "coach_template"


def _new_pg_db(pg_server: PgServer, template: str) -> str:
    import subprocess

    name = f"t{os.getpid()}_{next(_counter)}"
    subprocess.run(
        [pg_server.psql, pg_server.admin_url, "-qc", f"CREATE DATABASE {name} TEMPLATE {template}"],
        check=True,
    )
    return pg_server.url(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "coach.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    pg_server = request.getfixturevalue("pg_server")
    return _new_pg_db(pg_server, request.getfixturevalue("pg_template"))


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "coach.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def pg_url(pg_server: PgServer, pg_template: str) -> str:
    return _new_pg_db(pg_server, pg_template)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[object]:
    eng = create_engine(db_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def kb():
    return default_knowledge()


@pytest.fixture
def skills() -> Skills:
    """The intents the coach answers: the shipped ones. A test module with probe skills of its
    own overrides this fixture with `features.skills_with(probe, ...)`."""
    return default_skills()


@pytest.fixture
async def coach(engine, kb, clock: Clock, skills: Skills) -> AsyncIterator[Coach]:
    c = Coach(session_factory(engine), kb, clock=clock, skills=skills)
    yield c
    await c.close()


Chat = Callable[..., Awaitable[Reply]]


@pytest.fixture
def chat(coach: Coach) -> Chat:
    """`await chat("text")` as user u1 in conversation c1 of tenant t1 on the console; any other
    Turn field as a keyword (`is_admin=True`, `private_channel=True`, ...)."""

    async def say(
        text: str = "",
        *,
        action: dict | None = None,
        user: str = "u1",
        conversation: str = "c1",
        tenant: str = "t1",
        platform: str = "console",
        event_id: str | None = None,
        **fields: Any,
    ) -> Reply:
        reply = await coach.handle(
            Turn(
                platform=platform,
                tenant=tenant,
                conversation=conversation,
                user=user,
                text=text,
                action=action,
                event_id=event_id,
                **fields,
            )
        )
        assert reply is not None, "the coach returned no reply (a duplicate event?)"
        return reply

    return say


@pytest.fixture
async def deal(chat: Chat) -> str:
    """A fresh active deal called Woodgrove EA renewal."""
    reply = await chat("deal new Woodgrove EA renewal")
    assert reply.intent == "deal.new"
    return "Woodgrove EA renewal"


@pytest.fixture(scope="session")
def event_loop_policy() -> asyncio.AbstractEventLoopPolicy:
    return asyncio.DefaultEventLoopPolicy()
