"""Microsoft Teams surface (Microsoft 365 Agents SDK). Importing this package registers its mount."""

from __future__ import annotations

from aiohttp import web

from adapters.runtime import Runtime
from adapters.server import MOUNTS


async def mount(rt: Runtime, app: web.Application) -> None:
    from adapters.teams.host import mount as _mount  # the SDK loads only when the server builds

    await _mount(rt, app)


if mount not in MOUNTS:
    MOUNTS.append(mount)
