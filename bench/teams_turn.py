"""A full Deal Coach message turn through /api/messages beside a bare Agents SDK echo app.

Same run, same machine, same JWT validation, same loopback Bot Connector and token endpoint
(the test rig in tests/teams). Prints per-request latency and CPU time for both and the
ratios, and splits
ours into the core (Coach.handle, timed in the same requests) and the rest (the SDK, our
adapter: checks, reference, card, send), so the adapter's own overhead is visible beside the
floor.

    python -m bench.teams_turn [N]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_decorator
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.authorization import ConnectionManager
from microsoft_agents.hosting.core.authorization.jwt import jwt_token_validator as sdk_jwt

from adapters.runtime import pin_cpu
from adapters.server import settle
from bot.db.migrate import upgrade
from tests.teams.conftest import (
    Connector,
    Issuer,
    LoopbackJwks,
    _issuer_app,
    connector_app,
    message,
    start_bot,
    stop_bot,
    teams_config,
)


class Echo:
    async def on_turn(self, context: TurnContext) -> None:
        if context.activity.type == ActivityTypes.message:
            await context.send_activity(Activity(type=ActivityTypes.message, text=context.activity.text))


async def echo_server(connector: Connector) -> TestServer:
    config = teams_config(connector)
    manager = ConnectionManager(provider_factory=config.token_provider_factory, **config.sdk)
    adapter = CloudAdapter(connection_manager=manager)
    agent = Echo()

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, agent)

    app = web.Application()
    app["agent_configuration"] = manager.get_default_connection_configuration()
    app.router.add_post("/api/messages", jwt_authorization_decorator(messages))
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


async def timed(session: aiohttp.ClientSession, url: str, acts: list[dict], token_for) -> list[float]:
    out = []
    for act in acts:
        headers = {"Authorization": f"Bearer {token_for(act)}"}
        t0 = time.perf_counter()
        async with session.post(url, json=act, headers=headers) as r:
            await r.read()
            assert r.status == 202, r.status
        out.append((time.perf_counter() - t0) * 1000)
    return out


def describe(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[int(len(ms) * 0.95) - 1]
    mean, p50 = statistics.mean(ms), statistics.median(ms)
    return f"{name:<22} mean {mean:6.2f} ms  p50 {p50:6.2f} ms  p95 {p95:6.2f} ms"


async def run(n: int) -> None:
    issuer = Issuer(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    iss_server = TestServer(_issuer_app(issuer), host="127.0.0.1")
    await iss_server.start_server()
    issuer.base = str(iss_server.make_url("")).rstrip("/")
    sdk_jwt.JwtTokenValidator._jwk_client_manager = LoopbackJwks(
        f"{issuer.base}/.well-known/openid-configuration"
    )
    connector = Connector()
    conn_server = TestServer(connector_app(connector), host="127.0.0.1")
    await conn_server.start_server()
    connector.url = str(conn_server.make_url("")).rstrip("/") + "/"

    db = Path(tempfile.mkdtemp()) / "bench.db"
    await asyncio.to_thread(upgrade, f"sqlite:///{db}")
    bot = await start_bot(f"sqlite:///{db}", issuer, connector)
    settle()  # as `coach serve` does once its app is built
    core_ms: list[float] = []
    handle = bot.rt.coach.handle

    async def timed_handle(turn):  # the core's share of each request
        t0 = time.perf_counter()
        try:
            return await handle(turn)
        finally:
            core_ms.append((time.perf_counter() - t0) * 1000)

    bot.rt.coach.handle = timed_handle
    echo = await echo_server(connector)
    token = issuer.token(service_url=connector.url)
    async with aiohttp.ClientSession() as s:
        await timed(s, bot.url, [message(connector, "deal new Woodgrove EA renewal")], lambda a: token)
        warm = [message(connector, "deal show") for _ in range(20)]
        await timed(s, bot.url, warm, lambda a: token)
        await timed(s, str(echo.make_url("/api/messages")), warm, lambda a: token)
        coach_ms: list[float] = []
        echo_ms: list[float] = []
        cpu = {"coach": 0.0, "echo": 0.0}  # process CPU seconds spent on each side's requests
        core_ms.clear()
        for _ in range(n // 50 or 1):  # interleave so both see the same machine state
            c0 = time.process_time()
            coach_ms += await timed(
                s, bot.url, [message(connector, "deal show") for _ in range(50)], lambda a: token
            )
            c1 = time.process_time()
            echo_ms += await timed(
                s,
                str(echo.make_url("/api/messages")),
                [message(connector, "deal show") for _ in range(50)],
                lambda a: token,
            )
            cpu["coach"] += c1 - c0
            cpu["echo"] += time.process_time() - c1
    print(f"{len(coach_ms)} requests each, SQLite, JWT on, loopback connector")
    print(describe("bare SDK echo app", echo_ms))
    print(describe("Deal Coach turn", coach_ms))
    floor, ours, core = statistics.mean(echo_ms), statistics.mean(coach_ms), statistics.mean(core_ms)
    print(f"  of which Coach.handle  mean {core:6.2f} ms  (the core, measured inside the same requests)")
    print(f"  SDK + adapter, no core mean {ours - core:6.2f} ms")
    per = {k: v / len(coach_ms) * 1000 for k, v in cpu.items()}
    print(f"CPU per request: echo {per['echo']:.2f} ms, coach {per['coach']:.2f} ms")
    print(f"ratio (mean latency): {ours / floor:.2f}x  (goal <= 1.5x)")
    print(f"ratio (CPU per request): {per['coach'] / per['echo']:.2f}x  (goal <= 1.5x)")
    print(f"ratio without the core: {(ours - core) / floor:.2f}x  (SDK + our adapter vs the floor)")
    await stop_bot(bot)
    await echo.close()
    await conn_server.close()
    await iss_server.close()


if __name__ == "__main__":
    cpu = sys.argv[2] if len(sys.argv) > 2 else "auto"  # `python -m bench.teams_turn N [auto|off|CPU]`
    print(f"pinned to CPU {pin_cpu(cpu)} (the bench pins itself for steady figures)")
    asyncio.run(run(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
