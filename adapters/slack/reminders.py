"""Reminders into Slack: a message in the deal's channel (or thread), tagged so a takeover can
tell it is already there.

Slack lets the bot read its channel back, so a worker that takes a reminder over after a crash
(attempts > 1) looks for a message carrying the reminder's idempotency key in its metadata
before posting: exactly once even when the worker before it died between posting and `sent`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from adapters.runtime import Runtime
from adapters.scheduler import ALREADY_POSTED, Delivery
from bot.reply import Reply

log = logging.getLogger("coach.reminders")

METADATA_TYPE = "coach_reminder"


class SlackDeliverer:
    """Delivers reminders into Slack with what the Slack mount built (`of(app)`), or with the
    environment's settings when this process has no Slack mount (a worker on its own).

    Token: the workspace's bot token from the installation store in OAuth mode (LookupError when
    it has none), else SLACK_BOT_TOKEN. Base URL: SLACK_API_URL (a loopback stand-in in tests).
    Web API clients (429 Retry-After honoured) are kept one per token and base URL."""

    def __init__(self, settings: Any = None, *, installs: Any = None, gate: Any = None) -> None:
        from adapters.slack.outsiders import Gate

        self._settings = settings  # None: the environment's, read at each delivery
        self.token_for: Callable[[str], Awaitable[str | None]] | None = None
        if installs is not None:
            from adapters.slack.installs import bot_token_lookup

            self.token_for = bot_token_lookup(installs)
        # The channel check's short cache: the mounted coach's own, so both see one answer.
        self.gate = gate if gate is not None else Gate()
        self.clients: dict[tuple[str, str], Any] = {}

    @classmethod
    def of(cls, coach: Any) -> SlackDeliverer:
        """The deliverer of a mounted SlackCoach (adapters/slack/mount.py), or of the environment."""
        if coach is None:
            return cls()
        return cls(coach.settings, installs=coach.installs, gate=coach.gate)

    @property
    def settings(self) -> Any:
        if self._settings is not None:
            return self._settings
        from adapters.slack.settings import SlackSettings

        return SlackSettings()

    async def client(self, tenant_key: str) -> Any:
        from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler

        from adapters.slack.app import web_client

        settings = self.settings
        token = await self.token_for(tenant_key) if self.token_for else settings.secret("bot_token")
        if not token:
            raise LookupError("no Slack bot token for this workspace (not installed, or uninstalled)")
        client = self.clients.get((token, settings.base_url))
        if client is None:
            client = web_client(settings, token)
            client.retry_handlers.append(AsyncConnectionErrorRetryHandler(max_retry_count=2))
            self.clients[(token, settings.base_url)] = client
        return client

    async def __call__(self, rt: Runtime, reminder: Delivery, reply: Reply) -> str | None:
        client = await self.client(reminder.tenant_key)
        channel, thread_ts = slack_target(reminder)
        if not channel:
            raise LookupError("no Slack channel for this conversation")
        if reminder.attempts > 1 and await _already_posted(client, channel, reminder.idempotency_key):
            log.info("reminder %s was already posted before a restart; not posting again", reminder.id)
            return ALREADY_POSTED
        from adapters.slack.blocks import fallback_text, render

        if await self._shared_outside(client, reminder.tenant_key, channel):
            # The channel was shared with another organisation since the reminder was planned:
            # a line that names nothing goes there instead (docs/security.md, "Outsiders").
            from bot.outsiders import REMINDER_WITHHELD

            log.info("reminder %s withheld: the channel includes outsiders", reminder.id)
            reply = Reply(headline=rt.kb.say(REMINDER_WITHHELD), intent="outsider")
        await client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=fallback_text(reply),
            blocks=render(reply),
            metadata={"event_type": METADATA_TYPE, "event_payload": {"key": reminder.idempotency_key}},
        )
        return None

    async def _shared_outside(self, client: Any, tenant_key: str, channel: str) -> bool:
        """Does the channel include people of another organisation? A DM with the coach does not."""
        from adapters.slack.outsiders import Home, is_dm

        if is_dm(channel):
            return False
        return bool(await self.gate.external_room(client, Home(team=tenant_key, enterprise=None), channel))


def slack_target(reminder: Delivery) -> tuple[str, str | None]:
    """(channel, thread_ts) from the stored reference, else from the conversation key
    (`C123` or `C123:1700000000.000100`)."""
    ref = reminder.reference or {}
    if ref.get("channel"):
        return str(ref["channel"]), ref.get("thread_ts")
    channel, _, thread = (reminder.conversation_key or "").partition(":")
    return channel, thread or None


async def _already_posted(client: Any, channel: str, key: str) -> bool:
    cursor = None
    for _ in range(5):
        resp = await client.conversations_history(
            channel=channel, limit=200, include_all_metadata=True, cursor=cursor
        )
        for msg in resp.get("messages", []):
            meta = msg.get("metadata") or {}
            if (
                meta.get("event_type") == METADATA_TYPE
                and (meta.get("event_payload") or {}).get("key") == key
            ):
                return True
        cursor = (resp.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return False
    return False
