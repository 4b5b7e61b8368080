"""The one call the core (or a skill) makes after logging an event: `await on_event(ctx, event)`.

It plans the reminders the event implies and inserts them in the turn's own transaction, so a
meeting and its reminders commit together or not at all. Calling it twice for the same thing
is harmless: idempotency keys keep one row each.
"""

from __future__ import annotations

from bot.context import Context
from bot.reminders import policy, store, user_settings
from bot.reminders.prompts import config
from bot.timeline import Event

WATCHED = {"meeting", "fact"}


async def user_prefs(ctx: Context) -> policy.Prefs:
    """The user's time zone: the platform's (Slack user tz, Teams local timezone), else the
    conversation's, else COACH_TIMEZONE; lead times and morning hour as the user set them
    (`remind me 2 hours before meetings`), else knowledge/reminders.yaml's defaults."""
    from bot.settings import get_settings

    tz = ctx.turn.timezone
    if not tz:
        conversation = await ctx.memory.conversation(ctx.turn.conversation, ctx.now)
        tz = conversation.timezone or get_settings().timezone
    stored = await user_settings.load(ctx.memory.session, ctx.memory.tenant.id, ctx.turn.user)
    return policy.Prefs.from_config(config(ctx.kb), tz, **user_settings.overrides(stored))


async def on_event(ctx: Context, event: Event) -> int:
    """Schedule what `event` implies; returns how many reminders were new."""
    if event.kind not in WATCHED or ctx.deal is None:
        return 0
    prefs = await user_prefs(ctx)
    planned = policy.plan_for_event(ctx.deal.id, event, prefs, config(ctx.kb), ctx.now)
    return await store.schedule(
        ctx.memory.session,
        planned,
        tenant_id=ctx.memory.tenant.id,
        deal_id=ctx.deal.id,
        conversation_id=ctx.conversation_id,
        now=ctx.now,
    )


async def log_meeting(ctx: Context, payload: dict) -> Event:
    """For the meeting skill: log a `meeting` event ({role, topic, when}); `Context.log` schedules
    its reminders in the same transaction."""
    return await ctx.log("meeting", payload)
