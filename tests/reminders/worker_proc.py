"""One `coach serve`-like reminder worker as its own OS process, for the replica tests.

    python -m tests.reminders.worker_proc DATABASE_URL LEASE_SECONDS [GO_FILE]
Runs the real Scheduler until no reminder is pending, then exits 0. It builds the server app the
way `coach serve` does (adapters.server.build_app: every surface mounts from the environment),
so the Teams host sets up its proactive sender from CONNECTIONS__* / COACH_TEAMS_* settings;
the app is not started (COACH_REMINDERS=off keeps the app's own worker out: this one is driven
here). SLACK_API_URL and the stored Teams serviceUrls point at loopback stand-ins."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from adapters.runtime import Runtime, Serving
from adapters.scheduler import ALREADY_POSTED, NOT_REPOSTED, Scheduler
from adapters.server import build_app, reminder_deliverers
from adapters.teams.host import HOST
from bot.db.models import Reminder
from bot.settings import Settings
from tests.teams.loopback import install_from_env


async def main(url: str, lease: float, go_file: str | None = None) -> int:
    install_from_env()  # outgoing Teams tokens from the loopback endpoint the test names
    rt = await Runtime.start(Settings(COACH_DATABASE_URL=url), migrate=False, serving=Serving())
    app = await build_app(rt)  # mounts Slack and Teams as `coach serve` does
    if go_file:  # start together with the other replica, however slowly each process booted
        Path(go_file + f".ready.{os.getpid()}").touch()
        while not Path(go_file).exists():  # noqa: ASYNC110 - another process creates it
            await asyncio.sleep(0.02)
    worker = Scheduler(
        rt,
        deliverers=reminder_deliverers(app),  # through what those mounts built
        lease=timedelta(seconds=lease),
        batch=25,
        poll=0.1,
        concurrency=8,
    )
    try:
        while True:
            if await worker.run_once() == 0:
                async with rt.sessions() as s:
                    left = await s.scalar(select(func.count()).where(Reminder.status == "pending"))
                if not left:
                    break
                await asyncio.sleep(0.1)
    finally:
        await rt.close()
    skipped = worker.stats.get(ALREADY_POSTED, 0)
    not_reposted = worker.stats.get(NOT_REPOSTED, 0)
    teams = app.get(HOST) is not None
    print(
        f"sent={worker.stats['sent']} lost_lease={worker.stats['lost_lease']} already={skipped} "
        f"teams_not_reposted={not_reposted} teams={int(teams)}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], float(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)))
