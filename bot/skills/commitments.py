"""The verbal-commitments register: log, list, move on, and contact changes."""

from __future__ import annotations

import re

from bot.actions import CommitmentLog, Key, Name, Payload, RowId
from bot.context import Context
from bot.knowledge import Knowledge, RoleSpec
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


def _typed(ctx: Context, p: CommitmentLog) -> tuple[str, RoleSpec | None, str] | None:
    """A commitment handed over in typed values (a Slack modal): who, their role key, what
    and by when, recorded as they are."""
    if not p.contact:
        return None
    what = " ".join((p.what or "").split()).rstrip(" .")
    if p.by:
        what = f"{what} by {p.by}"
    return p.contact, ctx.kb.role(p.role or ""), what


@skill("commitments.log", payload=CommitmentLog)
async def log_commitment(ctx: Context, p: CommitmentLog) -> Reply:
    """A promise logged as people tell it: who (a name, a role, or the contact in that role, from
    the turn's reading) and what. Missing one, it asks for that in one question and keeps the rest."""
    assert ctx.deal is not None
    kb = ctx.kb
    typed = _typed(ctx, p)
    if typed is not None:  # typed values from a modal, recorded as they are
        name, role, what = typed
        existing = ctx.deal.contact(name)
        if role is None and existing is None:
            keep = {"what": what, "who": name}
            ctx.awaiting = {"intent": "commitments.log", "args": keep, "slot": "role"}
            return Reply(headline=kb.say("commitments.ask-role", name=name), intent="commitments.log")
    else:
        said = p.said or p.rest or ctx.intent.text
        name, role, rest = name_and_role(said, kb)
        what = (
            (p.what or "")
            or commitments.promised(said)
            or (commitments.clean_promise(rest) if role or p.rest else "")
        )
        if role is None and not (name and ctx.deal.contact(name)) and not _a_name(name, kb):
            name = ""  # "The AVP said …", "Microsoft offered …": no one's name
        label = ""
        if p.who:  # the answer to "who promised that?"
            name, role, _ = name_and_role(p.who, kb)
            role = role or find_role(p.who, kb)
        elif not name and role is None:  # who the reading says spoke: a contact, or role words
            name, role, label = _promiser(ctx, said)
        if role is None and p.role:  # the answer to "what is their role?"
            role = kb.role(p.role) or find_role(p.role, kb)
        existing = ctx.deal.contact(name) if name else None
        if not name and role is not None:  # a role only: the one contact holding it, else the role
            holders = [c for c in ctx.deal.contacts if c.role == role.key]
            if len(holders) == 1:
                existing, name, role = holders[0], holders[0].name, None
        keep = {"said": said[:400], "what": what}
        if not what:
            ctx.awaiting = {
                "intent": "commitments.log",
                "args": {k: v for k, v in keep.items() if v},
                "slot": "what",
            }
            who = name or label or (short_role(kb, role.key) if role else "Microsoft")
            return Reply(headline=kb.say("commitments.ask-what", who=who), intent="commitments.log")
        if not name and role is None:
            ctx.awaiting = {"intent": "commitments.log", "args": keep, "slot": "who"}
            return Reply(headline=kb.say("commitments.ask-who", what=what), intent="commitments.log")
        if name and role is None and existing is None:
            ctx.awaiting = {"intent": "commitments.log", "args": {**keep, "who": name}, "slot": "role"}
            return Reply(headline=kb.say("commitments.ask-role", name=name), intent="commitments.log")
        if not name:  # a role nobody on the deal holds yet: logged under the role
            assert role is not None
            return await _log_promise(ctx, short_role(kb, role.key), role.key, what)
    role_key = role.key if role else existing.role  # type: ignore[union-attr]
    contact = (
        existing
        if existing and role is None
        else await ctx.upsert_contact(existing.name if existing else name, role_key)
    )
    return await _log_promise(ctx, contact.name, role_key, what)


_NOT_A_NAME = frozenset(
    "the their our my microsoft ms msft on during in at after before log record please pls they she he we i "
    "today yesterday so and but also then just".split()
)


def _a_name(name: str, kb: Knowledge) -> bool:
    return bool(name) and name.split()[0].casefold() not in _NOT_A_NAME and find_role(name, kb) is None


