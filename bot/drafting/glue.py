"""Glue for skills: put any template draft through the drafter and remember the result.

A draft skill builds its Reply with the template text as usual, then
`reply = await polish(ctx, reply, "escalation")`. The last draft is kept as a `draft` event
({"template", "text", "source", "template_text", "instructions"}) so follow-ups can redo it.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.context import Context
from bot.drafting import DraftRequest, DraftResult, template_result
from bot.drafting import policy as _policy  # noqa: F401  (registers knowledge/llm.yaml sections)
from bot.reply import Item, Reply, Section

DRAFT_EVENT = "draft"


def drafter_of(ctx: Context):  # -> Drafter | None
    return ctx.services.get("drafter")


async def run_drafter(
    ctx: Context, kind: str, template_text: str, instructions: Sequence[str] = ()
) -> DraftResult | None:
    """The drafter's result, or None when no LLM is set up here."""
    drafter = drafter_of(ctx)
    if drafter is None or ctx.deal is None:
        return None
    request = DraftRequest(
        kind=kind,
        facts=dict(ctx.deal.facts),
        template_text=template_text,
        tenant=ctx.memory.tenant.id,
        instructions=tuple(instructions),
        names=tuple(c.name for c in ctx.deal.contacts),
        now=ctx.now,
    )
    try:
        return await drafter.draft(request, session=ctx.memory.session)
    except Exception:  # a drafter bug must not cost the user their template draft
        return template_result(request, ctx.kb.section("llm.reasons").error)


def explain(ctx: Context, result: DraftResult) -> Item:
    if result.source == "llm":
        text = ctx.kb.say("llm.drafted") + (f" {result.reason}" if result.reason else "")
        return Item(text, rule="llm.drafted")
    return Item(ctx.kb.say("llm.template", why=result.reason or ""), rule="llm.template")


async def polish(
    ctx: Context,
    reply: Reply,
    kind: str,
    *,
    instructions: Sequence[str] = (),
    log_event: bool = True,
) -> Reply:
    """The reply with its template draft replaced by a checked LLM draft when possible."""
    template_text = reply.draft or ""
    result = await run_drafter(ctx, kind, template_text, instructions) if template_text else None
    if result is not None:
        reply.draft = result.text
        reply.draft_source = result.source
        reply.sections.append(Section(items=[explain(ctx, result)]))
    elif reply.draft_source is None and template_text:
        reply.draft_source = "template"
    if log_event and ctx.deal is not None and template_text:
        await ctx.log(
            DRAFT_EVENT,
            {
                "template": kind,
                "text": reply.draft,
                "source": reply.draft_source,
                "template_text": template_text,
                "instructions": list(instructions),
            },
        )
    return reply
