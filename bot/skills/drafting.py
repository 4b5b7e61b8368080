"""Follow-ups on the last draft: "shorter", "more formal", "add the price-cap ask".

The drafter runs again on the same template with every follow-up so far, so "shorter" then
"more formal" gives a short, formal draft. Without an LLM the user is told to edit by hand.
"""

from __future__ import annotations

from bot.context import Context, Intent
from bot.drafting import DraftResult
from bot.drafting.glue import DRAFT_EVENT, drafter_of, polish
from bot.reply import Item, Reply, Section
from bot.skills import Skills, drafts, skill

MAX_INSTRUCTIONS = 6  # older follow-ups drop off; the prompt stays small


@skill("draft.revise")
async def draft_revise(ctx: Context) -> Reply:
    assert ctx.deal is not None
    drafts = ctx.deal.live_events(DRAFT_EVENT)
    if not drafts:
        return Reply(
            headline="There's no draft to change yet.",
            intent="draft.revise",
            verdict="no_draft",
            verdict_label="No draft yet.",
            sections=[Section(items=[Item(ctx.kb.say("llm.no-draft"), rule="llm.no-draft")])],
        )
    if drafter_of(ctx) is None:
        return Reply(
            headline="I can't rewrite drafts here.",
            intent="draft.revise",
            verdict="needs_llm",
            verdict_label="No LLM.",
            sections=[Section(items=[Item(ctx.kb.say("llm.revise-needs-llm"), rule="llm.revise-needs-llm")])],
        )
    last = max(drafts, key=lambda e: (e.at, e.id)).payload
    kind = str(last.get("template", ""))
    template_text = last.get("template_text")
    if not isinstance(template_text, str) or not template_text:
        template_text = await _template_again(ctx, kind)
    if not template_text:
        return Reply(
            headline="I couldn't find the text of the last draft. Ask for the draft again.",
            intent="draft.revise",
            verdict="no_draft",
            sections=[Section(items=[Item(ctx.kb.say("llm.no-draft"), rule="llm.no-draft")])],
        )
    asked = ctx.intent.text.strip() or "improve it"
    instructions = [*[str(i) for i in last.get("instructions") or []], asked][-MAX_INSTRUCTIONS:]
    reply = Reply(
        headline="I couldn't revise it; here's the template:",
        intent="draft.revise",
        verdict="template",
        verdict_label="Template.",
        draft=template_text,
        draft_source="template",
    )

    def revised(reply: Reply, result: DraftResult) -> None:
        if result.source == "llm":
            reply.headline, reply.verdict, reply.verdict_label = (
                f"Revised ({asked[:60]}):",
                "revised",
                "Revised.",
            )

    # The LLM call runs after this turn commits; `polish` logs the new draft event.
    return await polish(ctx, reply, kind, instructions=instructions, on_result=revised)


_TEMPLATE_DRAFTS = Skills.collect([drafts])


async def _template_again(ctx: Context, kind: str) -> str | None:
    """A draft logged without its text (by a template-only skill): render it again."""
    handler = _TEMPLATE_DRAFTS.handlers.get(f"draft.{kind}")
    if handler is None:
        return None
    saved = ctx.intent
    ctx.intent = Intent(f"draft.{kind}", {}, "")
    try:
        reply = await handler(ctx)
    finally:
        ctx.intent = saved
    return reply.draft
