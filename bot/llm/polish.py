"""Polish a template draft: put it through the LLM drafter and remember the result.

A draft skill builds its Reply with the template text as usual, then
`reply = await polish(ctx, reply, "escalation")`. The last draft is kept as a `draft` event
({"template", "text", "source", "template_text", "instructions"}) so follow-ups can redo it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager

from bot.context import Context
from bot.knowledge import Knowledge
from bot.llm import Drafter, DraftRequest, DraftResult, template_result
from bot.memory import Memory
from bot.reply import Item, Reply, Section

DRAFT_EVENT = "draft"


def drafter_of(ctx: Context):  # -> Drafter | None
    return ctx.services.drafter


def draft_request(
    ctx: Context, kind: str, template_text: str, instructions: Sequence[str] = ()
) -> DraftRequest:
    assert ctx.deal is not None
    return DraftRequest(
        kind=kind,
        facts=dict(ctx.deal.facts),
        template_text=template_text,
        tenant=ctx.memory.tenant.id,
        instructions=tuple(instructions),
        names=tuple(c.name for c in ctx.deal.contacts),
        now=ctx.now,
    )


async def run_drafter(drafter: Drafter, request: DraftRequest, kb: Knowledge) -> DraftResult:
    try:  # the drafter keeps its daily budget in its own short transactions
        return await drafter.draft(request)
    except Exception:  # a drafter bug must not cost the user their template draft
        return template_result(request, kb.section("llm.reasons").error)


def explain(kb: Knowledge, result: DraftResult) -> Item:
    if result.source == "llm":
        text = kb.say("llm.drafted") + (f" {result.reason}" if result.reason else "")
        return Item(text, rule="llm.drafted")
    return Item(kb.say("llm.template", why=result.reason or ""), rule="llm.template")


async def polish(
    ctx: Context,
    reply: Reply,
    kind: str,
    *,
    instructions: Sequence[str] = (),
    log_event: bool = True,
    on_result: Callable[[Reply, DraftResult], None] | None = None,
) -> Reply:
    """The reply with its template draft, to be replaced by a checked LLM draft when one is
    configured. The LLM call runs after the turn commits (`ctx.defer`), so it never holds the
    database; the `draft` event (what follow-ups redo) is logged once, with the final text."""
    template_text = reply.draft or ""
    if reply.draft_source is None and template_text:
        reply.draft_source = "template"
    drafter = drafter_of(ctx)
    if not template_text or ctx.deal is None:
        return reply
    payload = {"template": kind, "template_text": template_text, "instructions": list(instructions)}
    if drafter is None:
        if log_event:
            await ctx.log(DRAFT_EVENT, {**payload, "text": reply.draft, "source": reply.draft_source})
        return reply
    request = draft_request(ctx, kind, template_text, instructions)
    deal_id, actor, now, kb = ctx.deal.id, ctx.turn.user, ctx.now, ctx.kb

    async def finish(reply: Reply, tx: Callable[[], AbstractAsyncContextManager[Memory]]) -> Reply:
        result = await run_drafter(drafter, request, kb)
        reply.draft, reply.draft_source = result.text, result.source
        reply.sections.append(Section(items=[explain(kb, result)]))
        if on_result is not None:
            on_result(reply, result)
        if log_event:
            async with tx() as memory:
                await memory.append_event(
                    deal_id,
                    DRAFT_EVENT,
                    {**payload, "text": result.text, "source": result.source},
                    actor=actor,
                    at=now,
                    recorded_at=now,
                )
        return reply

    ctx.defer(finish)
    return reply
