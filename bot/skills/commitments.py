"""The verbal-commitments register: log, list, move on, and contact changes."""

from __future__ import annotations

import re

from bot.actions import Key, Name, Payload, RowId
from bot.context import Context
from bot.knowledge import RoleSpec
from bot.playbooks import commitments
from bot.playbooks.people import find_role, name_and_role, short_role
from bot.reply import Action, Item, Reply, Section
from bot.skills import skill
from bot.timeline import Contact


def _warnings(ctx: Context) -> list[Item]:
    assert ctx.deal is not None
    w = commitments.signature_warning(ctx.deal, ctx.kb, ctx.now)
    return [Item(ctx.kb.say(w.rule, **w.values), rule=w.rule)] if w else []


def _confirm_actions(items: list[commitments.Commitment]) -> list[Action]:
    return [
        Action(
            f"Draft “confirming our conversation” ({c.contact})",
            commitments.confirm_action(c),
            style="primary",
        )
        for c in items[:3]
    ]


@skill("commitments.log")
async def log_commitment(ctx: Context) -> Reply:
    assert ctx.deal is not None
    kb = ctx.kb
    name, role, rest = name_and_role(ctx.intent.args.get("rest") or ctx.intent.text, kb)
    existing = ctx.deal.contact(name) if name else None
    what = commitments.clean_promise(rest)
    if not name or not what or (role is None and existing is None):
        return Reply(
            headline="Say who promised what: `log commitment: Jane (AE) promised 15% on Copilot in year 2`.",
            intent="commitments.log",
        )
    role_key = role.key if role else existing.role  # type: ignore[union-attr]
    contact = (
        existing
        if existing and role is None
        else await ctx.upsert_contact(existing.name if existing else name, role_key)
    )
    event = await ctx.log(
        commitments.COMMITMENT, {"contact": contact.name, "role": role_key, "what": what, "status": "verbal"}
    )
    c = commitments.find(ctx.deal, event.id)
    assert c is not None
    items = [Item(kb.say("commitments.in-writing"), rule="commitments.in-writing"), *_warnings(ctx)]
    return Reply(
        headline=f"Logged #{c.id}: {contact.name} ({short_role(kb, role_key)}) promised {what}. "
        "Status: verbal only.",
        intent="commitments.log",
        verdict="verbal",
        verdict_label="Logged",
        sections=[Section(items=items)],
        actions=[*_confirm_actions([c]), Action("Undo", {"intent": "undo", "event_id": event.id})],
    )


@skill("commitments.list")
async def list_commitments(ctx: Context) -> Reply:
    assert ctx.deal is not None
    kb = ctx.kb
    reg = commitments.register(ctx.deal)
    if not reg:
        return Reply(
            headline="No commitments logged yet. `log commitment: NAME (ROLE) promised WHAT`.",
            intent="commitments.list",
            verdict="empty",
            verdict_label="No commitments",
            sections=[Section(items=[Item(kb.say("commitments.in-writing"), rule="commitments.in-writing")])],
        )
    sections = []
    for status in commitments.ORDER:
        rows = [c for c in reg if c.status == status]
        if rows:
            sections.append(
                Section(
                    title=commitments.status_label(kb, status).capitalize(),
                    items=[
                        Item(f"#{c.id} {c.contact} ({short_role(kb, c.role)}), {c.at:%Y-%m-%d}: {c.what}")
                        for c in rows
                    ],
                )
            )
    open_ = [c for c in reg if c.outstanding]
    warn = _warnings(ctx)
    rule_items = warn or (
        [Item(kb.say("commitments.in-writing"), rule="commitments.in-writing")] if open_ else []
    )
    if rule_items:
        sections.insert(0, Section(items=rule_items))
    verdict = "at_risk" if warn else ("open" if open_ else "all_in_contract")
    label = {
        "at_risk": "Signing is near",
        "open": "Not in writing yet",
        "all_in_contract": "All in the contract",
    }
    return Reply(
        headline=f"{label[verdict]}: {len(open_)} of {len(reg)} commitment(s) still open.",
        intent="commitments.list",
        verdict=verdict,
        verdict_label=label[verdict],
        sections=sections,
        actions=_confirm_actions([c for c in open_ if c.status == "verbal"]),
    )


class CommitmentStatus(Payload):
    id: RowId | None = None
    status: Key | None = None


class ContactChange(Payload):
    name: Name | None = None
    role: Key | None = None


