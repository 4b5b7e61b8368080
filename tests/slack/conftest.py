"""Slack fixtures: the fake Slack, and our real server (Runtime + aiohttp + Bolt) on a TCP port."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from adapters.runtime import Runtime, Serving
from adapters.server import build_app
from adapters.slack.settings import SlackSettings
from bot.settings import Settings
from tests.slack.fakes import BOT_TOKEN, SECRET, FakeSlack, signed


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    f = FakeSlack()
    await f.start()
    yield f
    await f.close()


@dataclass
class SlackServer:
    rt: Runtime
    server: TestServer
    session: aiohttp.ClientSession
    done: list[Any]  # one entry per finished coach turn (None for a duplicate)

    async def post(
        self, body: bytes, content_type: str, *, headers: dict[str, str] | None = None, **extra: str
    ) -> aiohttp.ClientResponse:
        hdrs = headers if headers is not None else signed(body, content_type, **extra)
        async with self.session.post(self.server.make_url("/slack/events"), data=body, headers=hdrs) as resp:
            await resp.read()
            return resp

    async def turns(self, n: int) -> list[Any]:
        async with asyncio.timeout(10):
            while len(self.done) < n:  # noqa: ASYNC110 (a plain list the wrapper appends to)
                await asyncio.sleep(0.01)
        return self.done


Start = Callable[..., Awaitable[SlackServer]]


def slack_settings(fake: FakeSlack, **overrides: Any) -> SlackSettings:
    values = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.url,
        "SLACK_PLACEHOLDER_AFTER": 1.0,
        **overrides,
    }
    return SlackSettings(**{k: v for k, v in values.items() if v is not None})


@pytest.fixture
async def start_slack(fake: FakeSlack, clock) -> AsyncIterator[Start]:
    made: list[SlackServer] = []

    async def start(db_url: str, *, socket_mode: bool = False, **overrides: Any) -> SlackServer:
        serving = Serving(slack_settings=slack_settings(fake, **overrides), socket_mode=socket_mode)
        rt = await Runtime.start(Settings(COACH_DATABASE_URL=db_url), serving=serving)
        done: list[Any] = []
        handle = rt.coach.handle

        async def counted(turn: Any) -> Any:
            try:
                reply = await handle(turn)
            except BaseException:
                done.append("crashed")
                raise
            done.append(reply)
            return reply

        rt.coach.handle = counted  # type: ignore[method-assign]
        server = TestServer(await build_app(rt), host="127.0.0.1")
        await server.start_server()
        s = SlackServer(rt, server, aiohttp.ClientSession(), done)
        made.append(s)
        return s

    yield start
    for s in made:
        await s.session.close()
        await s.server.close()
        await s.rt.close()


@pytest.fixture
async def slack(start_slack: Start, sqlite_url: str) -> SlackServer:
    return await start_slack(sqlite_url)
