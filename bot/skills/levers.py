"""Skills: the walk-away position, program levers and the renewal timeline."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from bot.actions import Payload, Words
from bot.context import Context
from bot.playbooks import programs, renewal_calendar, walkaway
from bot.reply import Item, Reply, Section
from bot.skills import skill
from bot.understanding.values import is_unknown


@skill("walkaway.check", payload=Payload)
async def walkaway_check(ctx: Context, _: Payload) -> Reply:
    assert ctx.deal is not None
    assessment = walkaway.assess(ctx.deal, ctx.kb, ctx.intent.text or "")
    if assessment.verdict is None:
        asked = await ctx.ask(assessment.missing, resume={"intent": "walkaway.check", "user_text": ""})
        # What was told already counts: say what is known before asking for the rest.
        known = assessment.reasons + assessment.math
        if known:
            asked.sections.append(Section(title="What I have so far", items=known))
        return asked
    return walkaway.to_reply(assessment, ctx.deal, ctx.kb)


class Levers(Payload):
    asked: Words | None = Field(default=None, alias="_asked")


@skill("programs.levers", payload=Levers)
async def program_levers(ctx: Context, p: Levers) -> Reply:
    assert ctx.deal is not None
    text = ctx.intent.text or (p.asked or "")
    advice = programs.advise(ctx.deal, ctx.kb, text)
    if advice.verdict is None:
        return await ctx.ask(advice.missing, resume={"intent": "programs.levers", "user_text": text})
    return programs.to_reply(advice, ctx.deal)


@skill("timeline.status", needs_deal=False, payload=Payload)
async def timeline_status(ctx: Context, _: Payload) -> Reply:
    if ctx.deal is None:  # Microsoft's calendar is fixed: no deal needed to answer
        return renewal_calendar.calendar_reply(ctx.now, ctx.kb)
    raw = ctx.deal.fact("renewal_date")
    renewal = None
    if raw:
        try:
            renewal = date.fromisoformat(str(raw)[:10])
        except ValueError:
            renewal = None
    if is_unknown(raw):  # "not sure": Microsoft's calendar, and where to find the date; no asking again
        reply = renewal_calendar.calendar_reply(ctx.now, ctx.kb)
        reply.sections.append(
            Section(items=[Item(ctx.kb.say("timeline.renewal-unknown"), rule="timeline.renewal-unknown")])
        )
        return reply
    if renewal is None:  # answer what is known, and ask for the date that places the milestones
        reply = renewal_calendar.calendar_reply(ctx.now, ctx.kb)
        asked = await ctx.ask(
            ["renewal_date"], resume={"intent": "timeline.status", "user_text": ""}, intro=reply.headline
        )
        reply.questions, reply.missing, reply.footer = asked.questions, asked.missing, asked.footer
        reply.sections.append(
            Section(items=[Item(ctx.kb.say("timeline.ask-renewal"), rule="timeline.ask-renewal")])
        )
        return reply
    view = renewal_calendar.where(renewal, ctx.now, ctx.kb)
    return renewal_calendar.to_reply(view, renewal, ctx.deal)