@skill("commitments.status", payload=CommitmentStatus)
async def set_status(ctx: Context, p: CommitmentStatus) -> Reply:
    assert ctx.deal is not None
    kb = ctx.kb
    text = p.rest or ""
    cid = p.id or (m.group(1) if (m := re.search(r"#?(\d+)", text)) else None)
    status = commitments.parse_status(p.status or text, kb)
    c = commitments.find(ctx.deal, int(cid)) if cid else None
    if c is None or status is None:
        return Reply(
            headline="Which one, and where is it now? e.g. `commitment 12 requested in writing`. "
            "See `commitments` for the numbers.",
            intent="commitments.status",
        )
    try:
        commitments.transition(c.status, status)
    except commitments.TransitionError:
        return Reply(
            headline=f"#{c.id} stays {commitments.status_label(kb, c.status)}.",
            intent="commitments.status",
            verdict="unchanged",
            verdict_label="Unchanged:",
            sections=[
                Section(
                    items=[
                        Item(
                            kb.say("commitments.backwards", current=commitments.status_label(kb, c.status)),
                            rule="commitments.backwards",
                        )
                    ]
                )
            ],
        )
    event = await ctx.log(commitments.COMMITMENT_STATUS, {"commitment_id": c.id, "status": status})
    items = [
        Item(
            kb.say("commitments.status", status=commitments.status_label(kb, status)),
            rule="commitments.status",
        )
    ]
    if status != "in_contract":
        items.append(Item(kb.say("commitments.in-writing"), rule="commitments.in-writing"))
    return Reply(
        headline=f"#{c.id} ({c.what}) is now {commitments.status_label(kb, status)}.",
        intent="commitments.status",
        verdict=status,
        verdict_label=f"#{c.id}",
        sections=[Section(items=items)],
        actions=[Action("Undo", {"intent": "undo", "event_id": event.id})],
    )


_A_CHANGE = re.compile(r"\b(new|chang\w*|replac\w*|took over|taking over|moved on|left|instead)\b", re.I)


async def _take_role(ctx: Context, name: str, role: RoleSpec) -> tuple[Contact, list[Contact]]:
    """`name` now holds `role` on the deal; whoever held it before steps back (kept, inactive)."""
    assert ctx.deal is not None
    olds = [
        c
        for c in ctx.deal.contacts
        if c.role == role.key and c.active and c.name.casefold() != name.casefold()
    ]
    for old in olds:
        await ctx.memory.set_contact_active(ctx.deal.id, old.name, False)
        await ctx.log(
            "contact", {"name": old.name, "role": old.role, "active": False, "note": f"replaced by {name}"}
        )
    new = await ctx.upsert_contact(name, role.key, note=f"new {role.title}")
    return new, olds


async def _several_contacts(ctx: Context, found: list[tuple[str, RoleSpec]]) -> Reply:
    said = []
    for name, role in found:
        new, olds = await _take_role(ctx, name, role)
        was = f" (was {', '.join(o.name for o in olds)})" if olds else ""
        said.append(f"{new.name}, your {role.title}{was}")
    return Reply(
        headline="Noted: " + "; ".join(said) + ".",
        intent="contacts.change",
        verdict="noted",
        verdict_label="Noted:",
    )


@skill("contacts.change", payload=ContactChange)
async def contact_change(ctx: Context, p: ContactChange) -> Reply:
    assert ctx.deal is not None
    kb = ctx.kb
    name = (p.name or "").strip()
    role = kb.role(p.role or "") or find_role(p.role or ctx.intent.text, kb)
    if not name and p.rest:
        name, role2, _ = name_and_role(p.rest.lstrip(": "), kb)
        role = role or role2
        if role is None:
            role = find_role(ctx.intent.text, kb)
    if not name or role is None:  # said as a plain sentence: "Jane Smith is our AE"
        from bot.understanding.facts import read_contacts

        found = [(f.name, kb.roles.get(f.role)) for f in read_contacts(ctx.intent.text, kb)]
        found = [(n, r) for n, r in found if r is not None]
        if len(found) > 1:  # "our AE is Tom Baker and the CSM is Priya Shah": everyone named
            return await _several_contacts(ctx, found)
        if found:
            name, role = found[0]
    if not name or role is None:
        return Reply(headline="Tell me like this: `our AE changed to Bob`.", intent="contacts.change")
    new, olds = await _take_role(ctx, name, role)
    risky = commitments.at_risk_after_change(ctx.deal, [o.name for o in olds])
    items = []
    if risky:
        what = "; ".join(f"#{c.id} {c.what}" for c in risky)
        items.append(
            Item(
                kb.say("commitments.transition-risk", old=", ".join(o.name for o in olds), what=what),
                rule="commitments.transition-risk",
            )
        )
    if olds or _A_CHANGE.search(ctx.intent.text):  # a change of person, not just the first we hear of
        items.append(Item(kb.say("account-team.transition-reset"), rule="account-team.transition-reset"))
    was = f" (was {', '.join(o.name for o in olds)})" if olds else ""
    return Reply(
        headline=f"Noted: {new.name} is your {role.title} now{was}."
        + (f" {len(risky)} promise(s) at risk." if risky else ""),
        intent="contacts.change",
        verdict="at_risk" if risky else "noted",
        verdict_label="Noted:",
        sections=[Section(items=items)],
        actions=_confirm_actions(risky),
    )
