"""Skill: the deal brief in chat (a Reply with one section per part of the one-pager)."""

from __future__ import annotations

import re

from bot.context import Context
from bot.playbooks import brief as br
from bot.playbooks.people import find_role
from bot.reply import Action, Reply, Section
from bot.skills import skill

# "brief for the AE" / "addressed to their area VP": a Microsoft reader; anyone else is ours.
_FOR = re.compile(r"\b(?:for|addressed to)\b(.*)", re.IGNORECASE)
# Only the reader right after "for": "for our CFO before she calls their VP" is for our CFO.
_READER_END = re.compile(r"[,.;:!?]|\b(?:before|ahead|so|when|who|because|and|to|about|on)\b", re.IGNORECASE)
MAX_BUTTONS = 10  # one button per missing fact, the first few only: a brief is not a form


def audience_of(text: str, ctx: Context) -> str:
    m = _FOR.search(text or "")
    reader = _READER_END.split(m.group(1), maxsplit=1)[0] if m else ""
    role = find_role(reader, ctx.kb) if reader.strip() else None
    return role.key if role else br.INTERNAL


def to_reply(brief: br.Brief) -> Reply:
    sections = [Section(items=[brief.marking])]
    sections += [Section(title=s.title, items=s.items) for s in brief.sections]
    actions = [Action(f"Add: {m.label}", m.action) for m in brief.missing[:MAX_BUTTONS]]
    return Reply(
        headline=brief.headline,
        intent="deal.brief",
        verdict="internal" if brief.internal else "for_microsoft",
        sections=sections,
        actions=actions,
    )


@skill("deal.brief")
async def deal_brief(ctx: Context) -> Reply:
    assert ctx.deal is not None
    audience = str(ctx.intent.args.get("audience") or audience_of(ctx.intent.text, ctx))
    return to_reply(br.build(ctx.deal, ctx.kb, ctx.now, audience))
