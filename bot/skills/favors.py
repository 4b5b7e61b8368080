"""The favor ledger: log favors, “should I ask Jane for X?”, “who do I ask about Y?”, jars."""

from __future__ import annotations

import re

from bot.context import Context
from bot.playbooks import counter_moves
from bot.playbooks import favors as fv
from bot.playbooks.people import name_and_role, short_role
from bot.reply import Action, Item, Reply, Section
from bot.skills import skill
from bot.timeline import CONTACT, UNDO, DealView, Event


def _jar_line(ctx: Context, name: str) -> tuple[str, fv.Jar]:
    assert ctx.deal is not None
    cfg = fv.config(ctx.kb)
    jar = fv.jar(list(ctx.deal.live_events(fv.FAVOR)), name, ctx.now, cfg)
    given = "nothing given back yet" if not jar.given else f"{jar.given} given back"
    asks = f"{jar.requests} ask{'s' if jar.requests != 1 else ''}"
    return f"{asks} in the last {cfg.window_days} days, {given}; jar about {jar.balance} of {jar.size}.", jar


@skill("favors.log")
async def log_favor(ctx: Context) -> Reply:
    assert ctx.deal is not None
    kb = ctx.kb
    parsed = fv.parse_favor(ctx.intent.args.get("rest") or ctx.intent.text)
    if parsed is None:
        return Reply(
            headline="Say who and what, e.g. `log favor: asked Ana (CSM) to expedite the workshop`.",
            intent="favors.log",
        )
    name, role, rest = name_and_role(parsed.who, kb)
    existing = ctx.deal.contact(name) if name else None
    if not name or (role is None and existing is None):
        return Reply(
            headline=f"Who is {name or 'that'}? Add the role once, e.g. `log favor: asked "
            f"{name or 'Ana'} (CSM) ...`.",
            intent="favors.log",
        )
    role_key = role.key if role else existing.role  # type: ignore[union-attr]
    what = fv.clean_what(parsed.what or rest)
    full = f"{parsed.what or ''} {rest}"
    topic = fv.topic_of(full, kb)
    contact = (
        existing
        if existing and role is None
        else await ctx.upsert_contact(existing.name if existing else name, role_key)
    )
    created = existing is None  # this favor brought the contact: undoing it withdraws them too
    kpi = fv.aligned_kpi(fv.kpis_for(contact, role_key, kb), topic) if parsed.direction != "given" else None
    event = await ctx.log(
        fv.FAVOR,
        {
            "contact": contact.name,
            "role": role_key,
            "direction": parsed.direction,
            "what": what,
            "size": fv.size_of(full, kb),
            "topic": topic.key if topic else None,
            "aligned": kpi is not None,
        },
        at=counter_moves.when_said(ctx.intent.text, ctx.now, ctx.tz),  # "we asked the CSM about a month ago"
    )
    line, jar = _jar_line(ctx, contact.name)
    items = [Item(f"{contact.name} ({short_role(kb, role_key)}): {line}", rule="favors.jar")]
    if kpi:
        items.append(
            Item(kb.say("favors.kpi-aligned", name=contact.name, kpi=kpi), rule="favors.kpi-aligned")
        )
    elif jar.balance < fv.config(kb).costs["medium"]:
        items.append(Item(kb.say("favors.give-first"), rule="favors.give-first"))
    return Reply(
        headline=f"Logged: {parsed.direction} {contact.name} — {what}.",
        intent="favors.log",
        verdict="logged",
        verdict_label="Logged:",
        sections=[Section(items=items)],
        actions=[
            Action(
                "Undo",
                {
                    "intent": "favors.undo",
                    "event_id": event.id,
                    "new_contact": contact.name if created else None,
                },
            )
        ],
    )


def _mentions(deal: DealView, name: str) -> list[Event]:
    """Live events other than contact bookkeeping that name this contact."""
    key = name.casefold()
    return [
        e
        for e in deal.live_events()
        if e.kind not in (CONTACT, UNDO)
        and any(str(e.payload.get(f) or "").casefold() == key for f in ("contact", "name", "by"))
    ]


