"""The one aiohttp server of `coach serve` (docs/operations.md). What it runs, in order:

- health: /livez, /readyz (and /healthz)                       here
- metrics: /metrics, here or on COACH_METRICS_PORT                 adapters/metrics.py
- the access log (middleware)                                      adapters/access_log.py
- Slack: /slack/events and the OAuth routes, or Socket Mode       adapters/slack/mount.py
- Teams: /api/messages                                             adapters/teams/host.py
- the inbox worker answering acknowledged Slack and Teams turns   adapters/inbox.py
  (attached by whichever of the two mounts)
- the reminder worker, delivering to Slack and Teams               adapters/scheduler.py,
  adapters/slack/reminders.py, adapters/teams/reminders.py

Each surface mounts only when it is configured; `surfaces()` and `reminder_deliverers()` list
them, and nothing registers itself by being imported.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from adapters.access_log import access_log_middleware
from adapters.health import readiness, shipped
from adapters.runtime import Runtime, Serving, pin_cpu
from bot.settings import Settings

if TYPE_CHECKING:
    from adapters.scheduler import Deliverer

log = logging.getLogger("coach.server")

RUNTIME = web.AppKey("runtime", Runtime)

# A surface: (runtime, app) -> what it built (None when not configured); it adds its routes and
# background work when configured, and keeps what it built under its key in the app.
Mount = Callable[[Runtime, web.Application], Awaitable[object]]


def surfaces() -> list[Mount]:
    """The surfaces `coach serve` mounts, in order. Imported here, when the server is built,
    so no other command pays for Bolt or the Agents SDK."""
    from adapters.slack.mount import mount as slack
    from adapters.teams.host import mount as teams

    return [slack, teams, reminder_worker]


def reminder_deliverers(app: web.Application | None = None) -> dict[str, Deliverer]:
    """Where the reminder worker of `coach serve` delivers, by platform, built from what the
    surfaces mounted on `app` built (given by constructor, not looked up later); without an app,
    or a surface it did not mount, Slack's from the environment and no Teams. The terminal's
    are shown by `coach shell` itself, adapters/console/reminders.py."""
    from adapters.slack.reminders import SlackDeliverer
    from adapters.teams.reminders import TeamsDeliverer

    slack = teams = None
    if app is not None:
        from adapters.slack.mount import SLACK
        from adapters.teams.host import HOST

        slack, teams = app.get(SLACK), app.get(HOST)
    return {"slack": SlackDeliverer.of(slack), "teams": TeamsDeliverer.of(teams)}


async def reminder_worker(rt: Runtime, app: web.Application) -> None:
    """Mounted last: it delivers through what the surfaces before it built."""
    from adapters.scheduler import mount

    await mount(rt, app, reminder_deliverers(app))


async def livez(request: web.Request) -> web.Response:
    """The process is up and its event loop answers. Touches nothing else, so a slow database
    never gets a healthy replica restarted."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready for traffic: database reachable, schema at the migrations' head, knowledge loaded.
    /healthz answers the same (older probes and docs use it)."""
    checks = await readiness(request.app[RUNTIME])
    ready = all(state == "ok" for state in checks.values())
    body = {"status": "ok" if ready else "not ready", **checks}
    return web.json_response(body, status=200 if ready else 503)


async def build_app(rt: Runtime, *, metrics_here: bool | None = None) -> web.Application:
    """The app of a runtime started with `serving` (what the surfaces mount from; the
    environment's when the runtime has none). `metrics_here`: serve /metrics on this app
    (default: when the runtime measures, COACH_METRICS, and no separate COACH_METRICS_PORT is set)."""
    settings = rt.settings
    middlewares = [access_log_middleware] if settings.access_log else []
    app = web.Application(client_max_size=1024 * 1024, middlewares=middlewares)
    app[RUNTIME] = rt
    app.router.add_get("/livez", livez)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/healthz", readyz)
    shipped()  # read migrations/ now, not on the first probe
    metrics = rt.metrics  # built by Runtime.start for a serving runtime with COACH_METRICS on
    if metrics is not None:
        from adapters.metrics import METRICS, metrics_handler

        app[METRICS] = metrics
        if metrics_here if metrics_here is not None else settings.metrics_port is None:
            app.router.add_get("/metrics", metrics_handler(metrics, _token(settings)))
    for mount in surfaces():
        await mount(rt, app)
    return app


def metrics_app(app: web.Application) -> web.Application:
    """/metrics alone, for COACH_METRICS_PORT: a listener Prometheus reaches and the internet doesn't."""
    from adapters.metrics import METRICS, metrics_handler

    rt = app[RUNTIME]
    only = web.Application()
    only.router.add_get("/metrics", metrics_handler(app[METRICS], _token(rt.settings)))
    return only


def settle() -> None:
    """After start-up: what it built (modules, knowledge, the app) lives as long as the process,
    so it is frozen out of the cyclic collector's sight (`gc.freeze`). A full collection then
    scans only what turns made: it was ~0.2 s every few hundred turns (~0.3 ms a turn on
    average, and a pause in the middle of a turn)."""
    gc.collect()
    gc.freeze()


def _token(settings: Settings) -> str | None:
    return settings.metrics_token.get_secret_value() if settings.metrics_token else None


async def serve(settings: Settings, *, host: str, port: int, socket_mode: bool = False) -> int:
    cpu = pin_cpu(settings.cpu_affinity)
    if cpu is not None:
        log.info("coach serve keeps to CPU %s (COACH_CPU_AFFINITY=off to let it roam)", cpu)
    rt = await Runtime.start(settings, serving=Serving(socket_mode=socket_mode))
    app = await build_app(rt)
    settle()
    runner = web.AppRunner(app, access_log=None)  # our middleware writes the access log
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("coach serving on http://%s:%s", host, port)
    runners = [runner]
    if settings.metrics and settings.metrics_port is not None:
        extra = web.AppRunner(metrics_app(app), access_log=None)
        await extra.setup()
        metrics_host = settings.metrics_host or host
        await web.TCPSite(extra, metrics_host, settings.metrics_port).start()
        log.info("metrics on http://%s:%s/metrics", metrics_host, settings.metrics_port)
        runners.insert(0, extra)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except NotImplementedError:
            pass
    await stop.wait()
    for r in runners:
        await r.cleanup()
    await rt.close()
    return 0
