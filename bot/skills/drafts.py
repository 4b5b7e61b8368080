"""Skills that answer "draft …" and its follow-ups.

The drafts come from templates (bot/playbooks/draft_templates.py): the escalation note,
confirming a conversation, a deadline reply, a counter-proposal, an agenda request. With an LLM
configured each is rewritten and checked after the turn commits (bot/llm/polish.py). Follow-ups
on the last draft ("shorter", "more formal", "add the price-cap ask") run the drafter again on
the same template with every follow-up so far, so "shorter" then "more formal" gives a short,
formal draft; without an LLM the user is told to edit by hand.
"""

from __future__ import annotations

from bot.actions import Key, Name, Payload, RowId, Words
from bot.context import Context
from bot.intent import Intent
from bot.llm import DraftResult
from bot.llm.polish import DRAFT_EVENT, drafter_of, polish
from bot.playbooks import draft_templates
from bot.reply import Action, Item, Reply, Section
from bot.skills import Skills, skill
from bot.timeline import FACT, MS_STATEMENT
from bot.understanding.money import amounts_in


async def _reply(
    ctx: Context,
    draft: draft_templates.Draft,
    intent: str,
    rules: list[str],
    actions: list[Action] | None = None,
) -> Reply:
    """The template draft as a reply, polished by the LLM when one is configured (and checked);
    `polish` also logs the `draft` event the escalation checklist and follow-ups read."""
    tpl = ctx.kb.section("drafts.templates")[draft.template]
    items = [Item(ctx.kb.say(r), rule=r) for r in rules]
    for why in dict.fromkeys(draft.dropped):
        items.append(
            Item(f"I left out {why}.", rule="drafts.no-budget" if "budget" in why else "drafts.no-blame")
        )
    reply = Reply(
        headline=f"{tpl.title} for {ctx.deal.name if ctx.deal else 'this deal'}:",
        intent=intent,
        verdict="drafted",
        verdict_label="Draft ready.",
        sections=[Section(items=items)],
        draft=draft.text,
        draft_source="template",
        actions=actions or [],
    )
    return await polish(ctx, reply, draft.template)


@skill("draft.escalation", payload=Payload)
async def draft_escalation(ctx: Context, _: Payload) -> Reply:
    assert ctx.deal is not None
    missing = ctx.missing(["sticking_point", "escalation_ask"])
    if missing:
        return await ctx.ask(
            missing, resume={"intent": "draft.escalation", "user_text": ""}, intro="For the note I need:"
        )
    draft = draft_templates.render(
        "escalation",
        draft_templates.escalation_values(ctx.deal, ctx.kb),
        ctx.kb,
        ctx.deal,
        amounts_in=amounts_in,
    )
    return await _reply(
        ctx,
        draft,
        "draft.escalation",
        ["drafts.template", "drafts.no-budget", "drafts.no-blame"],
        [Action("We sent it: log the escalation", {"intent": "escalation.log"})],
    )


class DraftConfirm(Payload):
    event_id: RowId | None = None
    commitment_id: RowId | None = None
    contact: Name | None = None
    role: Key | None = None
    what: Words | None = None


@skill("draft.confirm", payload=DraftConfirm)
async def draft_confirm(ctx: Context, p: DraftConfirm) -> Reply:
    assert ctx.deal is not None
    deal = ctx.deal
    said = (p.rest or "").strip()
    at, role = None, "ae"
    if not said:
        wanted = p.event_id
        candidates = [
            e
            for e in deal.live_events(MS_STATEMENT, FACT)
            if (
                e.kind == MS_STATEMENT
                and (
                    str(e.id) == str(wanted)
                    if wanted is not None
                    else e.payload.get("type") in ("call_concession", "verbal_refused")
                )
            )
            or (e.kind == FACT and e.payload.get("key") == "commitment_to_confirm" and wanted is None)
        ]
        if candidates:
            latest = max(candidates, key=lambda e: (e.at, e.id))
            if latest.kind == MS_STATEMENT:
                said = str(latest.payload.get("text", ""))
                at, role = latest.at, latest.payload.get("role") or "ae"
            else:
                said = str(latest.payload.get("value", ""))
    if not said:
        return await ctx.ask(["commitment_to_confirm"], resume={"intent": "draft.confirm", "user_text": ""})
    values = draft_templates.confirm_values(deal, said, at, role, ctx.now)
    draft = draft_templates.render("confirm", values, ctx.kb, deal, amounts_in=amounts_in)
    return await _reply(ctx, draft, "draft.confirm", ["drafts.template", "drafts.in-writing"])


