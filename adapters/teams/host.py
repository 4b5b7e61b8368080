"""POST /api/messages on the shared aiohttp server, via the Agents SDK's CloudAdapter, and the
proactive send used by reminders."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from microsoft_agents.activity import Activity, ConversationReference
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_decorator
from microsoft_agents.hosting.core import AgentAuthConfiguration, TurnContext

from adapters import inbox
from adapters.access_log import safe_id, tag
from adapters.runtime import Runtime
from adapters.teams import edge, logs, payloads
from adapters.teams.agent import CoachAgent
from adapters.teams.config import TeamsConfig
from adapters.teams.outsiders import is_personal
from adapters.teams.refs import References
from adapters.teams.retry import with_retry
from adapters.teams.security import service_url_allowed, tenant_allowed, tenant_of
from bot import outsiders
from bot.reply import Reply

log = logging.getLogger("coach.teams")

ROUTE = "/api/messages"
CHECKED = "coach.teams.activity"


class TeamsHost:
    def __init__(self, rt: Runtime, config: TeamsConfig, inbox: inbox.Inbox | None = None) -> None:
        self.rt = rt
        self.config = config
        self.refs = References(rt.sessions)
        self.connections = self._connections()
        self.adapter = CloudAdapter(connection_manager=self.connections)
        self.adapter.on_turn_error = self._on_turn_error
        self.agent = CoachAgent(rt, config, self.refs, inbox, adapter=self.adapter)

    def _connections(self) -> Any:
        factory = self.config.token_provider_factory
        sdk = self.config.sdk
        if not self.config.configured:  # anonymous local development: no outgoing token
            sdk = {**sdk, "CONNECTIONS": {"SERVICE_CONNECTION": {"SETTINGS": {"ANONYMOUS_ALLOWED": True}}}}
        if factory is None:
            from microsoft_agents.authentication.msal import MsalConnectionManager

            return MsalConnectionManager(**sdk)
        from microsoft_agents.hosting.core.authorization import ConnectionManager

        return ConnectionManager(provider_factory=factory, **sdk)

    def auth_configuration(self) -> AgentAuthConfiguration:
        if self.config.configured:
            auth = self.connections.get_default_connection_configuration()
            auth.ANONYMOUS_ALLOWED = False  # a real registration never accepts anonymous calls
            # The SDK checks the issuer only when asked to. Its default list is what we want:
            # Bot Framework's issuer and the configured tenant's Entra issuers (v1 and v2), plus
            # Microsoft's own first-party tenants; an Entra token's `tid` must match its issuer.
            auth.VALIDATE_ISSUER = True
            return auth
        return AgentAuthConfiguration(anonymous_allowed=True)

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        # The SDK's default echoes the exception into the chat; never do that.
        log.error("teams turn failed: %s", type(error).__name__)

    # --- the route -------------------------------------------------------------------
    async def precheck(self, request: web.Request) -> web.Response | None:
        """Size, depth, required fields and identifiers (adapters/teams/edge.py), then the
        schema, serviceUrl and tenant, before any turn runs or any call goes out."""
        try:
            body = edge.parse_body(await request.read())
            logs.remember_request(body)
            edge.check_fields(body)
            payloads.check_channel_data(body.get("channelData"))
        except edge.Refused as refused:
            return web.json_response({"error": refused.reason}, status=refused.status)
        except payloads.Unfit as unfit:
            log.info("teams activity of an unexpected shape refused: %s (%s)", unfit.kind, unfit.where)
            return web.json_response({"error": "not a valid activity"}, status=400)
        try:
            activity = Activity.model_validate(body)
        except Exception:  # the SDK's own checks (ValidationError, or a bare Exception of its own)
            return web.json_response({"error": "not a valid activity"}, status=400)
        tag(request, surface="teams", event_id=safe_id(activity.id))
        if not service_url_allowed(
            activity.service_url,
            allow_loopback=self.config.allow_loopback,
            extra_hosts=self.config.extra_hosts,
        ):
            log.warning("rejected an activity: serviceUrl not on the allow-list")
            return web.json_response({"error": "serviceUrl not allowed"}, status=403)
        tenant = tenant_of(activity)
        if tenant is None and self.config.anonymous and not self.config.configured:
            return None  # the Bot Framework Emulator sends no tenant
        if not tenant_allowed(tenant, self.config.allowed_tenants):
            log.warning("rejected an activity: tenant not allowed")
            return web.json_response({"error": "tenant not allowed"}, status=403)
        return None

    async def messages(self, request: web.Request) -> web.StreamResponse:
        problem = await self.precheck(request)
        if problem is not None:
            return problem
        return await self.adapter.process(request, self.agent)

    # --- proactive ---------------------------------------------------------------------
    async def send_proactive(
        self,
        tenant: str,
        conversation: str,
        reply: Reply,
        *,
        before_post: Callable[[], Awaitable[None]] | None = None,
    ) -> bool:
        """Send `reply` into a conversation we have a stored reference for. False if we can't.
        A failed post raises. `before_post` runs right before the first connector call (the
        reminder worker records "posting" there; it raises to stop the post)."""
        tenant = tenant.lower()
        ref = await self.refs.load(tenant, conversation)
        if ref is None or not tenant_allowed(tenant, self.config.allowed_tenants):
            return False
        reference = ConversationReference.model_validate(ref)
        if not service_url_allowed(
            reference.service_url,
            allow_loopback=self.config.allow_loopback,
            extra_hosts=self.config.extra_hosts,
        ):
            log.warning("proactive send refused: stored serviceUrl not on the allow-list")
            return False
        activity = self.agent._activity(reply)
        failed: list[Exception] = []

        async def callback(context: TurnContext) -> None:
            try:
                if before_post is not None:
                    await before_post()
                out = activity
                if not is_personal(context.activity) and await self.agent.gate.external_room(
                    context, tenant, conversation
                ):  # outsiders joined since: a line that names nothing (docs/security.md, "Outsiders")
                    log.info("proactive message withheld: the conversation includes outsiders")
                    withheld = Reply(headline=self.rt.kb.say(outsiders.REMINDER_WITHHELD), intent="outsider")
                    out = self.agent._activity(withheld)
                await with_retry(
                    lambda: context.send_activity(out),
                    attempts=self.config.retry_attempts,
                    base=self.config.retry_base,
                    per_call=self.config.call_timeout,
                )
            except Exception as exc:
                failed.append(exc)
                raise

        continuation = reference.get_continuation_activity()
        continuation.id = None  # the SDK's random id would make this a reply to nothing: post new
        await self.adapter.continue_conversation(self.config.app_id, continuation, callback)
        if failed:  # the SDK hands callback errors to on_turn_error, which only logs: re-raise
            raise failed[0]
        return True


# What the mount built, for the reminder worker (adapters/teams/reminders.py) and the tests.
HOST = web.AppKey("teams_host", TeamsHost)


def create(rt: Runtime, config: TeamsConfig, inbox: inbox.Inbox | None = None) -> TeamsHost:
    return TeamsHost(rt, config, inbox)


async def mount(rt: Runtime, app: web.Application) -> TeamsHost | None:
    """/api/messages and the inbox's Teams rows; the host built (also `app[HOST]`), or None
    when Teams is not configured (/api/messages then answers 401)."""
    config = rt.surfaces.teams_config or TeamsConfig.from_env()
    if not config.configured and not config.anonymous:
        log.info(
            "Teams is not configured (no CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID): "
            "/api/messages answers 401"
        )

        async def closed(request: web.Request) -> web.Response:
            return web.json_response({"error": "Teams is not configured"}, status=401)

        app.router.add_post(ROUTE, closed)
        return None
    if config.anonymous and not config.configured:
        log.warning("!" * 70)
        log.warning("TEAMS ANONYMOUS MODE (COACH_TEAMS_ANONYMOUS_DEV): /api/messages accepts UNAUTHENTICATED")
        log.warning("requests. Local development with the Emulator only; never in production.")
        log.warning("!" * 70)
    elif config.anonymous:
        log.warning("COACH_TEAMS_ANONYMOUS_DEV ignored: an app registration is configured, JWT enforced")
    if not config.allowed_tenants:
        log.warning("COACH_TEAMS_ALLOWED_TENANTS is empty: any Teams tenant may use this bot")
    if config.configured and config.tenant_id.lower() in ("", "common", "organizations"):
        log.warning(
            "no CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID: Entra-issued tokens of any tenant "
            "are accepted (Bot Framework's issuer always is); set it for a single-tenant bot"
        )
    if config.allow_loopback:
        log.warning("COACH_TEAMS_ALLOW_LOOPBACK_SERVICE_URL on: loopback serviceUrls accepted (tests)")
    if config.token_provider_factory is not None:
        log.warning("outgoing Teams tokens from a stand-in provider, not MSAL (tests)")
    logs.install()
    # Background turns (answered 202 before they end) are kept in the inbox; at shutdown it
    # drains them for COACH_DRAIN_SECONDS and hands the rest to the next start.
    the_inbox = inbox.of(rt, app)
    host = create(rt, config, the_inbox)

    async def answer(_: Runtime, item: inbox.Item) -> None:
        await host.agent.answer_from_inbox(item)

    the_inbox.processors["teams"] = answer
    app[HOST] = host
    with warnings.catch_warnings():  # the SDK's JWT check reads this plain string key
        warnings.simplefilter("ignore")
        app["agent_configuration"] = host.auth_configuration()
    authorized = jwt_authorization_decorator(host.messages)

    async def route(request: web.Request) -> web.StreamResponse:
        # A token the SDK's validator would crash on (no `kid`: a KeyError, a 500) is a 401 here.
        try:
            edge.check_token(request.headers.get("Authorization"))
        except edge.Refused as refused:
            return web.json_response({"error": refused.reason}, status=refused.status)
        return await authorized(request)

    app.router.add_post(ROUTE, route)
    return host
