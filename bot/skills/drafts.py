"""Skills: drafts from templates — the escalation note, confirming a conversation, a deadline reply."""

from __future__ import annotations

from bot.context import Context
from bot.drafting.glue import polish
from bot.playbooks import drafts
from bot.reply import Action, Item, Reply, Section
from bot.skills import skill
from bot.timeline import FACT, MS_STATEMENT


async def _reply(
    ctx: Context, draft: drafts.Draft, intent: str, rules: list[str], actions: list[Action] | None = None
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


@skill("draft.escalation")
async def draft_escalation(ctx: Context) -> Reply:
    assert ctx.deal is not None
    missing = ctx.missing(["sticking_point", "escalation_ask"])
    if missing:
        return await ctx.ask(
            missing, resume={"intent": "draft.escalation", "user_text": ""}, intro="For the note I need:"
        )
    draft = drafts.render("escalation", drafts.escalation_values(ctx.deal, ctx.kb), ctx.kb, ctx.deal)
    return await _reply(
        ctx,
        draft,
        "draft.escalation",
        ["drafts.template", "drafts.no-budget", "drafts.no-blame"],
        [Action("We sent it: log the escalation", {"intent": "escalation.log"})],
    )


@skill("draft.confirm")
async def draft_confirm(ctx: Context) -> Reply:
    assert ctx.deal is not None
    deal = ctx.deal
    said = str(ctx.intent.args.get("rest") or "").strip()
    at, role = None, "ae"
    if not said:
        wanted = ctx.intent.args.get("event_id")
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
    values = drafts.confirm_values(deal, said, at, role, ctx.now)
    draft = drafts.render("confirm", values, ctx.kb, deal)
    return await _reply(ctx, draft, "draft.confirm", ["drafts.template", "drafts.in-writing"])


@skill("draft.exploding_offer")
async def draft_exploding(ctx: Context) -> Reply:
    assert ctx.deal is not None
    draft = drafts.render("exploding_offer", drafts.exploding_values(ctx.deal, ctx.now), ctx.kb, ctx.deal)
    return await _reply(ctx, draft, "draft.exploding_offer", ["drafts.template", "drafts.their-deadline"])


@skill("draft.counter_proposal")
async def draft_counter(ctx: Context) -> Reply:
    assert ctx.deal is not None
    said = str(ctx.intent.args.get("rest") or "").strip()
    if said and said != ctx.deal.fact("counter_offer"):  # "draft counter: E5 at today's price"
        await ctx.set_fact("counter_offer", said[:500])
    missing = ctx.missing(["counter_offer", "counter_justification"])
    if missing:
        return await ctx.ask(
            missing[:1],  # one free-text question at a time: a text answer fills only one
            resume={"intent": "draft.counter_proposal", "user_text": ""},
            intro="For the counter I need:",
        )
    draft = drafts.render("counter_proposal", drafts.counter_values(ctx.deal), ctx.kb, ctx.deal)
    return await _reply(
        ctx, draft, "draft.counter_proposal", ["drafts.template", "drafts.justify", "drafts.no-budget"]
    )


@skill("draft.agenda_request")
async def draft_agenda(ctx: Context) -> Reply:
    assert ctx.deal is not None
    said = str(ctx.intent.args.get("rest") or "").strip()
    if said and said != ctx.deal.fact("agenda_item"):  # "draft agenda request: the E5 price hold"
        await ctx.set_fact("agenda_item", said[:300])
    if ctx.missing(["agenda_item"]):
        return await ctx.ask(["agenda_item"], resume={"intent": "draft.agenda_request", "user_text": ""})
    draft = drafts.render("agenda_request", drafts.agenda_values(ctx.deal, ctx.now), ctx.kb, ctx.deal)
    return await _reply(ctx, draft, "draft.agenda_request", ["drafts.template", "drafts.agenda"])
