"""A loopback stand-in for Slack: the Web API (recording every call), response_urls, and a
Socket Mode WebSocket endpoint; plus signed-request helpers."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-1111-2222-secretbottoken"
APP_TOKEN = "xapp-1-A111-secretapptoken"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None


@dataclass
class Upload:
    """A file sent through files_upload_v2: the bytes posted to the upload URL, then where the
    completion shared it (None until files.completeUploadExternal names it)."""

    file_id: str
    filename: str
    length: int
    data: bytes = b""
    title: str | None = None
    channel: str | None = None
    thread_ts: str | None = None
    completed: bool = False


@dataclass
class FakeSlack:
    """Records Web API calls; `rate_limit[method] = n` answers the next n calls with a 429."""

    calls: list[Call] = field(default_factory=list)
    rate_limit: dict[str, int] = field(default_factory=dict)
    retry_after: int = 1
    responses: list[dict[str, Any]] = field(default_factory=list)  # posts to response_urls
    socket_inbox: asyncio.Queue = field(default_factory=asyncio.Queue)  # what the app sent over WS
    socket_outbox: asyncio.Queue = field(default_factory=asyncio.Queue)  # envelopes to push
    teams: dict[str, str] = field(default_factory=dict)  # token → team id, for auth.test
    zones: dict[str, str] = field(default_factory=dict)  # user id → IANA time zone, for users.info
    # users.info: a user's fields over the default (a member of the token's team), e.g.
    # {"is_restricted": True} for a guest, {"team_id": "T2"} for another organisation's user.
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    # conversations.info: a channel's fields over the default (not shared), e.g.
    # {"is_ext_shared": True} for a Slack Connect channel; a channel in `missing` is not found.
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)
    rosters: dict[str, list[str]] = field(default_factory=dict)  # conversations.members per channel
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    server: TestServer | None = None
    listeners: list[Any] = field(default_factory=list)  # called with each recorded Call (bench)
    latency: float = 0.0  # seconds each chat.* call takes to answer (a backlog for the inbox tests)
    uploads: dict[str, Upload] = field(default_factory=dict)  # file id → upload, in order
    upload_status: int = 200  # what the upload URL answers (500: Slack's file service is down)
    # Files people shared (file id → (name, bytes)): files.info describes them, their
    # url_private serves the bytes to the bot token only, as Slack's file host does.
    shared: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    file_url_host: str | None = (
        None  # files.info hands out URLs on this host instead (a test of the allow-list)
    )
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api/"))

    def response_url(self, name: str = "r1") -> str:
        assert self.server is not None
        return str(self.server.make_url(f"/respond/{name}"))

    @property
    def files(self) -> list[Upload]:
        """Files completed into a conversation."""
        return [u for u in self.uploads.values() if u.completed]

    def of(self, method: str) -> list[dict[str, Any]]:
        return [c.args for c in self.calls if c.method == method]

    async def wait_for(self, method: str, n: int = 1) -> list[dict[str, Any]]:
        async with asyncio.timeout(10):
            while len(self.of(method)) < n:
                self.changed.clear()
                await self.changed.wait()
        return self.of(method)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # slack_sdk reads users.info with GET
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/files-pri/{file_id}/{name}", self._file)
        app.router.add_get("/link", self._socket)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.read()
        if request.content_type == "application/json":
            args = json.loads(raw or b"{}")
        else:
            args = dict(parse_qsl(raw.decode())) or dict(request.query)
        for key in ("blocks", "view"):  # form-encoded JSON arguments
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or args.get("token")
        if self.rate_limit.get(method, 0) > 0:
            self.rate_limit[method] -= 1
            self.calls.append(Call(method + ":429", args, token))
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(self.retry_after)},
            )
        self.calls.append(Call(method, args, token))
        for listener in self.listeners:
            listener(self.calls[-1])
        self.changed.set()
        if self.latency and method.startswith("chat."):
            await asyncio.sleep(self.latency)
        return web.json_response(self._answer(method, args, token))

    def team_of(self, token: str | None) -> str:
        """The workspace a token belongs to: `teams`, else an installed bot's (`xoxb-installed-T9`)."""
        if token in self.teams:
            return self.teams[token]
        if token and token.startswith("xoxb-installed-"):
            return token.removeprefix("xoxb-installed-")
        return "T1"

    def _answer(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        if method == "auth.test":
            team = self.team_of(token)
            return {
                "ok": True,
                "url": "https://x.slack.com/",
                "team": "X",
                "team_id": team,
                "user": "coach",
                "user_id": "UBOT",
                "bot_id": "BBOT",
            }
        if method.startswith("chat.") and args.get("channel") in self.missing:
            return {"ok": False, "error": "channel_not_found"}
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            ts = args.get("ts") or f"1700000000.{next(self._ts):06d}"
            return {"ok": True, "channel": args.get("channel"), "ts": ts, "message_ts": ts}
        if method == "files.getUploadURLExternal":
            assert self.server is not None
            file_id = f"F{len(self.uploads) + 1:04d}"
            self.uploads[file_id] = Upload(file_id, str(args.get("filename")), int(args.get("length", 0)))
            return {
                "ok": True,
                "file_id": file_id,
                "upload_url": str(self.server.make_url(f"/upload/{file_id}")),
            }
        if method == "files.completeUploadExternal":
            shared = []
            for f in json.loads(args.get("files") or "[]"):
                upload = self.uploads.get(str(f.get("id")))
                if upload is None or len(upload.data) != upload.length:
                    return {"ok": False, "error": "file_upload_not_found"}
                upload.title, upload.completed = f.get("title"), True
                upload.channel, upload.thread_ts = args.get("channel_id"), args.get("thread_ts")
                shared.append({"id": upload.file_id, "name": upload.filename, "title": upload.title})
            return {"ok": True, "files": shared}
        if method == "files.info":
            assert self.server is not None
            file_id = str(args.get("file"))
            if file_id not in self.shared:
                return {"ok": False, "error": "file_not_found"}
            name, data = self.shared[file_id]
            url = str(self.server.make_url(f"/files-pri/{file_id}/{name}"))
            if self.file_url_host:
                url = f"https://{self.file_url_host}/files-pri/{file_id}/{name}"
            return {
                "ok": True,
                "file": {
                    "id": file_id,
                    "name": name,
                    "size": len(data),
                    "url_private": url,
                    "url_private_download": url + "?download=1",
                },
            }
        if method == "users.info":
            user = str(args.get("user"))
            team = self.team_of(token)
            record = {"id": user, "team_id": team, "tz": self.zones.get(user), "is_bot": False}
            return {"ok": True, "user": {**record, **self.people.get(user, {})}}
        if method == "conversations.info":
            channel = str(args.get("channel"))
            if channel in self.missing or channel.startswith(("U", "W")):  # a user id is no channel
                return {"ok": False, "error": "channel_not_found"}
            room = {"id": channel, "is_channel": True, "is_shared": False, "is_ext_shared": False}
            return {"ok": True, "channel": {**room, **self.channels.get(channel, {})}}
        if method == "conversations.members":
            return {"ok": True, "members": self.rosters.get(str(args.get("channel")), ["U1", "UBOT"])}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", "")).split(",")[0]}}
        if method in ("views.open", "views.publish"):
            return {"ok": True, "view": {"id": "V1", **(args.get("view") or {})}}
        if method == "apps.connections.open":
            assert self.server is not None
            return {"ok": True, "url": str(self.server.make_url("/link")).replace("http", "ws", 1)}
        if method == "oauth.v2.access":
            return {
                "ok": True,
                "app_id": "A1",
                "authed_user": {"id": "U9"},
                "scope": "commands,chat:write",
                "token_type": "bot",
                "access_token": "xoxb-installed-T9",
                "bot_user_id": "UBOT9",
                "team": {"id": "T9", "name": "Nine"},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        return {"ok": True}

    async def _upload(self, request: web.Request) -> web.Response:
        upload = self.uploads.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404, text="no such upload")
        data = await request.read()
        self.calls.append(Call("upload", {"file_id": upload.file_id, "bytes": len(data)}, None))
        self.changed.set()
        if self.upload_status != 200:
            return web.Response(status=self.upload_status, text="upload failed")
        upload.data = data
        return web.Response(text=f"OK - {len(data)}")

    async def _file(self, request: web.Request) -> web.Response:
        """A shared file's bytes for the bot token; anyone else gets Slack's sign-in page."""
        file_id = request.match_info["file_id"]
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        self.calls.append(Call("file.download", {"file": file_id}, token or None))
        self.changed.set()
        if file_id not in self.shared:
            return web.Response(status=404, text="no such file")
        if not token.startswith("xoxb-"):
            return web.Response(text="<html>Sign in to Slack</html>", content_type="text/html")
        return web.Response(body=self.shared[file_id][1], content_type="application/octet-stream")

    async def _respond(self, request: web.Request) -> web.Response:
        self.responses.append(await request.json())
        self.changed.set()
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))

        async def pump() -> None:
            while True:
                await ws.send_str(json.dumps(await self.socket_outbox.get()))

        task = asyncio.ensure_future(pump())
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self.socket_inbox.put(json.loads(msg.data))
        finally:
            task.cancel()
        return ws


# --- signed requests ------------------------------------------------------------------
def signature(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed(body: bytes, content_type: str, *, now: float | None = None, **extra: str) -> dict[str, str]:
    ts = str(int(now if now is not None else time.time()))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature(body, ts),
        **extra,
    }


_trigger = itertools.count(1)


def command(
    text: str, *, team: str = "T1", user: str = "U1", channel: str = "C1", response_url: str = ""
) -> bytes:
    return urlencode(
        {
            "token": "legacy",
            "team_id": team,
            "team_domain": "x",
            "channel_id": channel,
            "channel_name": "deals",
            "user_id": user,
            "user_name": "ann",
            "command": "/coach",
            "text": text,
            "api_app_id": "A1",
            "response_url": response_url,
            "trigger_id": f"trig.{next(_trigger)}",
        }
    ).encode()


def event(inner: dict[str, Any], *, team: str = "T1", event_id: str = "Ev1") -> bytes:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": team,
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": inner,
            "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}],
        }
    ).encode()


def interaction(payload: dict[str, Any]) -> bytes:
    payload.setdefault("trigger_id", f"trig.{next(_trigger)}")
    return urlencode({"payload": json.dumps(payload)}).encode()
