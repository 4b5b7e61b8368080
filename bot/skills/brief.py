"""Skill: the deal brief in chat (a Reply with one section per part of the one-pager), its PDF
and timeline picture as attachments for the surfaces that take them, and the summary paragraph
polished by the LLM when one is configured."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from bot.actions import Payload
from bot.context import Context
from bot.knowledge import Knowledge
from bot.playbooks import brief as br
from bot.playbooks import offers as po
from bot.playbooks.people import find_role
from bot.reply import Action, Attachment, Item, Reply, Section
from bot.skills import skill
from bot.understanding.money import amounts_in

if TYPE_CHECKING:
    from datetime import datetime

    from bot.memory import Memory
    from bot.timeline import DealView

# "brief for the AE" / "addressed to their area VP": a Microsoft reader; anyone else is ours.
_FOR = re.compile(r"\b(?:for|addressed to)\b(.*)", re.IGNORECASE)
# Only the reader right after "for": "for our CFO before she calls their VP" is for our CFO.
_READER_END = re.compile(r"[,.;:!?]|\b(?:before|ahead|so|when|who|because|and|to|about|on)\b", re.IGNORECASE)
_FILE_SAFE = re.compile(r"[^A-Za-z0-9]+")
MAX_BUTTONS = 10  # one button per missing fact, the first few only: a brief is not a form
POLISH_KIND = "brief"  # knowledge/llm.yaml kinds: what the summary's prompt may carry


def audience_of(text: str, ctx: Context) -> str:
    m = _FOR.search(text or "")
    reader = _READER_END.split(m.group(1), maxsplit=1)[0] if m else ""
    role = find_role(reader, ctx.kb) if reader.strip() else None
    return role.key if role else br.INTERNAL


def to_reply(brief: br.Brief) -> Reply:
    sections = [Section(items=[brief.marking])]
    sections += [Section(title=s.title, items=list(s.items)) for s in brief.sections]
    actions = [Action(f"Add: {m.label}", m.action) for m in brief.missing[:MAX_BUTTONS]]
    return Reply(
        headline=brief.headline,
        intent="deal.brief",
        verdict="internal" if brief.internal else "for_microsoft",
        sections=sections,
        actions=actions,
    )


def file_stem(brief: br.Brief) -> str:
    name = _FILE_SAFE.sub("-", brief.deal).strip("-")[:60] or "deal"
    reader = "internal" if brief.internal else f"for-{brief.audience}"
    return f"brief-{name}-{reader}"


def attachments(
    brief: br.Brief, kb: Knowledge, offers: Sequence[tuple[int, float]] = (), currency: str | None = None
) -> list[Attachment]:
    """The PDF (Slack posts it as a file) and the small timeline PNG (Teams shows it in the
    card). Both are drawn by the adapter after the turn, from the brief as it stands then (the
    polished summary included); matplotlib is imported only inside these."""
    pic: br.PictureConfig = kb.section("brief.brief").picture

    def pdf() -> bytes:
        from bot import brief_document, brief_picture

        png = brief_picture.render(brief.marks, brief.today, brief.renewal, dpi=pic.document_dpi)
        more = []
        if offers:  # Microsoft's total per year, round by round (bot/offers/picture.py)
            from bot.offers import picture as offers_picture

            more.append(offers_picture.render(offers, currency, dpi=pic.document_dpi))
        return brief_document.to_pdf(brief, png, more)

    def card_png() -> bytes:
        from bot import brief_picture

        return brief_picture.render(
            brief.marks, brief.today, brief.renewal, dpi=pic.card_dpi, colors=pic.card_colors
        )

    stem = file_stem(brief)
    no_file, no_picture = kb.say("brief.file-unavailable"), kb.say("brief.picture-unavailable")
    return [
        Attachment("document", f"{stem}.pdf", brief.headline, pdf, no_file),
        Attachment("picture", f"{stem}.png", "Renewal timeline", card_png, no_picture),
    ]


def _polish(ctx: Context, brief: br.Brief, reply: Reply) -> None:
    """With a drafter configured, the summary paragraph goes through it after the turn commits
    (drafting guardrails: allowed facts only, figures checked, timeout, budget, kill switch; any
    failure keeps the template). A brief for Microsoft sends only the paragraph it already shows,
    never a fact: the secret figures go along only as what the checks must refuse."""
    drafter = ctx.services.drafter
    template = brief.summary
    shown = next((s for s in reply.sections if s.items and s.items[0].text == template), None)
    if drafter is None or shown is None or ctx.deal is None:
        return
    from bot.llm import DraftRequest
    from bot.llm.policy import is_secret_key
    from bot.llm.polish import explain, run_drafter

    facts = dict(ctx.deal.facts)
    if not brief.internal:
        facts = {k: v for k, v in facts.items() if is_secret_key(k, ctx.kb)}
    request = DraftRequest(
        kind=POLISH_KIND,
        facts=facts,
        template_text=template,
        tenant=ctx.memory.tenant.id,
        names=tuple(c.name for c in ctx.deal.contacts),
        now=ctx.now,
    )
    kb = ctx.kb

    async def finish(reply: Reply, tx: Callable[[], AbstractAsyncContextManager[Memory]]) -> Reply:
        result = await run_drafter(drafter, request, kb)
        if result.source == "llm":
            brief.set_summary(result.text)  # the PDF drawn after this carries it too
            shown.items[0] = Item(result.text)
        shown.items.append(explain(kb, result))
        return reply

    ctx.defer(finish)


def compose(deal: DealView, kb: Knowledge, now: datetime, audience: str) -> tuple[br.Brief, Reply]:
    """The brief of a deal for one reader, as every surface shows it: the one-pager with
    Microsoft's offers round by round, its Reply, and the PDF and timeline picture attached.
    The chat skill below and `coach deal brief` both call this."""
    brief = br.build(deal, kb, now, audience, amounts_in=amounts_in)
    offers = po.offers_of(deal)
    if offers:  # Microsoft's offers, round by round, after the rounds they counted in
        items = po.brief_items(offers, deal.facts, kb, internal=brief.internal)
        at = next((i + 1 for i, s in enumerate(brief.sections) if s.key == "rounds"), len(brief.sections))
        brief.sections.insert(at, br.BriefSection("offers", "Microsoft's offers, round by round", items))
    reply = to_reply(brief)
    points = po.totals_by_round(offers)
    reply.attachments = attachments(brief, kb, points, offers[-1].offer.currency if offers else None)
    return brief, reply


class BriefFor(Payload):
    """Who the brief is for: `internal` or a Microsoft role's key (`ae`, `avp`, …); without it,
    the words say ("brief for the AE"), else it is internal."""

    audience: Annotated[str, Field(max_length=64, pattern=r"^[a-z][a-z0-9_]*$")] | None = None


@skill("deal.brief", payload=BriefFor)
async def deal_brief(ctx: Context, p: BriefFor) -> Reply:
    assert ctx.deal is not None
    known = p.audience is not None and (p.audience == br.INTERNAL or ctx.kb.role(p.audience) is not None)
    audience = p.audience if known and p.audience else audience_of(ctx.intent.text, ctx)
    brief, reply = compose(ctx.deal, ctx.kb, ctx.now, audience)
    _polish(ctx, brief, reply)
    return reply
