"""Reminders into Slack: a message in the deal's channel (or thread), tagged so a takeover can
tell it is already there.

Slack lets the bot read its channel back, so a worker that takes a reminder over after a crash
(attempts > 1) looks for a message carrying the reminder's idempotency key in its metadata
before posting: exactly once even when the worker before it died between posting and `sent`."""

from __future__ import annotations

import logging
from typing import Any

from adapters.runtime import Runtime
from adapters.scheduler import Delivery
from bot.reply import Reply

log = logging.getLogger("coach.reminders")

METADATA_TYPE = "coach_reminder"


async def slack_client(rt: Runtime, tenant_key: str) -> Any:
    """The Slack adapter's Web API client (429 Retry-After honoured), one per token.
    Token: `await rt.services.slack_token_for(tenant_key)` in OAuth mode (the workspace's bot
    token from the installation store; LookupError when it has none), else SLACK_BOT_TOKEN.
    Base URL: SLACK_API_URL (a loopback stand-in in tests)."""
    from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler

    from adapters.slack.app import web_client
    from adapters.slack.settings import SlackSettings

    settings = rt.services.slack_settings or SlackSettings()
    token_for = rt.services.slack_token_for
    token = await token_for(tenant_key) if token_for else settings.secret("bot_token")
    if not token:
        raise LookupError("no Slack bot token for this workspace (not installed, or uninstalled)")
    clients = rt.services.slack_web_clients
    client = clients.get((token, settings.base_url))
    if client is None:
        client = web_client(settings, token)
        client.retry_handlers.append(AsyncConnectionErrorRetryHandler(max_retry_count=2))
        clients[(token, settings.base_url)] = client
    return client


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


_ROOMS: Any = None  # adapters.slack.outsiders.Gate, made on first use (its short cache)


async def _shared_outside(rt: Runtime, client: Any, tenant_key: str, channel: str) -> bool:
    """Does the channel include people of another organisation? A DM with the coach does not."""
    global _ROOMS
    from adapters.slack.outsiders import Gate, Home, is_dm

    if is_dm(channel):
        return False

    slack = rt.services.slack
    gate = getattr(slack, "gate", None) or _ROOMS
    if gate is None:
        gate = _ROOMS = Gate()
    return bool(await gate.external_room(client, Home(team=tenant_key, enterprise=None), channel))


async def deliver_slack(rt: Runtime, reminder: Delivery, reply: Reply) -> None:
    client = await slack_client(rt, reminder.tenant_key)
    channel, thread_ts = slack_target(reminder)
    if not channel:
        raise LookupError("no Slack channel for this conversation")
    if reminder.attempts > 1 and await _already_posted(client, channel, reminder.idempotency_key):
        log.info("reminder %s was already posted before a restart; not posting again", reminder.id)
        rt.services.counters.slack_already_posted += 1
        return
    from adapters.slack.blocks import fallback_text, render

    if await _shared_outside(rt, client, reminder.tenant_key, channel):
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
