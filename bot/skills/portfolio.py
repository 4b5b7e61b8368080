"""`deals` / `deal list`: the person's deals in this workspace, most urgent first (bot/portfolio.py)."""

from __future__ import annotations

from bot import portfolio
from bot.actions import Payload
from bot.context import Context
from bot.reply import Reply
from bot.skills import skill


@skill("deal.list", needs_deal=False, payload=Payload)
async def deal_list(ctx: Context, _: Payload) -> Reply:
    rows = await portfolio.load(ctx.memory, ctx.kb, ctx.now, ctx.person)
    return portfolio.to_reply(rows, ctx.kb, ctx.deal.id if ctx.deal else None)
