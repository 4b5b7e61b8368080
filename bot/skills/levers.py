"""Skills: the walk-away position, program levers and the renewal timeline."""

from __future__ import annotations

from datetime import date

from bot.context import Context
from bot.playbooks import programs, timeline, walkaway
from bot.reply import Reply
from bot.skills import skill


@skill("walkaway.check")
async def walkaway_check(ctx: Context) -> Reply:
    assert ctx.deal is not None
    assessment = walkaway.assess(ctx.deal, ctx.kb)
    if assessment.verdict is None:
        return await ctx.ask(assessment.missing, resume={"intent": "walkaway.check", "_text": ""})
    return walkaway.to_reply(assessment, ctx.deal)


@skill("programs.levers")
async def program_levers(ctx: Context) -> Reply:
    assert ctx.deal is not None
    text = ctx.intent.text or str(ctx.intent.args.get("_asked", ""))
    advice = programs.advise(ctx.deal, ctx.kb, text)
    if advice.verdict is None:
        return await ctx.ask(advice.missing, resume={"intent": "programs.levers", "_text": text})
    return programs.to_reply(advice, ctx.deal)


@skill("timeline.status")
async def timeline_status(ctx: Context) -> Reply:
    assert ctx.deal is not None
    raw = ctx.deal.fact("renewal_date")
    renewal = None
    if raw:
        try:
            renewal = date.fromisoformat(str(raw)[:10])
        except ValueError:
            renewal = None
    if renewal is None:
        return await ctx.ask(["renewal_date"], resume={"intent": "timeline.status", "_text": ""})
    view = timeline.where(renewal, ctx.now, ctx.kb)
    return timeline.to_reply(view, renewal, ctx.deal)
