"""Reminders into Teams: a proactive message through the stored conversation reference.

A bot cannot read a Teams chat back through the Bot Connector, so unlike Slack there is no
"is it already there?" check after a crash. Instead the worker records "posting" in the
reminder row (under its live lease) right before the connector call; a worker that takes the
row over after a crash sees the mark and does not post again. So a crash mid-post gives at most
once, never twice (docs/reminders.md, "Exactly once")."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from adapters.runtime import Runtime
from adapters.scheduler import NOT_REPOSTED, Delivery, mark_posting, posting_started
from bot.reply import Reply

log = logging.getLogger("coach.reminders")


class TeamsDeliverer:
    """Delivers reminders into Teams through the mounted host's proactive send (`of(host)`);
    without a Teams mount (`send` None) a Teams reminder is a LookupError, retried later."""

    def __init__(self, send: Callable[..., Awaitable[bool]] | None = None) -> None:
        self.send = send

    @classmethod
    def of(cls, host: Any) -> TeamsDeliverer:
        return cls(host.send_proactive if host is not None else None)

    async def __call__(self, rt: Runtime, reminder: Delivery, reply: Reply) -> str | None:
        send = self.send
        if send is None:
            raise LookupError("Teams is not configured on this server")
        if await posting_started(rt, reminder):
            log.warning(
                "reminder %s: the worker before us died while posting it to Teams; not posting again "
                "(it may not have arrived)",
                reminder.id,
            )
            return NOT_REPOSTED

        async def before_post() -> None:
            await mark_posting(rt, reminder)

        if not reminder.conversation_key or not await send(
            reminder.tenant_key, reminder.conversation_key, reply, before_post=before_post
        ):
            raise LookupError("no usable Teams conversation reference")
        return None
