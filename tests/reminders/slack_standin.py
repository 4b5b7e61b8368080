"""A loopback Slack Web API stand-in: records chat.postMessage, answers conversations.history
(with message metadata), and can answer the first N posts with 429 + Retry-After."""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class SlackStandIn:
    rate_limit_first: int = 0
    latency: float = 0.0
    posts: list[dict[str, Any]] = field(default_factory=list)
    rate_limited: int = 0
    history_calls: int = 0
    shared: set[str] = field(default_factory=set)  # channels shared with another organisation
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))
    runner: web.AppRunner | None = None
    url: str = ""

    async def _args(self, request: web.Request) -> dict[str, Any]:
        if request.method == "GET":
            return dict(request.query)
        if request.content_type == "application/json":
            return await request.json()
        form = dict(await request.post())
        for key in ("metadata", "blocks"):
            if isinstance(form.get(key), str):
                form[key] = json.loads(form[key])
        return form

    async def post_message(self, request: web.Request) -> web.Response:
        if self.rate_limited < self.rate_limit_first:
            self.rate_limited += 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        args = await self._args(request)
        if self.latency:
            await asyncio.sleep(self.latency)
        ts = f"1700000000.{next(self._ts):06d}"
        self.posts.append({**args, "ts": ts, "auth": request.headers.get("Authorization", "")})
        return web.json_response({"ok": True, "channel": args.get("channel"), "ts": ts})

    async def history(self, request: web.Request) -> web.Response:
        self.history_calls += 1
        args = await self._args(request)
        channel = args.get("channel")
        limit = int(args.get("limit") or 100)
        offset = int(args.get("cursor") or 0)
        msgs = [
            {"type": "message", "ts": p["ts"], "text": p.get("text"), "metadata": p.get("metadata")}
            for p in reversed(self.posts)
            if p.get("channel") == channel
        ]
        page = msgs[offset : offset + limit]
        nxt = str(offset + limit) if offset + limit < len(msgs) else ""
        return web.json_response({"ok": True, "messages": page, "response_metadata": {"next_cursor": nxt}})

    async def info(self, request: web.Request) -> web.Response:
        channel = (await self._args(request)).get("channel")
        shared = channel in self.shared
        return web.json_response(
            {"ok": True, "channel": {"id": channel, "is_shared": shared, "is_ext_shared": shared}}
        )

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/api/chat.postMessage", self.post_message)
        app.router.add_post("/api/conversations.history", self.history)
        app.router.add_get("/api/conversations.history", self.history)
        app.router.add_post("/api/conversations.info", self.info)
        app.router.add_get("/api/conversations.info", self.info)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/api/"
        return self.url

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()

    def keys(self) -> list[str]:
        return [p["metadata"]["event_payload"]["key"] for p in self.posts]