@skill("draft.exploding_offer", payload=Payload)
async def draft_exploding(ctx: Context, _: Payload) -> Reply:
    assert ctx.deal is not None
    draft = draft_templates.render(
        "exploding_offer",
        draft_templates.exploding_values(ctx.deal, ctx.now),
        ctx.kb,
        ctx.deal,
        amounts_in=amounts_in,
    )
    return await _reply(ctx, draft, "draft.exploding_offer", ["drafts.template", "drafts.their-deadline"])


async def _told(ctx: Context, p: Payload, key: str, limit: int) -> None:
    """The words after the command (`draft counter: …`) are the fact the draft is built on:
    recorded when new, cut to `limit` characters."""
    assert ctx.deal is not None
    said = (p.rest or "").strip()
    if said and said != ctx.deal.fact(key):
        await ctx.set_fact(key, said[:limit])


@skill("draft.counter_proposal", payload=Payload)
async def draft_counter(ctx: Context, p: Payload) -> Reply:
    assert ctx.deal is not None
    await _told(ctx, p, "counter_offer", 500)  # "draft counter: E5 at today's price"
    missing = ctx.missing(["counter_offer", "counter_justification"])
    if missing:
        return await ctx.ask(
            missing[:1],  # one free-text question at a time: a text answer fills only one
            resume={"intent": "draft.counter_proposal", "user_text": ""},
            intro="For the counter I need:",
        )
    draft = draft_templates.render(
        "counter_proposal", draft_templates.counter_values(ctx.deal), ctx.kb, ctx.deal, amounts_in=amounts_in
    )
    return await _reply(
        ctx, draft, "draft.counter_proposal", ["drafts.template", "drafts.justify", "drafts.no-budget"]
    )


@skill("draft.agenda_request", payload=Payload)
async def draft_agenda(ctx: Context, p: Payload) -> Reply:
    assert ctx.deal is not None
    await _told(ctx, p, "agenda_item", 300)  # "draft agenda request: the E5 price hold"
    if ctx.missing(["agenda_item"]):
        return await ctx.ask(["agenda_item"], resume={"intent": "draft.agenda_request", "user_text": ""})
    draft = draft_templates.render(
        "agenda_request",
        draft_templates.agenda_values(ctx.deal, ctx.now),
        ctx.kb,
        ctx.deal,
        amounts_in=amounts_in,
    )
    return await _reply(ctx, draft, "draft.agenda_request", ["drafts.template", "drafts.agenda"])


# --- follow-ups on the last draft ---------------------------------------------------------

MAX_INSTRUCTIONS = 6  # older follow-ups drop off; the prompt stays small


class Revision(Payload):
    """A follow-up on the last draft. The patterns of knowledge/llm.yaml name what to add
    (`what`: "add the price-cap ask") or how to rewrite it (`how`); the drafter is handed the
    follow-up's own words, so the skill reads neither."""

    what: Words | None = None
    how: Words | None = None


@skill("draft.revise", payload=Revision)
async def draft_revise(ctx: Context, _: Revision) -> Reply:
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


# The template drafts a follow-up can render again, by intent.
_TEMPLATE_DRAFTS = Skills.build(
    (draft_escalation, draft_confirm, draft_exploding, draft_counter, draft_agenda)
)


async def _template_again(ctx: Context, kind: str) -> str | None:
    """A draft logged without its text (by a template-only skill): render it again."""
    name = f"draft.{kind}"
    if name not in _TEMPLATE_DRAFTS.table:
        return None
    saved = ctx.intent
    ctx.intent = Intent(name, {}, "")
    try:
        reply = await _TEMPLATE_DRAFTS.run(name, ctx)
    finally:
        ctx.intent = saved
    return reply.draft
