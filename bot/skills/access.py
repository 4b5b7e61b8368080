"""Who sees a deal, in chat: `deal share NAME with @person`, `deal unshare`, `deal members`,
`deal audit`, and the workspace's `workspace open-deals on|off` (docs/security.md).

A deal named here that the person may not see is answered exactly as a deal that does not
exist: nobody learns another person's deal by guessing its name."""

from __future__ import annotations

import re

from bot.access import named_people, shown_person
from bot.actions import Payload, Words
from bot.context import Context
from bot.db.models import Deal
from bot.reply import Item, Reply, Section
from bot.skills import skill

MAX_AUDIT_SHOWN = 15
# "deal share Woodgrove EA renewal with @jane": the name, then who (the last "with"/"from").
# A trailing "with" with no one after it (the coach's own mention was taken out) names no one.
_NAME_AND_WHO = re.compile(r"^(?P<name>(?:.*\s)?)(?:with|from)(?:\s+(?P<who>.+))?$", re.I | re.S)
_THIS = {"", "this", "it", "this deal", "the deal", "our deal", "this one"}


class Share(Payload):
    """`deal share NAME with @person` (the command's `rest`), or the people a sentence names
    (the pattern's `people`: "share this deal with @jane")."""

    people: Words | None = None


def _parts(p: Share) -> tuple[str, str]:
    """(deal name as said, who) from the command's rest or the pattern's `people`."""
    if p.people is not None:
        return "", p.people
    rest = " ".join((p.rest or "").split())
    m = _NAME_AND_WHO.match(rest)
    if m is not None:
        return m.group("name"), m.group("who") or ""
    named = named_people(rest, "slack")  # "share this deal <@U2>": who, and no name
    return ("", rest) if named.people or named.channel else (rest, "")


def _clean_name(name: str) -> str:
    return " ".join(name.split()).strip("\"'“”")


async def _deal(ctx: Context, name: str) -> Deal | Reply:
    """The deal a request names (or the conversation's active one), or the answer to give."""
    name = _clean_name(name)
    if name.casefold() in _THIS:
        if ctx.deal is not None:
            deal = await ctx.memory.get_deal(ctx.deal.id)
            if deal is not None:
                return deal
        if ctx.hidden_deal is not None:
            return await refuse(ctx)
        return Reply(
            headline="There's no active deal in this conversation yet. Name one: `deal members NAME`.",
            intent=ctx.intent.name,
        )
    deal = await ctx.memory.find_visible(name, ctx.person)
    if deal is None:
        return await unknown_deal(ctx, name)
    return deal


UNKNOWN_DEAL = "unknown_deal"  # the intent of a reply about a deal that is not there (for this person)


async def unknown_deal(ctx: Context, name: str) -> Reply:
    """The one answer for a deal that does not exist and for one the person may not see."""
    names = [d.name for d in await ctx.memory.list_deals(ctx.person)]
    hint = (
        ctx.kb.say("access.your-deals", names=", ".join(names[:10]))
        if names
        else ctx.kb.say("access.no-deals")
    )
    said = ctx.kb.say("access.unknown", name=name[:80]) if name else "I couldn't tell which deal you mean."
    return Reply(headline=f"{said} {hint}", intent=ctx.intent.name)


async def refuse(ctx: Context) -> Reply:
    """A person who may not see the conversation's deal: one line, nothing of the deal; the
    attempt goes into the deal's audit trail."""
    if ctx.hidden_deal is not None:
        await ctx.memory.audit(ctx.hidden_deal, ctx.turn.user, "denied", ctx.now, detail=ctx.intent.name)
    return Reply(headline=ctx.kb.say("access.not-yours"), intent="access.denied")


# Why a surface could not vouch for a mentioned person (Turn.mentions_refused), most serious first.
_REFUSED = ("outside", "not-a-person", "unknown")


def refused_mentions(ctx: Context, intent: str) -> Reply | None:
    """A share or unshare that mentions someone the surface could not vouch for as a person of
    the organisation changes nothing: one line, about the most serious reason."""
    refused = ctx.turn.mentions_refused
    if not refused:
        return None
    for why in _REFUSED:
        names = [name for name, said in refused.items() if said == why]
        if names:
            people = ", ".join(n[:80] for n in names)
            return Reply(headline=ctx.kb.say(f"access.mention-{why}", people=people), intent=intent)
    return Reply(headline=ctx.kb.say("access.mention-unknown", people=", ".join(refused)), intent=intent)


def _people(users: list[str] | tuple[str, ...], platform: str) -> str:
    return ", ".join(shown_person(u, platform) for u in users)


@skill("deal.share", needs_deal=False, payload=Share)
async def share(ctx: Context, p: Share) -> Reply:
    name, who = _parts(p)
    found = await _deal(ctx, name)
    if isinstance(found, Reply):
        return found
    if (refused := refused_mentions(ctx, "deal.share")) is not None:
        return refused
    deal, platform = found, ctx.turn.platform
    named = named_people(who, platform)
    if named.channel:
        if not ctx.turn.private_channel:
            return Reply(headline=ctx.kb.say("access.channel-not-private"), intent="deal.share")
        if await ctx.memory.share_channel(deal.id, ctx.turn.conversation, ctx.turn.user, ctx.now):
            await ctx.memory.audit(
                deal.id, ctx.turn.user, "share", ctx.now, detail=f"channel {ctx.turn.conversation}"
            )
        if not named.people:
            return Reply(headline=ctx.kb.say("access.channel-shared", deal=deal.name), intent="deal.share")
    if not named.people:
        say = "access.mention" if named.unclear else "access.who"
        return Reply(headline=ctx.kb.say(say, deal=deal.name), intent="deal.share")
    added, already = [], []
    for user in named.people:
        if await ctx.memory.add_member(deal.id, user, ctx.turn.user, ctx.now):
            added.append(user)
            await ctx.memory.audit(deal.id, ctx.turn.user, "share", ctx.now, detail=user)
        else:
            already.append(user)
    lines = []
    if added:
        lines.append(ctx.kb.say("access.shared", deal=deal.name, people=_people(added, platform)))
    if already:
        lines.append(ctx.kb.say("access.already", deal=deal.name, people=_people(already, platform)))
    if named.channel:
        lines.append(ctx.kb.say("access.channel-shared", deal=deal.name))
    return Reply(headline=" ".join(lines), intent="deal.share")


