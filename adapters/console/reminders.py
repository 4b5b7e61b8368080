"""`coach reminders`: what is scheduled. Here: the terminal's active deal, as the chat shows it.
With --all: every pending reminder in the database (an operator's view, no deal contents)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from adapters.console.render import render
from adapters.runtime import Runtime
from bot.db.models import Reminder, Tenant
from bot.reminders import store
from bot.turn import Turn


async def print_scheduled(
    rt: Runtime, console: Console, *, everything: bool, tenant: str, conversation: str, user: str = "me"
) -> int:
    if not everything:
        reply = await rt.handle(
            Turn(platform="console", tenant=tenant, conversation=conversation, user=user, text="reminders")
        )
        assert reply is not None
        render(reply, console)
        return 0
    async with rt.sessions() as session:
        rows = (
            await session.execute(
                select(Reminder, Tenant.platform)
                .join(Tenant, Tenant.id == Reminder.tenant_id)
                .where(Reminder.status == store.PENDING)
                .order_by(Reminder.due_at, Reminder.id)
                .limit(500)
            )
        ).all()
    if not rows:
        console.print("Nothing is scheduled.")
        return 0
    table = Table("id", "due (UTC)", "platform", "kind", "deal", "attempts")
    for r, platform in rows:
        due = store.utc(r.due_at)
        table.add_row(
            str(r.id), f"{due:%Y-%m-%d %H:%M}", platform, r.kind, str(r.deal_id or "-"), str(r.attempts)
        )
    console.print(table)
    return 0
