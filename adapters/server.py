"""The one aiohttp server of `coach serve`: /healthz, plus the Slack and Teams endpoints."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy import text

from adapters.runtime import Runtime, pin_cpu
from bot.settings import Settings

log = logging.getLogger("coach.server")

RUNTIME = web.AppKey("runtime", Runtime)

# Surfaces register here: (runtime, app) -> None, called by build_app. Each adapter package
# appends its mount function when it is imported (see adapters/slack, adapters/teams).
Mount = Callable[[Runtime, web.Application], Awaitable[None]]
MOUNTS: list[Mount] = []


async def healthz(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    try:
        async with rt.engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=2)
    except Exception as exc:
        log.warning("health check: database unavailable (%s)", type(exc).__name__)
        return web.json_response({"status": "degraded", "database": "unavailable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


async def build_app(rt: Runtime) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    app[RUNTIME] = rt
    app.router.add_get("/healthz", healthz)
    _import_surfaces()
    for mount in MOUNTS:
        await mount(rt, app)
    return app


def _import_surfaces() -> None:
    # Importing a surface package registers its mount; one that isn't installed is skipped.
    import importlib

    for name in ("adapters.slack", "adapters.teams", "adapters.scheduler"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


async def serve(settings: Settings, *, host: str, port: int, socket_mode: bool = False) -> int:
    cpu = pin_cpu(settings.cpu_affinity)
    if cpu is not None:
        log.info("coach serve keeps to CPU %s (COACH_CPU_AFFINITY=off to let it roam)", cpu)
    rt = await Runtime.start(settings)
    rt.services["socket_mode"] = socket_mode
    app = await build_app(rt)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    log.info("coach serving on http://%s:%s", host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except NotImplementedError:
            pass
    await stop.wait()
    await runner.cleanup()
    await rt.close()
    return 0
