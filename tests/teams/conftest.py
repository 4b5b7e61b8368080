"""Teams test rig: our real server, a loopback Bot Connector, and a loopback token issuer whose
OpenID metadata and JWKS the SDK's own JwtTokenValidator reads (only its key fetch is pointed here)."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from microsoft_agents.hosting.core.authorization.jwt import jwt_token_validator as sdk_jwt

from adapters.runtime import Runtime, Serving
from adapters.server import build_app
from adapters.teams.config import TeamsConfig
from adapters.teams.host import HOST, TeamsHost
from bot.settings import Settings
from bot.skills import Skills
from tests.teams.loopback import LoopbackJwks, token_provider_for

APP_ID = "00000000-aaaa-bbbb-cccc-000000000001"
TENANT_A = "11111111-1111-1111-1111-111111111111"
TENANT_B = "22222222-2222-2222-2222-222222222222"
BF_ISSUER = "https://api.botframework.com"
_ids = itertools.count(1)


@dataclass
class Connector:
    """Stands in for the Bot Connector: records what the bot sends, can fail on demand."""

    url: str = ""
    posts: list[dict[str, Any]] = field(default_factory=list)  # {"conversation", "reply_to", "activity"}
    puts: list[dict[str, Any]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)  # statuses to answer before succeeding
    attempts: int = 0
    tokens_issued: int = 0
    auth_headers: list[str] = field(default_factory=list)
    on_post: Any = None  # called after each recorded post (tests wait on it)
    latency: float = 0.0  # seconds between recording a post and answering it
    # The connector's member records (GET …/members/{id}): fields over the default (a member of
    # the conversation's tenant, userRole "user"), e.g. {"userRole": "guest"} or {"tenantId": …};
    # a field set to None is left out of the record.
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    # A group chat's or channel's member list (GET …/members): extra members over the speaker.
    rosters: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)  # member ids looked up, in order
    members_down: bool = False  # member lookups answer 503
    # Files people attached in Teams (name → bytes), served at their pre-authorised downloadUrl.
    files: dict[str, bytes] = field(default_factory=dict)
    downloads: list[str] = field(default_factory=list)
    absent: set[str] = field(default_factory=set)  # ids no member of any conversation (404)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [p["activity"] for p in self.posts if p["activity"].get("type") == "message"]


def connector_app(c: Connector) -> web.Application:
    async def post(request: web.Request) -> web.Response:
        c.attempts += 1
        c.auth_headers.append(request.headers.get("Authorization", ""))
        if c.fail_next:
            status = c.fail_next.pop(0)
            return web.json_response({"error": "busy"}, status=status, headers={"Retry-After": "0"})
        body = await request.json()
        c.posts.append(
            {
                "conversation": request.match_info["cid"],
                "reply_to": request.match_info.get("aid"),
                "activity": body,
            }
        )
        if c.on_post is not None:
            c.on_post()
        if c.latency:
            await asyncio.sleep(c.latency)
        return web.json_response({"id": f"sent-{next(_ids)}"}, status=201)

    async def put(request: web.Request) -> web.Response:
        c.attempts += 1
        if c.fail_next:
            status = c.fail_next.pop(0)
            return web.json_response({"error": "busy"}, status=status, headers={"Retry-After": "0"})
        body = await request.json()
        c.puts.append({"id": request.match_info["aid"], "activity": body})
        return web.json_response({"id": request.match_info["aid"]})

    async def token(request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("client_id") != APP_ID or form.get("client_secret") != "test-secret":
            return web.json_response({"error": "invalid_client"}, status=401)
        c.tokens_issued += 1
        return web.json_response(
            {"access_token": "outgoing-token", "expires_in": 3600, "token_type": "Bearer"}
        )

    def record(uid: str) -> dict[str, Any]:
        base = {"id": uid, "name": "Ann Buyer", "aadObjectId": f"aad-{uid}", "userRole": "user"}
        merged = {**base, **c.members.get(uid, {})}
        return {k: v for k, v in merged.items() if v is not None}  # None: a field Teams leaves out

    async def member(request: web.Request) -> web.Response:
        uid = request.match_info["uid"]
        c.lookups.append(uid)
        if c.members_down:
            return web.json_response({"error": "busy"}, status=503)
        if uid in c.absent:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)
        return web.json_response(record(uid))

    async def roster(request: web.Request) -> web.Response:
        if c.members_down:
            return web.json_response({"error": "busy"}, status=503)
        cid = request.match_info["cid"]
        return web.json_response([record("29:user-1"), *c.rosters.get(cid, [])])

    async def download(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        c.downloads.append(name)
        if name not in c.files:
            return web.json_response({"error": "itemNotFound"}, status=404)
        return web.Response(body=c.files[name], content_type="application/octet-stream")

    app = web.Application()
    app.router.add_get("/v3/conversations/{cid}/members/{uid}", member)
    app.router.add_get("/v3/conversations/{cid}/members", roster)
    app.router.add_get("/files/{name}", download)
    app.router.add_post("/v3/conversations/{cid}/activities", post)
    app.router.add_post("/v3/conversations/{cid}/activities/{aid}", post)
    app.router.add_put("/v3/conversations/{cid}/activities/{aid}", put)
    app.router.add_post("/oauth2/v2.0/token", token)
    return app


@dataclass
class Issuer:
    """A test token issuer: RS256 key, OpenID metadata and JWKS on loopback."""

    key: Any
    kid: str = "test-key-1"
    base: str = ""

    def token(self, *, aud: str = APP_ID, exp_in: int = 3600, service_url: str = "", **claims: Any) -> str:
        now = int(time.time())
        payload = {"iss": BF_ISSUER, "aud": aud, "iat": now - 10, "nbf": now - 10, "exp": now + exp_in}
        if service_url:
            payload["serviceurl"] = service_url
        payload.update(claims)
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": self.kid})


def _issuer_app(issuer: Issuer) -> web.Application:
    pub = jwt.algorithms.RSAAlgorithm.to_jwk(issuer.key.public_key(), as_dict=True)
    pub.update({"kid": issuer.kid, "use": "sig", "alg": "RS256"})

    async def metadata(request: web.Request) -> web.Response:
        return web.json_response({"issuer": BF_ISSUER, "jwks_uri": f"{issuer.base}/keys"})

    async def keys(request: web.Request) -> web.Response:
        return web.json_response({"keys": [pub]})

    app = web.Application()
    app.router.add_get("/.well-known/openid-configuration", metadata)
    app.router.add_get("/keys", keys)
    return app


@pytest.fixture(scope="session")
def rsa_key() -> Any:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
async def issuer(rsa_key: Any, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Issuer]:
    iss = Issuer(rsa_key)
    server = TestServer(_issuer_app(iss), host="127.0.0.1")
    await server.start_server()
    iss.base = str(server.make_url("")).rstrip("/")
    monkeypatch.setattr(
        sdk_jwt.JwtTokenValidator,
        "_jwk_client_manager",
        LoopbackJwks(f"{iss.base}/.well-known/openid-configuration"),
    )
    yield iss
    await server.close()


@pytest.fixture
async def connector() -> AsyncIterator[Connector]:
    c = Connector()
    # no access log: it is the stand-in for Microsoft's service (its log lines are not ours)
    server = TestServer(connector_app(c), host="127.0.0.1")
    await server.start_server(access_log=None)
    c.url = str(server.make_url("")).rstrip("/") + "/"
    yield c
    await server.close()


def token_url(connector: Connector) -> str:
    return connector.url + "oauth2/v2.0/token"


def teams_config(connector: Connector, **overrides: Any) -> TeamsConfig:
    env = {
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": APP_ID,
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET": "test-secret",
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID": TENANT_A,
        "COACH_TEAMS_ALLOW_LOOPBACK_SERVICE_URL": "1",
        "COACH_TEAMS_ALLOWED_TENANTS": f"{TENANT_A},{TENANT_B}",
    }
    config = TeamsConfig.from_env(env)
    config.token_provider_factory = token_provider_for(token_url(connector))
    config.retry_base = 0.01
    for k, v in overrides.items():
        setattr(config, k, v)
    return config


@dataclass
class Bot:
    """Our running server; `post` sends an activity with a valid token unless told otherwise."""

    rt: Runtime
    server: TestServer
    issuer: Issuer
    connector: Connector
    session: aiohttp.ClientSession

    @property
    def host(self) -> TeamsHost:
        """What the Teams mount built (adapters/teams/host.py)."""
        return self.server.app[HOST]

    @property
    def url(self) -> str:
        return str(self.server.make_url("/api/messages"))

    async def post(self, activity: dict[str, Any], *, token: str | None = "valid") -> tuple[int, Any]:
        headers = {}
        if token == "valid":
            token = self.issuer.token(service_url=activity.get("serviceUrl", ""))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        async with self.session.post(self.url, json=activity, headers=headers) as r:
            text = await r.text()
            try:
                return r.status, json.loads(text) if text else None
            except ValueError:
                return r.status, text


async def start_bot(
    db_url: str,
    issuer: Issuer,
    connector: Connector,
    *,
    clock: Any = None,
    skills: Skills | None = None,
    **overrides: Any,
) -> Bot:
    extra = {"clock": clock} if clock is not None else {}
    serving = Serving(teams_config=teams_config(connector, **overrides))
    rt = await Runtime.start(
        Settings(COACH_DATABASE_URL=db_url), migrate=False, skills=skills, serving=serving, **extra
    )
    app = await build_app(rt)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return Bot(rt, server, issuer, connector, aiohttp.ClientSession())


async def stop_bot(bot: Bot) -> None:
    await bot.session.close()
    await bot.server.close()
    await bot.rt.close()


@pytest.fixture
async def bot(sqlite_url: str, issuer: Issuer, connector: Connector, skills: Skills) -> AsyncIterator[Bot]:
    b = await start_bot(sqlite_url, issuer, connector, skills=skills)
    yield b
    await stop_bot(b)


def message(
    connector: Connector,
    text: str,
    *,
    tenant: str = TENANT_A,
    conversation: str = "a:personal-1",
    kind: str = "personal",
    value: dict | None = None,
    mention: bool = False,
    activity_id: str | None = None,
) -> dict[str, Any]:
    act: dict[str, Any] = {
        "type": "message",
        "id": activity_id or f"act-{next(_ids)}",
        "timestamp": "2026-11-23T09:00:00.000Z",
        "serviceUrl": connector.url,
        "channelId": "msteams",
        "from": {"id": "29:user-1", "name": "Ann Buyer", "aadObjectId": "aad-user-1"},
        "conversation": {"id": conversation, "conversationType": kind, "tenantId": tenant},
        "recipient": {"id": f"28:{APP_ID}", "name": "Deal Coach"},
        "text": text,
        "textFormat": "plain",
        "locale": "en-US",
        "channelData": {"tenant": {"id": tenant}},
    }
    if mention:
        act["text"] = f"<at>Deal Coach</at> {text}"
        act["entities"] = [
            {
                "type": "mention",
                "text": "<at>Deal Coach</at>",
                "mentioned": {"id": f"28:{APP_ID}", "name": "Deal Coach"},
            }
        ]
    if value is not None:
        act["value"] = value
        act["text"] = ""
    return act


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    (att,) = activity["attachments"]
    assert att["contentType"] == "application/vnd.microsoft.card.adaptive"
    return att["content"]


def card_text(card: dict[str, Any]) -> str:
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                out.append(str(node.get("text", "")))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(card.get("body", []))
    return "\n".join(out)
