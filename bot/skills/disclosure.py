"""“Can I tell the CSM our budget?” — share, protect or strategic, and what to say instead."""

from __future__ import annotations

from bot.context import Context
from bot.playbooks.disclosure import advise, find_kinds
from bot.playbooks.people import find_role
from bot.reply import Reply
from bot.skills import skill


@skill("disclosure.share", needs_deal=False)
async def share(ctx: Context) -> Reply:
    args = ctx.intent.args
    text = args.get("rest") or ctx.intent.text
    role = ctx.kb.role(args["role"]) if args.get("role") else find_role(text, ctx.kb)
    what = args.get("what") or text
    return advise(ctx.kb, role.key if role else None, find_kinds(what, ctx.kb))
