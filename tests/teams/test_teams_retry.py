"""Connector calls are retried only when a retry cannot post twice: a new post that timed out
(and may have arrived) is not retried; refused connections, 429 and 502/503 are."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest

from adapters.teams.retry import with_retry
from tests.teams.conftest import Bot, Connector, Issuer, Skills, message, start_bot, stop_bot


async def settle(bot: Bot, seconds: float) -> None:
    await asyncio.sleep(seconds)
    await bot.host.agent.drain()


async def test_a_reply_post_that_times_out_is_not_posted_again(bot: Bot) -> None:
    host = bot.host
    host.config.call_timeout = 0.1
    bot.connector.latency = 0.4  # the connector takes the post, then answers too late
    status, _ = await bot.post(message(bot.connector, "help"))
    assert status == 202
    await settle(bot, 0.6)  # long enough for any retry to have reached the connector
    assert bot.connector.attempts == 1 and len(bot.connector.messages) == 1


@pytest.mark.parametrize("status", [500, 504])
async def test_a_post_answered_with_an_ambiguous_5xx_is_not_retried(bot: Bot, status: int) -> None:
    bot.connector.fail_next = [status]
    await bot.post(message(bot.connector, "help"))
    await settle(bot, 0.1)
    assert bot.connector.attempts == 1


@pytest.fixture
async def quiet_bot(
    sqlite_url: str, issuer: Issuer, connector: Connector, skills: Skills
) -> AsyncIterator[Bot]:
    """No typing indicator, no "Working on it…": on a loaded machine a slow "help" turn would
    post one, and only the reply's own posts are counted here."""
    b = await start_bot(
        sqlite_url, issuer, connector, skills=skills, typing_after=60.0, first_reply_after=60.0
    )
    yield b
    await stop_bot(b)


@pytest.mark.parametrize("statuses", [[429], [502], [503], [429, 503]])
async def test_a_post_the_service_did_not_take_is_retried_once_posted(
    quiet_bot: Bot, statuses: list[int]
) -> None:
    bot = quiet_bot
    bot.connector.fail_next = list(statuses)
    status, _ = await bot.post(message(bot.connector, "help"))
    assert status == 202
    for _ in range(50):  # the retries' back-off may outlast the request on a loaded machine
        if bot.connector.messages:
            break
        await asyncio.sleep(0.1)
    await settle(bot, 0.2)  # and nothing more arrives after the one that was taken
    assert bot.connector.attempts == len(statuses) + 1 and len(bot.connector.messages) == 1


async def test_an_update_is_idempotent_so_a_5xx_on_it_is_retried(bot: Bot) -> None:
    bot.connector.fail_next = [500]
    url = f"{bot.connector.url}v3/conversations/a:c/activities/sent-1"
    async with aiohttp.ClientSession() as s:

        async def put() -> int:
            async with s.put(url, json={"type": "message", "text": "v2"}) as r:
                r.raise_for_status()
                return r.status

        assert await with_retry(put, base=0.01, idempotent=True) == 200
        with pytest.raises(aiohttp.ClientResponseError):
            bot.connector.fail_next = [500]
            await with_retry(put, base=0.01, idempotent=False)
    assert [p["activity"]["text"] for p in bot.connector.puts] == ["v2"]


async def test_a_refused_connection_is_retried_it_never_reached_the_service() -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    tries = 0
    async with aiohttp.ClientSession() as s:

        async def post() -> None:
            nonlocal tries
            tries += 1
            async with s.post(f"http://127.0.0.1:{port}/v3/conversations/c/activities", json={}):
                pass

        with pytest.raises(aiohttp.ClientConnectorError):
            await with_retry(post, attempts=3, base=0.01)
    assert tries == 3
