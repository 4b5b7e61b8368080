"""The reminder worker `coach serve` runs: claim due reminders, build their Reply, deliver once.

Every replica runs one. Rows are claimed with FOR UPDATE SKIP LOCKED and a lease (see
bot/reminders/store.py), so two replicas never take the same row at once. Per reminder:

  1. one transaction: still relevant? (no → `dropped`, with a log line); renew our lease
  2. deliver through DELIVERERS[platform] - no transaction open while the network is slow
  3. one transaction: `sent` (owner-guarded); an after-meeting prompt also opens its capture
     form and schedules its one repeat

A worker killed between 2 and 3 leaves the row pending; its lease expires and another worker
takes it with attempts > 1. Deliverers get `attempts` and the idempotency key so they can
check whether the message is already there (the Slack deliverer tags messages with metadata
and looks before re-posting). A surface that cannot read its chat back (Teams) calls
`mark_posting` right before the post instead and `posting_started` on a takeover: at most once
when a worker dies mid-post (docs/reminders.md, "Exactly once").

Register a surface's deliverer at import:  DELIVERERS["teams"] = deliver_teams
    async def deliver_teams(rt: Runtime, reminder: Delivery, reply: Reply) -> None
`reminder.reference` holds the conversation reference stored with Memory.save_reference
(platform "teams", tenant_key = tenant id, conversation_key = the conversation's external id).
Raise to have the reminder retried later with backoff.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import select

from adapters.runtime import Runtime
from adapters.server import MOUNTS
from bot.db.engine import write_session
from bot.db.models import Conversation, ConversationRef, Tenant
from bot.memory import Memory
from bot.reminders import policy, prompts, store
from bot.reply import Reply
from bot.settings import load

log = logging.getLogger("coach.reminders")


@dataclass(frozen=True, slots=True)
class Delivery:
    """A claimed reminder plus where it goes."""

    id: int
    kind: str
    idempotency_key: str
    attempts: int  # > 1: an earlier worker may have sent it before dying
    platform: str
    tenant_key: str
    conversation_key: str | None
    reference: dict[str, Any] | None  # conversation_refs.reference for (platform, tenant, conversation)
    deal_id: int | None
    due_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    owner: str = ""  # the worker holding the lease (for mark_posting)


class LeaseLost(Exception):
    """Raised by a deliverer when the lease lapsed before it posted: nothing was sent, and the
    row now belongs to another worker."""


Deliverer = Callable[[Runtime, Delivery, Reply], Awaitable[None]]
DELIVERERS: dict[str, Deliverer] = {}


async def mark_posting(rt: Runtime, reminder: Delivery) -> None:
    """Record "posting now" under our live lease; raises LeaseLost (then do not post)."""
    async with write_session(rt.sessions) as session:
        if not await store.mark_posting(session, reminder.id, reminder.owner, rt.coach.clock()):
            raise LeaseLost(reminder.id)


async def posting_started(rt: Runtime, reminder: Delivery) -> bool:
    """On a takeover: did the worker before us start posting this reminder?"""
    if reminder.attempts <= 1:
        return False
    async with rt.sessions() as session:
        return await store.posting_started(session, reminder.id)


# The terminal has no deliverer here: `coach serve` leaves console reminders in the database,
# and `coach shell` claims and shows them (adapters/console/reminders.py).


# --- Slack ------------------------------------------------------------------------------------
METADATA_TYPE = "coach_reminder"


async def slack_client(rt: Runtime, tenant_key: str) -> Any:
    """The Slack adapter's Web API client (429 Retry-After honoured), one per token.
    Token: `await rt.services["slack_token_for"](tenant_key)` in OAuth mode (the workspace's bot
    token from the installation store; LookupError when it has none), else SLACK_BOT_TOKEN.
    Base URL: SLACK_API_URL (a loopback stand-in in tests)."""
    from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler

    from adapters.slack.app import web_client
    from adapters.slack.settings import SlackSettings

    settings = rt.services.get("slack_settings") or SlackSettings()
    token_for = rt.services.get("slack_token_for")
    token = await token_for(tenant_key) if token_for else settings.secret("bot_token")
    if not token:
        raise LookupError("no Slack bot token for this workspace (not installed, or uninstalled)")
    clients: dict[tuple[str, str], Any] = rt.services.setdefault("slack_web_clients", {})
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


async def deliver_slack(rt: Runtime, reminder: Delivery, reply: Reply) -> None:
    client = await slack_client(rt, reminder.tenant_key)
    channel, thread_ts = slack_target(reminder)
    if not channel:
        raise LookupError("no Slack channel for this conversation")
    if reminder.attempts > 1 and await _already_posted(client, channel, reminder.idempotency_key):
        log.info("reminder %s was already posted before a restart; not posting again", reminder.id)
        rt.services["slack_already_posted"] = rt.services.get("slack_already_posted", 0) + 1
        return
    from adapters.slack.blocks import fallback_text, render

    await client.chat_postMessage(
        channel=channel,
        thread_ts=thread_ts,
        text=fallback_text(reply),
        blocks=render(reply),
        metadata={"event_type": METADATA_TYPE, "event_payload": {"key": reminder.idempotency_key}},
    )


DELIVERERS["slack"] = deliver_slack


# --- the worker ---------------------------------------------------------------------------------
def worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Scheduler:
    def __init__(
        self,
        rt: Runtime,
        *,
        owner: str | None = None,
        lease: timedelta = timedelta(seconds=120),
        batch: int = 50,
        poll: float = 5.0,
        concurrency: int = 8,
        deliverers: Mapping[str, Deliverer] | None = None,
    ) -> None:
        """`deliverers`: the surfaces this worker delivers to, and it claims only their
        reminders (default: DELIVERERS, as registered by the mounted surfaces)."""
        self.rt = rt
        self._deliverers = deliverers
        self.owner = owner or worker_id()
        self.lease = lease
        self.batch = batch
        self.poll = poll
        self.concurrency = concurrency
        self.stats = {"sent": 0, "dropped": 0, "failed": 0, "lost_lease": 0}

    def now(self) -> datetime:
        return self.rt.coach.clock()

    @property
    def deliverers(self) -> Mapping[str, Deliverer]:
        return DELIVERERS if self._deliverers is None else self._deliverers

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: work off everything due (overdue ones first, on start), then poll."""
        # In the terminal the worker is part of the shell: its start is no news to the person.
        level = logging.DEBUG if set(self.deliverers) == {"console"} else logging.INFO
        log.log(level, "reminder worker %s started", self.owner)
        while not stop.is_set():
            try:
                n = await self.run_once()
            except Exception as exc:  # a database blip must not kill the loop
                log.warning("reminder worker: %s; retrying", type(exc).__name__)
                n = 0
            if n == 0:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=self.poll)
                except TimeoutError:
                    pass

    async def run_once(self) -> int:
        async with write_session(self.rt.sessions) as session:
            claimed = await store.claim_due(
                session,
                self.owner,
                self.now(),
                limit=self.batch,
                lease=self.lease,
                platforms=set(self.deliverers),
            )
        if not claimed:
            return 0
        gate = asyncio.Semaphore(self.concurrency)

        async def one(c: store.Claimed) -> None:
            async with gate:
                await self.process(c)

        await asyncio.gather(*(one(c) for c in claimed))
        return len(claimed)

    async def process(self, c: store.Claimed) -> None:
        try:
            prepared = await self._prepare(c)
        except Exception as exc:
            log.warning("reminder %s: could not prepare (%s)", c.id, type(exc).__name__)
            await self._retry_later(c)
            return
        if prepared is None:
            return
        delivery, reply = prepared
        deliver = self.deliverers.get(delivery.platform)
        if deliver is None:
            log.warning("reminder %s: no deliverer for platform %s; will retry", c.id, delivery.platform)
            await self._retry_later(c)
            return
        try:
            await deliver(self.rt, delivery, reply)
        except LeaseLost:
            self.stats["lost_lease"] += 1
            log.warning("reminder %s: lease lapsed before posting; left to the new holder", c.id)
            return
        except Exception as exc:
            log.warning("reminder %s: delivery failed (%s); will retry", c.id, type(exc).__name__)
            await self._retry_later(c)
            return
        await self._sent(c)

    async def _prepare(self, c: store.Claimed) -> tuple[Delivery, Reply] | None:
        now = self.now()
        async with write_session(self.rt.sessions) as session:
            tenant = await session.get(Tenant, c.tenant_id)
            conversation = await session.get(Conversation, c.conversation_id) if c.conversation_id else None
            if tenant is None:
                await store.finish(session, c.id, self.owner, store.DROPPED, now)
                return None
            view = None
            if c.deal_id is not None:
                try:
                    view = await Memory(session, tenant).deal_view(c.deal_id)
                except LookupError:
                    view = None
            verdict = policy.relevance(c.kind, c.payload, view, now)
            if not verdict.ok:
                if await store.finish(session, c.id, self.owner, store.DROPPED, now):
                    self.stats["dropped"] += 1
                    log.info("reminder %s (%s) dropped: %s", c.id, c.kind, verdict.why)
                return None
            if not await store.renew(session, c.id, self.owner, now, self.lease):
                self.stats["lost_lease"] += 1
                return None
            ref = None
            if conversation is not None:
                ref = (
                    await session.execute(
                        select(ConversationRef.reference).where(
                            ConversationRef.platform == tenant.platform,
                            ConversationRef.tenant_key == tenant.external_id,
                            ConversationRef.conversation_key == conversation.external_id,
                        )
                    )
                ).scalar_one_or_none()
            open_form = None
            if c.kind == policy.MEETING_AFTER:
                open_form = await _other_form(Memory(session, tenant), c)
            reply = prompts.build(c.id, c.kind, c.payload, view, self.rt.kb, now, open_form=open_form)
            delivery = Delivery(
                id=c.id,
                kind=c.kind,
                idempotency_key=c.idempotency_key,
                attempts=c.attempts,
                platform=tenant.platform,
                tenant_key=tenant.external_id,
                conversation_key=conversation.external_id if conversation else None,
                reference=ref,
                deal_id=c.deal_id,
                due_at=c.due_at,
                payload=c.payload,
                owner=self.owner,
            )
            return delivery, reply

    async def _sent(self, c: store.Claimed) -> None:
        now = self.now()
        async with write_session(self.rt.sessions) as session:
            if not await store.finish(session, c.id, self.owner, store.SENT, now):
                self.stats["lost_lease"] += 1
                log.warning("reminder %s: sent, but another worker had taken it over", c.id)
                return
            self.stats["sent"] += 1
            if c.kind == policy.MEETING_AFTER and c.deal_id is not None and c.conversation_id is not None:
                memory = Memory(session, await session.get_one(Tenant, c.tenant_id))
                # The user's next message in that conversation answers "what did they promise?",
                # unless another form is open there: that one is not replaced (the prompt said
                # so and offers a button to answer this one now).
                if await _other_form(memory, c) is None:
                    await memory.save_form(
                        c.conversation_id,
                        c.deal_id,
                        ["meeting_promises"],
                        {"intent": "reminders.capture", "id": c.id},
                        now,
                    )
                if not c.payload.get("repeat"):
                    again = policy.capture_repeat(
                        c.idempotency_key, c.payload, prompts.config(self.rt.kb), now
                    )
                    await store.schedule(
                        session,
                        [again],
                        tenant_id=c.tenant_id,
                        deal_id=c.deal_id,
                        conversation_id=c.conversation_id,
                        now=now,
                    )

    async def _retry_later(self, c: store.Claimed) -> None:
        self.stats["failed"] += 1
        backoff = timedelta(seconds=min(30 * 2 ** max(c.attempts - 1, 0), 3600))
        async with write_session(self.rt.sessions) as session:
            await store.release(session, c.id, self.owner, self.now() + backoff)


