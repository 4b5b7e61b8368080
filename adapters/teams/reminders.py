"""Reminders into Teams: a proactive message through the stored conversation reference."""

from __future__ import annotations

from adapters.runtime import Runtime
from adapters.scheduler import DELIVERERS, Delivery
from bot.reply import Reply


async def deliver_teams(rt: Runtime, reminder: Delivery, reply: Reply) -> None:
    send = rt.services.get("proactive.teams")
    if send is None:
        raise LookupError("Teams is not configured on this server")
    if not reminder.conversation_key or not await send(reminder.tenant_key, reminder.conversation_key, reply):
        raise LookupError("no usable Teams conversation reference")


DELIVERERS["teams"] = deliver_teams
