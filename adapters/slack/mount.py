"""Mount Slack on the one aiohttp server: /slack/events (+ OAuth routes), or Socket Mode."""

from __future__ import annotations

import contextlib

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore

from adapters import inbox
from adapters.access_log import tag
from adapters.runtime import Runtime
from adapters.slack import edge
from adapters.slack.app import SlackCoach, build_bolt, web_client
from adapters.slack.installs import TtlInstallationStore
from adapters.slack.logs import event_ref, slack_logger
from adapters.slack.settings import SlackSettings

log = slack_logger()
BOLT = web.AppKey("slack_bolt", AsyncApp)
# What the mount built, for the reminder worker (adapters/slack/reminders.py) and the tests.
SLACK = web.AppKey("slack_coach", SlackCoach)
SCOPES = [
    "app_mentions:read",
    "channels:history",
    # conversations.info: is a channel shared with another organisation? (adapters/slack/outsiders.py)
    "channels:read",
    "chat:write",
    "commands",
    "files:write",  # the deal brief's PDF, posted beside the answer (adapters/slack/files.py)
    "files:read",  # Microsoft's quote shared with the coach, read (adapters/slack/files_in.py)
    "groups:history",
    "groups:read",
    "im:history",
    "im:read",
    "im:write",  # conversations.open: a private answer's file goes to the person's DM
    "mpim:read",
    "users:read",  # users.info: guests, other organisations' people, bots; the time zone
]


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


def events_handler(bolt: AsyncApp, secret: str):
    async def handle(request: web.Request) -> web.Response:
        body = await edge.read_body(request)
        if isinstance(body, edge.Refusal):
            log.warning("slack request refused: %s", body.reason)
            return body.response()
        if not edge.signed(secret, request.headers, body):
            log.warning("slack request rejected: bad or missing signature")
            return web.Response(status=401, text="invalid request")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            log.warning("slack request refused: signed, but the body is not UTF-8")
            return web.Response(status=400, text="bad request")
        content_type = request.headers.get("Content-Type", "").split(";")[0] or None
        parsed = edge.parse(text, content_type)
        if isinstance(parsed, edge.Refusal):
            log.warning("slack request refused: %s", parsed.reason)
            return parsed.response()
        # Named in the access log only once the edge has checked the body's shape and depth.
        retry = request.headers.get("X-Slack-Retry-Num")
        tag(request, surface="slack", event_id=event_ref(body, request.content_type), retry=retry)
        bolt_req = AsyncBoltRequest(
            body=edge.bolt_text(text, content_type),
            query=request.query_string,
            headers=dict(request.headers),
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


async def mount(rt: Runtime, app: web.Application) -> SlackCoach | None:
    """Slack's routes (or its socket), its listeners and its inbox rows; the SlackCoach built
    (also `app[SLACK]`), or None when Slack is not configured."""
    settings: SlackSettings = rt.surfaces.slack_settings or SlackSettings()
    if rt.surfaces.socket_mode:
        if not settings.socket_configured():
            log.warning("socket mode asked for, but SLACK_APP_TOKEN / SLACK_BOT_TOKEN are not set")
            return None
        return await _mount_socket(rt, app, settings, inbox.of(rt, app))
    if not settings.http_configured():
        return None  # Slack not configured: nothing to mount
    the_inbox = inbox.of(rt, app)  # acknowledged turns: adapters/inbox.py
    session = _shared_session(app)
    bolt, coach = build_bolt(
        rt,
        settings,
        oauth_settings=oauth_settings(rt, settings) if settings.oauth else None,
        session=session,
        inbox=the_inbox,
    )
    _answer_from(the_inbox, coach)
    app[BOLT] = bolt
    app[SLACK] = coach
    app.router.add_post("/slack/events", events_handler(bolt, settings.secret("signing_secret")))
    if settings.oauth:
        app.router.add_get(settings.install_path, oauth_handler(bolt, callback=False))
        app.router.add_get(settings.redirect_path, oauth_handler(bolt, callback=True))
    log.info("slack mounted on /slack/events (%s)", "oauth" if settings.oauth else "single workspace")
    return coach


def _answer_from(the_inbox: inbox.Inbox, coach: SlackCoach) -> None:
    """The inbox worker answers Slack's rows through this coach."""

    async def answer(_: Runtime, item: inbox.Item) -> None:
        await coach.answer(item)

    the_inbox.processors["slack"] = answer


def _shared_session(app: web.Application) -> aiohttp.ClientSession:
    """One pooled HTTP session for every Web API call of this process, closed with the server."""
    session = aiohttp.ClientSession()

    async def close(_: web.Application) -> None:
        await session.close()

    app.on_cleanup.append(close)
    return session


async def _mount_socket(
    rt: Runtime, app: web.Application, settings: SlackSettings, the_inbox: inbox.Inbox
) -> SlackCoach:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    session = _shared_session(app)
    bolt, coach = build_bolt(rt, settings, socket=True, session=session, inbox=the_inbox)
    _answer_from(the_inbox, coach)
    app[BOLT] = bolt
    app[SLACK] = coach
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
    return coach