async def _other_form(memory: Memory, c: store.Claimed) -> list[str] | None:
    """The pending fact keys of a form open in the reminder's conversation that is not this
    capture's own (None when there is none)."""
    if c.deal_id is None or c.conversation_id is None:
        return None
    form = await memory.load_form(c.conversation_id, c.deal_id)
    if form is None or form.resume.get("intent") == "reminders.capture":
        return None
    return [str(k) for k in form.pending.get("keys", [])]


# --- `coach serve` wiring -------------------------------------------------------------------
SCHEDULER = web.AppKey("reminder_scheduler", Scheduler)
_STOP = web.AppKey("reminder_stop", asyncio.Event)
_TASK = web.AppKey("reminder_task", asyncio.Task)


class ReminderSettings(BaseSettings):
    """The reminder worker of `coach serve` (docs/configuration.md)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    enabled: bool = Field(default=True, alias="COACH_REMINDERS")  # off: this replica runs no worker
    poll_seconds: float = Field(default=5.0, alias="COACH_REMINDER_POLL_SECONDS", gt=0, le=3600)
    lease_seconds: float = Field(default=120.0, alias="COACH_REMINDER_LEASE_SECONDS", ge=5, le=86400)


async def mount(rt: Runtime, app: web.Application) -> None:
    settings: ReminderSettings = rt.services.get("reminder_settings") or load(ReminderSettings)
    if not settings.enabled:
        return
    scheduler = Scheduler(rt, lease=timedelta(seconds=settings.lease_seconds), poll=settings.poll_seconds)
    app[SCHEDULER] = scheduler

    async def start(app: web.Application) -> None:
        app[_STOP] = asyncio.Event()
        app[_TASK] = asyncio.create_task(scheduler.run(app[_STOP]))

    async def stop(app: web.Application) -> None:
        app[_STOP].set()
        await app[_TASK]

    app.on_startup.append(start)
    app.on_cleanup.append(stop)


MOUNTS.append(mount)