@skill("favors.undo")
async def undo_favor(ctx: Context) -> Reply:
    """Undo a logged favor; a contact that favor created is withdrawn with it, unless something
    else on the deal names them (then they stay, and the reply says why)."""
    assert ctx.deal is not None
    wanted = str(ctx.intent.args.get("event_id"))
    target = next((e for e in ctx.deal.live_events(fv.FAVOR) if str(e.id) == wanted), None)
    if target is None:
        return Reply(headline="Nothing to undo (it may have been undone already).", intent="undo")
    await ctx.log(UNDO, {"event_id": target.id, "kind": target.kind})
    headline = f"Undone: favor — {target.payload.get('what')}."
    name = ctx.intent.args.get("new_contact")
    items: list[Item] = []
    if name and ctx.deal.contact(str(name)) is not None:
        others = _mentions(ctx.deal, str(name))
        if others:
            kinds = ", ".join(dict.fromkeys(e.kind.replace("_", " ") for e in others))
            items.append(Item(f"{name} stays on the contact map: other entries name them ({kinds})."))
        else:
            await ctx.memory.set_contact_active(ctx.deal.id, str(name), False)
            for e in ctx.deal.live_events(CONTACT):
                if str(e.payload.get("name") or "").casefold() == str(name).casefold():
                    await ctx.log(UNDO, {"event_id": e.id, "kind": e.kind})
            items.append(Item(f"{name} came with that favor, so they are off the contact map again."))
    return Reply(headline=headline, intent="undo", sections=[Section(items=items)] if items else [])


@skill("favors.should_ask")
async def should_ask(ctx: Context) -> Reply:
    assert ctx.deal is not None
    args = ctx.intent.args
    name, what = args.get("name"), args.get("what")
    if not name:
        name, _, rest = name_and_role(args.get("rest", ""), ctx.kb)
        what = fv.clean_what(rest)
    if not name:
        return Reply(
            headline="Ask me like this: `should I ask Jane for a price hold?`", intent="favors.should_ask"
        )
    d = fv.should_ask(ctx.deal, name, what or "", ctx.kb, ctx.now)
    items = [Item(ctx.kb.say(rule, **values), rule=rule) for rule, values in d.rules]
    labels = {"ask": "Go ahead.", "find_aligned_contact": "Ask someone else.", "unlikely": "Unlikely."}
    who = d.contact.name if d.contact else name
    headline = {
        "ask": f"Go ahead and ask {who}.",
        "find_aligned_contact": (
            f"Ask someone else. Try {', '.join(c.name for c in d.aligned_with)}."
            if d.aligned_with
            else "Ask someone whose job this is."
        ),
        "unlikely": f"Unlikely. I wouldn't ask {who} for this now.",
    }[d.verdict]
    return Reply(
        headline=headline,
        intent="favors.should_ask",
        verdict=d.verdict,
        verdict_label=labels[d.verdict],
        sections=[Section(items=items)],
    )


@skill("favors.who")
async def who(ctx: Context) -> Reply:
    assert ctx.deal is not None
    kb = ctx.kb
    what = ctx.intent.args.get("what") or ctx.intent.args.get("rest") or ctx.intent.text
    topic = fv.topic_of(what, kb)
    contacts = fv.aligned_contacts(ctx.deal, topic, kb)
    roles = fv.aligned_roles(topic, kb)
    if not topic or (not contacts and not roles):
        return Reply(
            headline="Nobody is rewarded for this one; it's a favor whoever you ask.",
            intent="favors.who",
            verdict="no_aligned_role",
            verdict_label="Nobody is rewarded",
            sections=[Section(items=[Item(kb.say("favors.no-aligned-role"), rule="favors.no-aligned-role")])],
        )
    cfg = fv.config(kb)
    ranked = sorted(
        contacts, key=lambda c: -fv.jar(list(ctx.deal.live_events(fv.FAVOR)), c.name, ctx.now, cfg).balance
    )
    items = []
    for c in ranked:
        kpi = fv.aligned_kpi(fv.kpis_for(c, None, kb), topic)
        items.append(
            Item(f"{c.name} ({short_role(kb, c.role)}): rewarded for {kpi}.", rule="favors.kpi-aligned")
        )
    for r in roles:
        if not any(c.role == r for c in contacts):
            kpi = fv.aligned_kpi(list(kb.roles[r].kpis), topic)
            items.append(
                Item(
                    f"The {kb.roles[r].title} (nobody on the map yet): rewarded for {kpi}.",
                    rule="favors.kpi-aligned",
                )
            )
    names = ", ".join(c.name for c in ranked) or ", ".join(f"the {kb.roles[r].title}" for r in roles)
    return Reply(
        headline=f"For {topic.label}, ask {names}: it serves their goals, so it's no favor.",
        intent="favors.who",
        verdict="find_aligned_contact",
        verdict_label="For",
        sections=[Section(items=items)],
    )


