"""Mount Slack on the one aiohttp server: /slack/events (+ OAuth routes), or Socket Mode."""

from __future__ import annotations

import contextlib
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.signature import SignatureVerifier

from adapters import inbox
from adapters.runtime import Runtime
from adapters.slack.app import build_bolt, web_client
from adapters.slack.installs import TtlInstallationStore
from adapters.slack.logs import slack_logger
from adapters.slack.settings import SlackSettings

log = slack_logger()
BOLT = web.AppKey("slack_bolt", AsyncApp)
SCOPES = [
    "app_mentions:read",
    "channels:history",
    "chat:write",
    "commands",
    "groups:history",
    "im:history",
    "im:write",
    "users:read",
]
MAX_BODY = 512 * 1024


def oauth_settings(rt: Runtime, settings: SlackSettings) -> AsyncOAuthSettings:
    store = AsyncSQLAlchemyInstallationStore(client_id=settings.client_id or "", engine=rt.engine, logger=log)
    return AsyncOAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.secret("client_secret"),
        scopes=SCOPES,
        install_path=settings.install_path,
        redirect_uri_path=settings.redirect_path,
        # Authorizing from memory keeps the ack fast even when the database is slow; entries
        # expire, so an uninstall handled by another process reaches this one too.
        installation_store=TtlInstallationStore(store),
        state_store=AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=rt.engine, logger=log),
        logger=log,
    )


def verified(secret: str, headers: Any, body: bytes) -> bool:
    """Slack's v0 signature over `v0:{timestamp}:{body}`, within 5 minutes. Anything odd is False."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not timestamp.isdigit() or not signature.startswith("v0="):
        return False
    try:
        return SignatureVerifier(secret).is_valid(body, timestamp, signature)
    except (ValueError, TypeError):
        return False


def events_handler(bolt: AsyncApp, secret: str):
    async def handle(request: web.Request) -> web.Response:
        body = await request.content.read(MAX_BODY + 1)
        if len(body) > MAX_BODY:
            return web.Response(status=413, text="too large")
        if not verified(secret, request.headers, body):
            log.warning("slack request rejected: bad or missing signature")
            return web.Response(status=401, text="invalid request")
        bolt_req = AsyncBoltRequest(
            body=body.decode("utf-8", "replace"), query=request.query_string, headers=dict(request.headers)
        )
        return await to_aiohttp_response(await bolt.async_dispatch(bolt_req))

    return handle


def oauth_handler(bolt: AsyncApp, callback: bool):
    async def handle(request: web.Request) -> web.Response:
        flow = bolt.oauth_flow
        assert flow is not None
        bolt_req = AsyncBoltRequest(body="", query=request.query_string, headers=dict(request.headers))
        resp = await (flow.handle_callback(bolt_req) if callback else flow.handle_installation(bolt_req))
        return await to_aiohttp_response(resp)

    return handle


async def mount(rt: Runtime, app: web.Application) -> None:
    settings: SlackSettings = rt.services.get("slack_settings") or SlackSettings()
    if rt.services.get("socket_mode"):
        if not settings.socket_configured():
            log.warning("socket mode asked for, but SLACK_APP_TOKEN / SLACK_BOT_TOKEN are not set")
            return
        inbox.attach(rt, app)
        await _mount_socket(rt, app, settings)
        return
    if not settings.http_configured():
        return  # Slack not configured: nothing to mount
    inbox.attach(rt, app)  # acknowledged turns go through the inbox (adapters/inbox.py)
    session = _shared_session(app)
    bolt = build_bolt(
        rt, settings, oauth_settings=oauth_settings(rt, settings) if settings.oauth else None, session=session
    )
    app[BOLT] = bolt
    app.router.add_post("/slack/events", events_handler(bolt, settings.secret("signing_secret")))
    if settings.oauth:
        app.router.add_get(settings.install_path, oauth_handler(bolt, callback=False))
        app.router.add_get(settings.redirect_path, oauth_handler(bolt, callback=True))
    log.info("slack mounted on /slack/events (%s)", "oauth" if settings.oauth else "single workspace")


def _shared_session(app: web.Application) -> aiohttp.ClientSession:
    """One pooled HTTP session for every Web API call of this process, closed with the server."""
    session = aiohttp.ClientSession()

    async def close(_: web.Application) -> None:
        await session.close()

    app.on_cleanup.append(close)
    return session


async def _mount_socket(rt: Runtime, app: web.Application, settings: SlackSettings) -> None:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    session = _shared_session(app)
    bolt = build_bolt(rt, settings, socket=True, session=session)
    app[BOLT] = bolt
    handler = AsyncSocketModeHandler(
        bolt,
        settings.secret("app_token"),
        logger=log,
        web_client=web_client(settings, settings.secret("bot_token"), session),
    )

    async def start(_: web.Application) -> None:
        await handler.connect_async()
        log.info("slack connected over socket mode")

    async def stop(_: web.Application) -> None:
        with contextlib.suppress(Exception):
            await handler.close_async()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