@skill("deal.unshare", needs_deal=False, payload=Share)
async def unshare(ctx: Context, p: Share) -> Reply:
    name, who = _parts(p)
    found = await _deal(ctx, name)
    if isinstance(found, Reply):
        return found
    if (refused := refused_mentions(ctx, "deal.unshare")) is not None:
        return refused
    deal, platform = found, ctx.turn.platform
    named = named_people(who, platform)
    lines = []
    if named.channel:
        if await ctx.memory.unshare_channel(deal.id, ctx.turn.conversation):
            await ctx.memory.audit(
                deal.id, ctx.turn.user, "unshare", ctx.now, detail=f"channel {ctx.turn.conversation}"
            )
        lines.append(ctx.kb.say("access.channel-unshared", deal=deal.name))
    if not named.people:
        if not lines:
            say = "access.mention" if named.unclear else "access.who"
            return Reply(headline=ctx.kb.say(say, deal=deal.name), intent="deal.unshare")
        return Reply(headline=" ".join(lines), intent="deal.unshare")
    members = {m.user for m in await ctx.memory.members(deal.id)}
    gone = [u for u in named.people if u in members]
    missing = [u for u in named.people if u not in members]
    if gone and len(members - set(gone)) == 0:
        return Reply(headline=ctx.kb.say("access.last-member", deal=deal.name), intent="deal.unshare")
    for user in gone:
        await ctx.memory.remove_member(deal.id, user)
        await ctx.memory.audit(deal.id, ctx.turn.user, "unshare", ctx.now, detail=user)
    if gone:
        lines.append(ctx.kb.say("access.unshared", deal=deal.name, people=_people(gone, platform)))
    if missing:
        lines.append(ctx.kb.say("access.not-member", deal=deal.name, people=_people(missing, platform)))
    return Reply(headline=" ".join(lines), intent="deal.unshare")


@skill("deal.members", needs_deal=False, payload=Payload)
async def members(ctx: Context, p: Payload) -> Reply:
    found = await _deal(ctx, p.rest or "")
    if isinstance(found, Reply):
        return found
    deal, platform = found, ctx.turn.platform
    items = [
        Item(shown_person(m.user, platform) + ("" if m.via == "shared" else f" ({m.via})"))
        for m in await ctx.memory.members(deal.id)
    ]
    for channel in await ctx.memory.channels(deal.id):
        here = channel == ctx.turn.conversation
        shown = "this channel" if here else (f"<#{channel}>" if platform == "slack" else "a private channel")
        items.append(Item(f"{shown}: whoever speaks there, while it is private and internal"))
    footer = ctx.kb.say("access.open-workspace") if await ctx.memory.open_deals() else None
    return Reply(
        headline=ctx.kb.say("access.members", deal=deal.name),
        intent="deal.members",
        sections=[Section(items=items)],
        footer=footer,
    )


@skill("deal.audit", needs_deal=False, payload=Payload)
async def audit(ctx: Context, p: Payload) -> Reply:
    found = await _deal(ctx, p.rest or "")
    if isinstance(found, Reply):
        return found
    rows = await ctx.memory.audit_trail(found.id)
    if not rows:
        return Reply(headline=ctx.kb.say("access.audit-empty", deal=found.name), intent="deal.audit")
    shown = rows[-MAX_AUDIT_SHOWN:]
    return Reply(
        headline=ctx.kb.say("access.audit", deal=found.name, shown=len(shown), count=len(rows)),
        intent="deal.audit",
        sections=[Section(items=[Item(audit_line(r, ctx.turn.platform)) for r in shown])],
        footer="`coach deal audit NAME` prints all of it.",
    )


def audit_line(row: object, platform: str = "console") -> str:
    """`2026-11-23 09:00 UTC  u1  console  read deal.show  budget_per_year`"""
    at, actor, surface, action, detail, keys = row  # type: ignore[misc]
    what = f"{action} {detail}" if detail else action
    facts = f": {', '.join(keys)}" if keys else ""
    return f"{at:%Y-%m-%d %H:%M} UTC · {shown_person(actor, platform)} · {surface} · {what}{facts}"


@skill("workspace.open_deals", needs_deal=False, payload=Payload)
async def open_deals(ctx: Context, p: Payload) -> Reply:
    word = (p.rest or "").strip().casefold()
    if word not in ("on", "off"):
        state = (
            "open to every member of this workspace"
            if await ctx.memory.open_deals()
            else "seen only by their members"
        )
        return Reply(headline=ctx.kb.say("access.open-state", state=state), intent="workspace.open_deals")
    if not ctx.turn.is_admin:
        return Reply(headline=ctx.kb.say("access.admin-only"), intent="workspace.open_deals")
    await ctx.memory.set_open_deals(word == "on", ctx.turn.user, ctx.now)
    await ctx.memory.audit(None, ctx.turn.user, "open-deals", ctx.now, detail=word)
    return Reply(headline=ctx.kb.say(f"access.open-{word}"), intent="workspace.open_deals")
