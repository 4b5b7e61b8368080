"""Real `coach serve` processes for the replica tests: start N on free loopback ports, wait
for /readyz, stop them. Built for a loaded 2-core machine: generous, bounded waits, and a
process that dies early fails the test with the tail of its log instead of hanging it."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

ROOT = Path(__file__).resolve().parents[1]
START_DEADLINE = 120.0  # a cold interpreter importing both chat SDKs on a busy machine


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


def coach_module(env: dict[str, str]) -> str:
    """`coach` itself, or `coach` with the Teams auth stand-ins when the environment names them
    (TEST_TEAMS_*, read by tests/teams/loopback.py)."""
    return "tests.teams.loopback" if any(k.startswith("TEST_TEAMS_") for k in env) else "adapters.console"


async def start(env: dict[str, str], log: Path) -> Served:
    port = free_port()
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", coach_module(env), "serve", "--host", "127.0.0.1", "--port", str(port),
            cwd=ROOT, env=env, stdout=out, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
    return Served(proc, port, log)


async def wait_healthy(served: Served, session: aiohttp.ClientSession) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_DEADLINE
    while loop.time() < deadline:
        if served.proc.returncode is not None:
            pytest.fail(f"coach serve on {served.port} exited ({served.proc.returncode}):\n{served.tail()}")
        try:
            async with session.get(f"{served.url}/readyz", timeout=aiohttp.ClientTimeout(total=5)) as r:
                if r.status == 200:
                    return
        except (aiohttp.ClientError, TimeoutError):
            pass
        await asyncio.sleep(0.2)
    pytest.fail(f"coach serve on {served.port} not healthy after {START_DEADLINE:.0f}s:\n{served.tail()}")


async def stop(served: Served) -> None:
    if served.proc.returncode is None:
        served.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(served.proc.wait(), timeout=30)
        except TimeoutError:
            served.proc.kill()
            await served.proc.wait()


@asynccontextmanager
async def serving(env: dict[str, str], logs: Path, n: int = 2) -> AsyncIterator[list[Served]]:
    """n `coach serve` processes with `env`, healthy on entry, stopped on exit."""
    servers: list[Served] = []
    try:
        for i in range(1, n + 1):
            servers.append(await start(env, logs / f"serve-{i}.log"))
        async with aiohttp.ClientSession() as session:
            await asyncio.gather(*(wait_healthy(s, session) for s in servers))
        yield servers
    finally:
        await asyncio.gather(*(stop(s) for s in servers))