def _promiser(ctx: Context, said: str) -> tuple[str, RoleSpec | None, str]:
    """Who at Microsoft promised, from the turn's reading: a contact on the deal by name, else the
    role words it was attributed to. ("", None, "") when the sentence names nobody."""
    sp = ctx.reading.speaker if ctx.reading is not None else None
    assert ctx.deal is not None
    if sp is not None and sp.side == "microsoft":
        contact = ctx.deal.contact(sp.who)
        if contact is not None:
            return contact.name, None, contact.name
        role = find_role(sp.who, ctx.kb)
        if role is not None:
            return "", role, sp.who
    role = find_role(" ".join(said.split()[:6]), ctx.kb)
    return ("", role, short_role(ctx.kb, role.key)) if role is not None else ("", None, "")


async def _log_promise(ctx: Context, who: str, role_key: str, what: str) -> Reply:
    assert ctx.deal is not None
    kb = ctx.kb
    event = await ctx.log(
        commitments.COMMITMENT, {"contact": who, "role": role_key, "what": what, "status": "verbal"}
    )
    c = commitments.find(ctx.deal, event.id)
    assert c is not None
    items = [Item(kb.say("commitments.in-writing"), rule="commitments.in-writing"), *_warnings(ctx)]
    return Reply(
        headline=f"Logged #{c.id}: {who} ({short_role(kb, role_key)}) promised {what}. Status: verbal only.",
        intent="commitments.log",
        verdict="verbal",
        verdict_label="Logged",
        sections=[Section(items=items)],
        actions=[*_confirm_actions([c]), Action("Undo", {"intent": "undo", "event_id": event.id})],
    )


@skill("commitments.list", payload=Payload)
async def list_commitments(ctx: Context, _: Payload) -> Reply:
    assert ctx.deal is not None
    kb = ctx.kb
    reg = commitments.register(ctx.deal)
    if not reg:
        return Reply(
            headline=kb.say("commitments.none-yet"),
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


_WORD = re.compile(r"[a-z0-9]{3,}")
_PLAIN = frozenset(
    "the and that this with for now has have are was were they them their our its it's said promise "
    "promised commitment writing written contract email mail signed put got".split()
)


def _promise_meant(ctx: Context, text: str) -> commitments.Commitment | None:
    """The promise a message names in words ("the FastTrack one is in writing now"): the one
    sharing the most words with it; else the only one still open."""
    assert ctx.deal is not None
    reg = commitments.register(ctx.deal)
    words = set(_WORD.findall(text.casefold())) - _PLAIN
    scored = sorted(
        ((len(words & set(_WORD.findall(c.what.casefold()))), c.id, c) for c in reg), reverse=True
    )
    if scored and scored[0][0] > 0 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
        return scored[0][2]
    open_ = [c for c in reg if c.outstanding]
    return open_[0] if len(open_) == 1 else None


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
    text = str(p.rest or ctx.intent.text)
    m = re.search(r"#\s*(\d+)|\b(?:commitment|promise|number|no\.?)\s*(\d+)|^\s*(\d+)\b", text, re.IGNORECASE)
    cid = p.id or (next(g for g in m.groups() if g) if m else None)
    status = commitments.parse_status(p.status or text, kb)
    c = commitments.find(ctx.deal, int(cid)) if cid else _promise_meant(ctx, text)
    if c is None:  # use what was said: the status is kept, and one question asks which promise
        if not commitments.register(ctx.deal):
            return Reply(headline=kb.say("commitments.none-yet"), intent="commitments.status")
        ctx.awaiting = {
            "intent": "commitments.status",
            "args": {"status": status} if status else {},
            "slot": "rest",
        }
        return Reply(
            headline=kb.say("commitments.ask-which"),
            intent="commitments.status",
            actions=[Action("Show the commitments", {"intent": "commitments.list"})],
        )
    if status is None:
        ctx.awaiting = {"intent": "commitments.status", "args": {"id": c.id}, "slot": "status"}
        return Reply(
            headline=kb.say("commitments.ask-status", id=c.id, what=c.what), intent="commitments.status"
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
    name = (p.name or "").strip().rstrip(".!,;:")  # "Our new CSM is called Ingrid."
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
    if not name or role is None:  # use what was said, and ask for the rest in one question
        if name:
            ctx.awaiting = {"intent": "contacts.change", "args": {"name": name}, "slot": "role"}
            return Reply(headline=kb.say("contacts.ask-role", name=name), intent="contacts.change")
        if role is not None:
            ctx.awaiting = {"intent": "contacts.change", "args": {"role": role.key}, "slot": "name"}
            return Reply(
                headline=kb.say("contacts.ask-name", role=short_role(kb, role.key)), intent="contacts.change"
            )
        return Reply(headline=kb.say("contacts.ask-who"), intent="contacts.change")
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