@skill("favors.balance")
async def balance(ctx: Context) -> Reply:
    assert ctx.deal is not None
    kb = ctx.kb
    name = (ctx.intent.args.get("name") or ctx.intent.args.get("rest") or "").strip(" ?")
    cfg = fv.config(kb)
    if not name:
        if not ctx.deal.contacts:
            return Reply(
                headline="No Microsoft contacts on this deal yet. Log a favor or a commitment to add one.",
                intent="favors.balance",
                verdict="empty",
                verdict_label="No Microsoft contacts",
            )
        items = []
        for c in ctx.deal.contacts:
            line, _ = _jar_line(ctx, c.name)
            gone = "" if c.active else " (no longer on the deal)"
            items.append(Item(f"{c.name} ({short_role(kb, c.role)}){gone}: {line}", rule="favors.jar"))
        return Reply(
            headline=f"Contact map for {ctx.deal.name}:",
            intent="favors.balance",
            verdict="map",
            verdict_label="Contact map",
            sections=[Section(items=items)],
            footer=kb.say("favors.jar", days=cfg.window_days),
        )
    contact = ctx.deal.contact(name)
    if contact is None:
        return Reply(
            headline=f"I don't have {name} on this deal.",
            intent="favors.balance",
            verdict="unknown_contact",
            verdict_label="I don't have",
        )
    line, jar = _jar_line(ctx, contact.name)
    history = [
        Item(f"{e.at:%Y-%m-%d} {e.direction}: {e.what} ({'+' if e.delta >= 0 else ''}{e.delta})")
        for e in jar.entries
    ] or [Item("No favors logged in the window.")]
    kpis = ", ".join(fv.kpis_for(contact, None, kb)) or "not recorded"
    return Reply(
        headline=f"{contact.name} ({short_role(kb, contact.role)}): jar about {jar.balance} of {jar.size}.",
        intent="favors.balance",
        verdict="balance",
        verdict_label=contact.name,
        sections=[
            Section(items=[Item(line, rule="favors.jar"), Item(f"Rewarded for: {kpis}.")]),
            Section(title="History", items=history),
        ],
        footer=kb.say("favors.jar", days=cfg.window_days),
    )


@skill("contacts.kpis")
async def set_kpis(ctx: Context) -> Reply:
    assert ctx.deal is not None
    args = ctx.intent.args
    if "rest" in args:
        name, _, kpis_text = args["rest"].partition(":")
    else:
        name, kpis_text = args.get("name", ""), args.get("kpis", "")
    contact = ctx.deal.contact(name.strip()) if name.strip() else None
    kpis = [k.strip(" .") for k in re.split(r",|;|\band\b", kpis_text) if k.strip(" .")]
    if contact is None or not kpis:
        return Reply(
            headline="Name a contact on this deal and their KPIs: `kpis Ana: Copilot adoption, renewals`.",
            intent="contacts.kpis",
        )
    updated = await ctx.upsert_contact(contact.name, contact.role, kpis)
    return Reply(
        headline=f"{updated.name} ({short_role(ctx.kb, updated.role)}) is measured on: "
        f"{', '.join(updated.kpis)}.",
        intent="contacts.kpis",
        verdict="noted",
        verdict_label=updated.name,
        sections=[
            Section(
                items=[
                    Item(
                        "I'll use these instead of the role's defaults when judging asks.",
                        rule="favors.kpi-aligned",
                    )
                ]
            )
        ],
    )
