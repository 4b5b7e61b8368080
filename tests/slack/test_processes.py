"""Two real `coach serve` processes on one PostgreSQL: one Slack event (and its retries)
delivered to both gets exactly one answer.

Built for a loaded 2-core machine: every wait has a generous deadline and a bounded loop, and
a process that dies early fails the test with the tail of its log rather than hanging it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from tests.slack.fakes import BOT_TOKEN, SECRET, FakeSlack, event, signed

JSON = "application/json"
ROOT = Path(__file__).resolve().parents[2]
START_DEADLINE = 90.0  # a cold interpreter importing everything on a busy machine
TURN_DEADLINE = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    proc: asyncio.subprocess.Process
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


def child_env(db_url: str, api_url: str) -> dict[str, str]:
    # Nothing from the outer environment that could switch on other surfaces or an LLM.
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COACH_", "SLACK_", "LLM_", "OPENAI", "AZURE"))
    }
    return {
        **keep,
        "COACH_DATABASE_URL": db_url,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": api_url,
        "COACH_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


async def wait_healthy(session: aiohttp.ClientSession, s: Served) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_DEADLINE
    while loop.time() < deadline:
        if s.proc.returncode is not None:
            pytest.fail(f"coach serve on {s.port} exited with {s.proc.returncode}:\n{s.tail()}")
        try:
            async with session.get(f"{s.url}/healthz", timeout=aiohttp.ClientTimeout(total=5)) as resp:
                if resp.status == 200:
                    return
        except (aiohttp.ClientError, TimeoutError):
            pass
        await asyncio.sleep(0.25)
    pytest.fail(f"coach serve on {s.port} not healthy after {START_DEADLINE:.0f}s:\n{s.tail()}")


async def stop(s: Served) -> None:
    if s.proc.returncode is None:
        s.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(s.proc.wait(), 20)
        except TimeoutError:
            s.proc.kill()
            await s.proc.wait()


@pytest.fixture
async def two_processes(pg_url: str, fake: FakeSlack, tmp_path: Path) -> AsyncIterator[list[Served]]:
    env = child_env(pg_url, fake.url)
    started: list[Served] = []
    try:
        for n in (1, 2):
            port, log = free_port(), tmp_path / f"serve{n}.log"
            argv = ["-m", "adapters.console", "serve", "--host", "127.0.0.1", "--port", str(port)]
            with log.open("wb") as out:
                proc = await asyncio.create_subprocess_exec(
                    sys.executable, *argv, cwd=ROOT, env=env, stdout=out, stderr=asyncio.subprocess.STDOUT
                )
            started.append(Served(proc, port, log))
        async with aiohttp.ClientSession() as session:
            await asyncio.gather(*(wait_healthy(session, s) for s in started))
        yield started
    finally:
        await asyncio.gather(*(stop(s) for s in started))


async def deliver(session: aiohttp.ClientSession, s: Served, body: bytes, retry: int | None) -> int:
    extra = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
    async with session.post(f"{s.url}/slack/events", data=body, headers=signed(body, JSON, **extra)) as resp:
        await resp.read()
        return resp.status


def dm(text: str, channel: str) -> dict:
    return {
        "type": "message",
        "channel_type": "im",
        "user": "U1",
        "text": text,
        "channel": channel,
        "ts": "1.0",
    }


async def test_two_coach_serve_processes_answer_one_event_once(two_processes, fake):
    one, two = two_processes
    body = event(dm("deal new Twin", "D1"), event_id="Ev-twin-proc")
    timeout = aiohttp.ClientTimeout(total=TURN_DEADLINE)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        statuses = await asyncio.gather(
            deliver(session, one, body, None),
            deliver(session, two, body, None),
            deliver(session, one, body, 1),
            deliver(session, two, body, 2),
        )
        assert statuses == [200, 200, 200, 200]
        # A later event to each process: once both are answered, the duplicates (delivered
        # first) have long had their turn; a short grace covers a loser still waiting on the lock.
        await deliver(session, one, event(dm("help", "D2"), event_id="Ev-after-1"), None)
        await deliver(session, two, event(dm("help", "D3"), event_id="Ev-after-2"), None)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TURN_DEADLINE
    while {"D2", "D3"} - {p["channel"] for p in fake.of("chat.postMessage")}:
        assert loop.time() < deadline, f"no answers in {TURN_DEADLINE:.0f}s:\n{one.tail()}\n{two.tail()}"
        await asyncio.sleep(0.1)
    await asyncio.sleep(2.0)
    answers = [p for p in fake.of("chat.postMessage") if p["channel"] == "D1"]
    assert len(answers) == 1, answers
    assert "Started Twin" in answers[0]["text"]
    assert all(c.token == BOT_TOKEN for c in fake.calls)
