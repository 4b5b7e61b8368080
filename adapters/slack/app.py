"""The Bolt AsyncApp: every Slack surface turned into coach turns, replies into Block Kit.

Listeners only persist the turn, then ack: Bolt runs them before it answers Slack
(process_before_response), and each one writes its turn and where to answer into the inbox
(adapters/inbox.py) with one insert. An inbox worker then runs the turn (`answer`); a turn
slower than `placeholder_after` seconds gets a placeholder message that is updated in place
when the answer is ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import hashlib
import re
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters import inbox
from adapters.runtime import Runtime
from adapters.slack import blocks, files, files_in, home, modals, payloads
from adapters.slack.installs import Revocations
from adapters.slack.logs import slack_logger
from adapters.slack.outsiders import Gate, Verdict, home_of_tenant, is_dm, notice_home, notice_modal
from adapters.slack.settings import SlackSettings
from bot import outsiders
from bot.reply import Reply
from bot.turn import Turn

log = slack_logger()
LEADING_MENTIONS = re.compile(r"^\s*(?:<@[A-Z0-9]+(?:\|[^>]*)?>[\s,:]*)+")


def addressed_text(text: str, bot_user_id: str | None) -> str:
    """A mention's message without the mention that addressed the coach (the leading one, and
    the bot's own anywhere); other people mentioned stay, as `<@U123>`, so `share this deal
    with @jane` reaches the core with Jane's user id."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", "", text)
    return LEADING_MENTIONS.sub("", text).strip()


PLACEHOLDER = "Working on it…"
# `/coach favor` etc. open a modal instead of running a turn.
MODAL_WORDS = {
    "new deal": "new_deal",
    "deal new": "new_deal",
    "log favor": "favor",
    "favor": "favor",
    "log commitment": "commitment",
    "commitment": "commitment",
    "log meeting": "meeting",
    "meeting": "meeting",
}
SHORTCUT = payloads.SHORTCUT


def web_client(
    settings: SlackSettings, token: str | None = None, session: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    """Given a session, every call (and Bolt's per-request copies of this client) reuses its
    pooled connections instead of opening a new session and TCP connection per call."""
    client = AsyncWebClient(token=token, base_url=settings.base_url, logger=log, session=session)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=3))
    return client


def tenant_of(context: AsyncBoltContext, body: dict[str, Any]) -> str:
    """Deals belong to the Enterprise Grid org when there is one, else to the workspace."""
    enterprise = (
        context.enterprise_id or (body.get("enterprise") or {}).get("id") or body.get("enterprise_id")
    )
    team = context.team_id or (body.get("team") or {}).get("id") or body.get("team_id")
    tenant = enterprise or team
    if not tenant:
        raise ValueError("a Slack request without a team")
    return str(tenant)


def stable_id(prefix: str, *parts: object) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:40]
    return f"{prefix}:{digest}"


class SlackCoach:
    """The listeners; holds the runtime and the settings."""

    def __init__(
        self,
        rt: Runtime,
        settings: SlackSettings,
        *,
        client: AsyncWebClient | None = None,
        installs: Any = None,
        session: aiohttp.ClientSession | None = None,
        inbox: inbox.Inbox | None = None,
    ) -> None:
        self.rt = rt
        self.settings = settings
        self.inbox = inbox  # where acknowledged turns are kept until answered (adapters/inbox.py)
        self.client = client  # single workspace: the bot token's client
        self.installs = installs  # OAuth: the installation store, for a workspace's bot token
        self.session = session
        self.roles = modals.role_options(rt.kb)
        # Slack user → IANA time zone, from users.info; a cache of Slack's own data, so a
        # restart only costs one lookup per person.
        self._zones: dict[tuple[str, str], tuple[float, str | None]] = {}
        # Outsiders are refused at the listener, before the inbox (adapters/slack/outsiders.py).
        self.gate = Gate()

    def refusal(self, verdict: Verdict) -> str:
        """The one line an outsider gets; it names nothing (docs/security.md, "Outsiders")."""
        log.info("refused an outsider on slack (%s)", verdict.why)
        return self.rt.kb.say(outsiders.UNCHECKED if verdict.unchecked else outsiders.REFUSED)

    async def refuse(
        self,
        client: AsyncWebClient,
        verdict: Verdict,
        channel: str | None,
        user: str,
        thread_ts: str | None = None,
    ) -> None:
        """Say the line to that person alone (an ephemeral message); bots and apps get nothing."""
        line = self.refusal(verdict)
        if verdict.silent or not channel or not user:
            return
        try:
            await client.chat_postEphemeral(channel=channel, user=user, text=line, thread_ts=thread_ts)
        except Exception as exc:  # refused either way; nothing was stored
            log.info("could not tell an outsider (%s)", type(exc).__name__)

    async def user_timezone(self, client: AsyncWebClient, tenant: str, user: str) -> str | None:
        key = (tenant, user)
        hit = self._zones.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        tz: str | None = None
        try:
            resp = await asyncio.wait_for(client.users_info(user=user), timeout=2)
            tz = (resp.get("user") or {}).get("tz") or None
        except Exception as exc:  # the coach's own default time zone then applies
            log.info("users.info unavailable (%s); using the default time zone", type(exc).__name__)
        if len(self._zones) > 50_000:
            self._zones.clear()
        self._zones[key] = (time.monotonic() + 3600, tz)
        return tz

    def now(self) -> datetime:
        return self.rt.coach.clock().astimezone(UTC)

    # --- the inbox: persist (inside the ack), then answer from a worker ------------------
    async def accept(
        self,
        context: AsyncBoltContext,
        turn: Turn,
        channel: str,
        *,
        thread_ts: str | None = None,
        ephemeral_user: str | None = None,
        response_url: str | None = None,
        message_ts: str | None = None,
    ) -> None:
        """One insert into the inbox; the listener acks after this returns. `message_ts`: the
        message that asked, under which a reply that wants a thread (`Reply.in_thread`) opens one."""
        reply_to = {
            "channel": channel,
            "thread_ts": thread_ts,
            "message_ts": message_ts,
            "ephemeral_user": ephemeral_user,
            "response_url": response_url,
            "team_id": context.team_id,
            "enterprise_id": context.enterprise_id,
            "enterprise_install": bool(context.is_enterprise_install),
        }
        payload = {"turn": inbox.turn_to_json(turn), "reply_to": reply_to}
        assert self.inbox is not None  # given when Slack mounted
        await self.inbox.accept("slack", turn.tenant, turn.event_id, payload)

    async def answer(self, item: inbox.Item) -> None:
        """Run an inbox row's turn and deliver its reply (inbox worker)."""
        turn = inbox.turn_from_json(item.payload["turn"])
        to = item.payload["reply_to"]
        client = await self.client_for(to)
        turn = await files_in.with_offer(self.rt, client, turn, self.settings.base_url, self.session)
        respond = AsyncRespond(response_url=to["response_url"]) if to.get("response_url") else None
        await self.run(
            client,
            turn,
            to["channel"],
            thread_ts=to.get("thread_ts"),
            ephemeral_user=to.get("ephemeral_user"),
            respond=respond,
            message_ts=to.get("message_ts"),
        )

    async def client_for(self, to: dict[str, Any]) -> AsyncWebClient:
        """The bot token's client; with OAuth, the workspace's bot from the installation store
        (tokens are never written into the inbox)."""
        if self.installs is None:
            assert self.client is not None
            return self.client
        bot = await self.installs.async_find_bot(
            enterprise_id=to.get("enterprise_id"),
            team_id=to.get("team_id"),
            is_enterprise_install=to.get("enterprise_install", False),
        )
        if bot is None or not bot.bot_token:
            raise LookupError("no Slack installation for this workspace")
        return web_client(self.settings, bot.bot_token, self.session)

    # --- delivering a turn ---------------------------------------------------------
    async def run(
        self,
        client: AsyncWebClient,
        turn: Turn,
        channel: str,
        *,
        thread_ts: str | None = None,
        ephemeral_user: str | None = None,
        respond: Any = None,
        message_ts: str | None = None,
    ) -> Reply | None:
        if turn.timezone is None and turn.user:
            tz = await self.user_timezone(client, turn.tenant, turn.user)
            turn = dataclasses.replace(turn, timezone=tz)
        if not turn.audience_external and not is_dm(turn.conversation):
            # Vouched here, in the worker, not inside Slack's ack: it may list the members.
            private = await self.gate.private_room(client, home_of_tenant(turn.tenant), turn.conversation)
            turn = dataclasses.replace(turn, private_channel=private)
        task = asyncio.ensure_future(self.rt.handle(turn))
        placeholder: str | None = None
        if ephemeral_user is None:
            done, _ = await asyncio.wait({task}, timeout=self.settings.placeholder_after)
            if not done:
                placeholder = await self._post(client, channel, thread_ts, PLACEHOLDER, None, respond)
        reply = await task
        if reply is None:  # this event was already handled (a retry or a second process)
            if placeholder:
                await client.chat_delete(channel=channel, ts=placeholder)
            return None
        text, rendered = blocks.fallback_text(reply), blocks.render(reply)
        if reply.private and placeholder:  # outsiders can read this conversation: not there
            await client.chat_delete(channel=channel, ts=placeholder)
            placeholder = None
        if reply.in_thread and thread_ts is None and message_ts and placeholder is None:
            thread_ts = message_ts  # a rehearsal runs in a thread under the message that started it
        if ephemeral_user is not None or ((reply.ephemeral or reply.private) and turn.user):
            await self._post_ephemeral(
                client, channel, ephemeral_user or turn.user, thread_ts, text, rendered, respond
            )
        elif placeholder:
            await client.chat_update(channel=channel, ts=placeholder, text=text, blocks=rendered)
        else:
            await self._post(client, channel, thread_ts, text, rendered, respond)
        if reply.attachments and reply.private and turn.user:
            await self._files_by_dm(client, reply, turn.user)
        elif reply.attachments and ephemeral_user is None and not reply.ephemeral:
            await files.post_files(client, reply, channel, thread_ts)  # after the answer is out
        return reply

    async def _files_by_dm(self, client: AsyncWebClient, reply: Reply, user: str) -> None:
        """A private answer's files go to the person's DM with the coach, never the channel."""
        try:
            opened = await client.conversations_open(users=user)
            dm = str((opened.get("channel") or {})["id"])
        except Exception as exc:
            log.warning("could not open a DM for a file (%s)", type(exc).__name__)
            return
        await files.post_files(client, reply, dm, None)

    async def _post_ephemeral(
        self,
        client: AsyncWebClient,
        channel: str,
        user: str,
        thread_ts: str | None,
        text: str,
        rendered: list[dict] | None,
        respond: Any,
    ) -> None:
        try:
            await client.chat_postEphemeral(
                channel=channel, user=user, text=text, blocks=rendered, thread_ts=thread_ts
            )
        except SlackApiError as exc:
            # A slash command in a channel the bot isn't in (often a Slack Connect channel):
            # the command's response_url answers the sender alone.
            if respond is None or exc.response.get("error") not in ("not_in_channel", "channel_not_found"):
                raise
            await respond(text=text, blocks=rendered, response_type="ephemeral")

    async def _post(
        self,
        client: AsyncWebClient,
        channel: str,
        thread_ts: str | None,
        text: str,
        rendered: list[dict] | None,
        respond: Any,
    ) -> str | None:
        try:
            resp = await client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=text, blocks=rendered
            )
            return str(resp["ts"])
        except SlackApiError as exc:
            # A slash command in a channel the bot isn't in: answer through the response_url.
            if respond is None or exc.response.get("error") not in ("not_in_channel", "channel_not_found"):
                raise
            await respond(text=text, blocks=rendered, response_type="in_channel")
            return None

    def turn(
        self, context: AsyncBoltContext, body: dict[str, Any], verdict: Verdict | None = None, **kw: Any
    ) -> Turn:
        """A turn from a person `Gate.check` let in: whether outsiders can read the conversation,
        and whether they administer the workspace, come from its verdict."""
        if verdict is not None:
            kw.update(audience_external=verdict.external, is_admin=verdict.admin)
        return Turn(platform="slack", tenant=tenant_of(context, body), received_at=self.now(), **kw)

    # --- surfaces --------------------------------------------------------------------
    async def on_command(self, ack, body, context, client, respond) -> None:
        cmd: payloads.SlashCommand = context["shape"]
        verdict = await self.gate.check(client, context, body, cmd.user_id, cmd.channel_id)
        if verdict.outsider:  # the line comes back in the ack: only the sender sees it
            line = self.refusal(verdict)
            await (ack() if verdict.silent else ack(text=line))
            return
        text = cmd.text.strip()
        kind = MODAL_WORDS.get(text.casefold())
        if kind:
            await ack()
            view = modals.view(kind, cmd.channel_id, roles=self.roles)
            await client.views_open(trigger_id=cmd.trigger_id, view=view)
            return
        turn = self.turn(
            context,
            body,
            conversation=cmd.channel_id,
            user=cmd.user_id,
            user_name=cmd.user_name,
            text=text or "help",
            event_id=stable_id("cmd", cmd.trigger_id),
            verdict=verdict,
        )
        await self.accept(
            context,
            turn,
            cmd.channel_id,
            response_url=cmd.response_url or None,
            ephemeral_user=cmd.user_id if verdict.external else None,
        )
        await ack()

    async def on_mention(self, body, context, client) -> None:
        shape: payloads.EventCallback = context["shape"]
        event = shape.event
        assert isinstance(event, payloads.MentionEvent)
        user, channel = event.user or "", event.channel
        thread_ts = event.thread_ts or event.ts
        verdict = await self.gate.check(client, context, body, user, channel)
        if verdict.outsider:
            await self.refuse(client, verdict, channel, user, thread_ts)
            return
        text = addressed_text(event.text or "", getattr(context, "bot_user_id", None))
        files = {"files": event.file_list()}
        turn = self.turn(
            context,
            body,
            conversation=channel,
            user=user,
            text=text or ("" if files_in.shares_a_file(files) else "help"),
            event_id=shape.event_id,
            verdict=verdict,
            # a quote shared with the mention is read in the worker; the thread is where a
            # rehearsal lives
            extra={**files_in.shared(files), **({"thread": thread_ts} if thread_ts else {})},
        )
        await self.accept(
            context, turn, channel, thread_ts=thread_ts, ephemeral_user=user if verdict.external else None
        )

    async def on_message(self, body, context, client) -> None:
        shape: payloads.EventCallback = context["shape"]
        event = shape.event
        assert isinstance(event, payloads.MessageEvent)
        files = {"files": event.file_list()}
        mine = bool(context.bot_user_id) and event.user == context.bot_user_id  # our own files
        shares = event.subtype == "file_share" and not mine and files_in.shares_a_file(files)
        if event.channel_type != "im" or (event.subtype and not shares) or event.bot_id:
            return  # edits, joins and bot messages are not questions; a shared file is read
        user, channel = event.user or "", event.channel
        verdict = await self.gate.check(client, context, body, user, channel)
        if verdict.outsider:
            await self.refuse(client, verdict, channel, user, event.thread_ts)
            return
        thread = event.thread_ts or event.ts
        turn = self.turn(
            context,
            body,
            conversation=channel,
            user=user,
            text=event.text or "",
            event_id=shape.event_id,
            verdict=verdict,
            extra={**files_in.shared(files), **({"thread": thread} if thread else {})},
        )
        await self.accept(
            context,
            turn,
            channel,
            thread_ts=event.thread_ts,
            message_ts=event.ts,
            ephemeral_user=user if verdict.external else None,
        )

    async def on_action(self, ack, body, context, client, respond) -> None:
        await ack()
        press: payloads.BlockActions = context["shape"]
        action = press.actions[0]
        user = press.user.id
        container = press.container or payloads.Container()
        channel = press.channel_id
        verdict = await self.gate.check(client, context, body, user, channel)
        if verdict.outsider:
            await self.refuse(client, verdict, channel, user)
            return
        payload = blocks.parse_value(action.value)
        if payload and payload.get("modal") in modals.MODALS:
            channel = (press.channel.id if press.channel else None) or user  # App Home: the DM
            view = modals.view(payload["modal"], channel, roles=self.roles)
            await client.views_open(trigger_id=press.trigger_id, view=view)
            return
        message = press.message or payloads.Message()
        message_ts = container.message_ts or message.ts
        if not channel or not message_ts:
            return
        thread = message.thread_ts or message_ts
        turn = self.turn(
            context,
            body,
            conversation=channel,
            user=user,
            action=payload or {"intent": ""},
            # One effect per message: a second click (or a double delivery) finds it claimed.
            event_id=stable_id("act", channel, message_ts),
            verdict=verdict,
            extra={"thread": thread},  # a rehearsal resumed by a button goes on in its thread
        )
        await self.accept(
            context,
            turn,
            channel,
            thread_ts=message.thread_ts,
            message_ts=message_ts,
            ephemeral_user=user if verdict.external else None,
        )
        label = (action.text.text if action.text else None) or "a button"
        note = f"<@{user}> chose *{blocks.escape(label)}*"
        try:
            if container.is_ephemeral:
                await respond(replace_original=True, text=note, blocks=blocks.without_buttons([], note))
            else:  # remove the buttons at once, so nobody presses them twice
                kept = blocks.without_buttons(message.blocks or [], note)
                await client.chat_update(
                    channel=channel, ts=message_ts, text=message.text or note, blocks=kept
                )
        except Exception as exc:  # the turn is in the inbox already; a second press is a no-op
            log.warning("could not remove the pressed buttons (%s)", type(exc).__name__)

    async def on_view(self, ack, body, context, client) -> None:
        submitted: payloads.ViewSubmission = context["shape"]
        view = submitted.view
        kind = view.callback_id.removeprefix("coach.modal.")
        if kind not in modals.MODALS:
            await ack()
            return
        user = submitted.user.id
        channel, thread_ts = modals.origin(view.private_metadata)
        channel = channel or user
        verdict = await self.gate.check(client, context, body, user, channel)
        if verdict.outsider:  # the modal turns into the line; nothing is stored
            line = self.refusal(verdict)
            await (ack() if verdict.silent else ack(response_action="update", view=notice_modal(line)))
            return
        got = view.answers()
        errors = modals.validate(kind, got, self.now().date(), self.roles)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        turn = self.turn(
            context,
            body,
            conversation=channel,
            user=user,
            event_id=stable_id("view", view.id, view.hash),
            verdict=verdict,
            **modals.submission(kind, got, self.roles),
        )
        await self.accept(
            context, turn, channel, thread_ts=thread_ts, ephemeral_user=user if verdict.external else None
        )
        await ack()

    async def on_shortcut(self, ack, body, context, client) -> None:
        await ack()
        shortcut: payloads.MessageShortcut = context["shape"]
        message = shortcut.message
        channel = shortcut.channel.id if shortcut.channel else None
        user = shortcut.user.id
        text = as_posted(message.text or "")
        if not channel:
            return
        verdict = await self.gate.check(client, context, body, user, channel)
        if verdict.outsider:
            await self.refuse(client, verdict, channel, user)
            return
        limit = self.rt.settings.max_message_chars
        if not text or len(text) > limit:
            note = "That message has no text to check."
            if text:
                note = (
                    f"That message is too long to check ({len(text):,} characters; the limit is {limit:,})."
                )
            await client.chat_postEphemeral(channel=channel, user=user, text=note)
            return
        turn = self.turn(
            context,
            body,
            conversation=channel,
            user=user,
            # Straight to the leak check: the message is checked as it is, never re-parsed.
            action={"intent": "leakcheck", "message": text, "user_text": "check before sending"},
            event_id=stable_id("sc", shortcut.trigger_id),
            verdict=verdict,
        )
        await self.accept(context, turn, channel, thread_ts=message.thread_ts, ephemeral_user=user)

    async def on_home(self, body, context, client) -> None:
        shape: payloads.EventCallback = context["shape"]
        event = shape.event
        assert isinstance(event, payloads.HomeOpened)
        if (event.tab or "home") != "home":
            return
        user = event.user
        verdict = await self.gate.check(client, context, body, user, None)
        if verdict.outsider:  # the line, no deals and no buttons
            line = self.refusal(verdict)
            if not verdict.silent:
                await client.views_publish(user_id=user, view=notice_home(line))
            return
        view = await home.home_view(self.rt, tenant_of(context, body), user, self.now())
        await client.views_publish(user_id=user, view=view)


_SLACK_LINK = re.compile(r"<(?P<target>[^<>|]+)(?:\|(?P<label>[^<>]*))?>")


def as_posted(text: str) -> str:
    """A Slack message's text as its author sees it: links and mentions by their label, the
    escaped "&gt;" of a quoted line back to ">", "&amp;" and "&lt;" back, so the leak check
    reads quoted replies, bullets and amounts as posted."""

    def label(m: re.Match[str]) -> str:
        target, shown = m.group("target"), m.group("label")
        if shown:
            return ("@" if target.startswith("@") else "") + shown
        return target.removeprefix("mailto:")

    text = _SLACK_LINK.sub(label, text)
    return text.replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&").strip()


def guarded(listener: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """A listener whose failure Slack never waits on. Bolt, when a listener raises after ack(),
    clears the ack it is still polling for and answers 404 after 3 s (and Slack retries the
    event); when it raises before ack(), Bolt answers 500. Here a failure is logged by type
    and, if nothing was acknowledged yet, acknowledged at once."""

    @functools.wraps(listener)  # Bolt reads the wrapped listener's argument names
    async def run(**kwargs: Any) -> None:
        ack = kwargs.get("ack")
        acked = ack is None  # events: Bolt acknowledged before calling the listener

        async def tracked_ack(*args: Any, **kw: Any) -> Any:
            nonlocal acked
            answer = await ack(*args, **kw)  # type: ignore[misc]
            acked = True
            return answer

        if ack is not None:
            kwargs["ack"] = tracked_ack
        try:
            await listener(**kwargs)
        except inbox.NotAccepted:
            raise  # not written to the inbox: no ack, so Slack sends it again (adapters/inbox.py)
        except Exception as exc:
            log.error("slack listener failed: %s", type(exc).__name__)
            if not acked:
                with contextlib.suppress(Exception):
                    await ack()  # type: ignore[misc]

    return run


async def check_shape(req: AsyncBoltRequest, next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
    """Before authorization, over HTTP and Socket Mode: the request's shape for its kind
    (adapters/slack/payloads.py), handed to the listener as `context["shape"]`. A request no
    listener can take is answered here (a short line to a slash command, else a clean empty
    200, which Slack does not send again); nothing is written."""
    try:
        shape = payloads.check(req.body)
    except payloads.Unfit as unfit:
        log.info("slack request of an unexpected shape acknowledged: %s (%s)", unfit.kind, unfit.where)
        if unfit.line:
            return BoltResponse(status=200, body={"response_type": "ephemeral", "text": unfit.line})
        return BoltResponse(status=200, body="")
    if shape is not None:
        req.context["shape"] = shape
    return await next()


def build_bolt(
    rt: Runtime,
    settings: SlackSettings,
    *,
    oauth_settings: Any = None,
    socket: bool = False,
    session: aiohttp.ClientSession | None = None,
    verify: bool = False,
    inbox: inbox.Inbox | None = None,
) -> tuple[AsyncApp, SlackCoach]:
    """Bolt, and the SlackCoach answering its listeners (and the inbox's Slack rows).
    `verify`: let Bolt check signatures too. Off by default: over HTTP, mount.events_handler
    checks every request before Bolt parses it; over Socket Mode there is nothing to sign."""
    token = None if oauth_settings is not None else settings.secret("bot_token")
    client = web_client(settings, token, session)
    kwargs: dict[str, Any] = {
        "logger": log,
        # Listeners run before Slack gets its answer: each persists its turn into the inbox and
        # only then acks, so what Slack was told we have survives a restart (adapters/inbox.py).
        "process_before_response": True,
        "client": client,
        "request_verification_enabled": verify and not socket,
        "raise_error_for_unhandled_request": False,
        "before_authorize": check_shape,
    }
    if not socket:
        kwargs["signing_secret"] = settings.secret("signing_secret")
    if oauth_settings is not None:
        kwargs["oauth_settings"] = oauth_settings
    bolt = AsyncApp(**kwargs)
    installs = oauth_settings.installation_store if oauth_settings is not None else None
    sc = SlackCoach(rt, settings, client=client, installs=installs, session=session, inbox=inbox)
    bolt.command("/coach")(guarded(sc.on_command))
    bolt.event("app_mention")(guarded(sc.on_mention))
    bolt.event("message")(guarded(sc.on_message))
    bolt.event("app_home_opened")(guarded(sc.on_home))
    bolt.action(re.compile(r"^coach\."))(guarded(sc.on_action))
    bolt.view(re.compile(r"^coach\.modal\."))(guarded(sc.on_view))
    bolt.shortcut(SHORTCUT)(guarded(sc.on_shortcut))
    revocations = Revocations(bolt)
    bolt.event("app_uninstalled")(guarded(revocations.on_app_uninstalled))
    bolt.event("tokens_revoked")(guarded(revocations.on_tokens_revoked))
    bolt.error(_on_error)
    return bolt, sc


async def _on_error(error: Exception) -> None:
    # Type only: exception messages from the Web API can quote payloads.
    log.error("slack listener failed: %s", type(error).__name__)
