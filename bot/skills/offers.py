"""Skill: Microsoft's offers read from their documents, checked by the person, then stored as
version N on the deal's timeline and compared round by round.

A surface reads the document (bot/offers/intake.py) before the turn and hands the reading in
`Turn.extra["offer_reading"]` with the action `offer.read`; pasted lines come as
`offer paste …`. What was read is shown as a table and kept as a draft (one per conversation
and deal) until the person stores it (`offer.confirm`), corrects a line (`offer fix`) or
drops it. Storing logs an `ms_offer` event and what it tells the other playbooks (facts and
Microsoft statements, each saying it came from offer N).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.actions import Payload, RowId
from bot.context import Context
from bot.knowledge import Knowledge
from bot.offers.model import OFFER_EVENT, Offer, OfferLine, Reading
from bot.playbooks import offers as po
from bot.reply import Action, Attachment, Item, Reply, Section
from bot.skills import skill
from bot.timeline import MS_STATEMENT
from bot.understanding.values import read_counts, read_money, read_percents

MAX_SHOWN = 40  # lines shown in chat; the rest are counted
LINES_A_SECTION = 15
STATEMENT_LABELS = {"deadline": "sign by a deadline", "final_offer": "final offer"}


class OfferConfirm(Payload):
    draft: RowId


# --- showing what was read ---------------------------------------------------------------------


def line_text(n: int, ln: OfferLine, offer: Offer) -> str:
    cur = offer.currency
    parts = [f"{n}. {ln.part_number + ' ' if ln.part_number else ''}{ln.product}"]
    if ln.quantity is not None:
        parts.append(f"× {ln.quantity:,.0f}" if float(ln.quantity).is_integer() else f"× {ln.quantity:,}")
    if ln.unit_price is not None:
        per = f"/{ln.unit_period}" if ln.unit_period else ""
        parts.append(f"at {po.amount(ln.unit_price, cur, exact=True)}{per}")
    if ln.discount_pct:
        parts.append(f"{ln.discount_pct:g}% off")
    yearly, total = ln.per_year(offer.term_months), ln.over_term(offer.term_months)
    money = []
    if yearly is not None:
        money.append(f"{po.amount(yearly, cur, exact=True)} a year")
    if total is not None and offer.term_months:
        money.append(f"{po.amount(total, cur, exact=True)} over the term")
    elif total is not None:
        money.append(f"{po.amount(total, cur, exact=True)} in total")
    return " ".join(parts) + (" → " + ", ".join(money) if money else "")


def terms_items(offer: Offer) -> list[Item]:
    items = []
    yearly, total = offer.yearly_total(), offer.term_total()
    money = []
    if yearly is not None:
        money.append(f"{po.amount(yearly, offer.currency, exact=True)} a year")
    if total is not None:
        money.append(f"{po.amount(total, offer.currency, exact=True)} over the term")
    if money:
        items.append(Item("Total: " + ", ".join(money)))
    facts = [
        ("Currency", offer.currency),
        ("Term", f"{offer.term_months} months" if offer.term_months else None),
        ("Valid until", offer.valid_until),
        ("Sign by", offer.sign_by),
        ("Price protection", offer.price_protection),
        ("Yearly increase", f"{offer.escalator_pct:g}%" if offer.escalator_pct is not None else None),
        ("Their words", f"“{offer.final_wording}”" if offer.final_wording else None),
        ("Quote reference", offer.reference),
    ]
    items += [Item(f"{label}: {value}") for label, value in facts if value]
    items += [Item(f"Special term — {t}") for t in offer.special_terms]
    return items


def draft_reply(
    kb: Knowledge, offer: Offer, draft_id: int, version: int, deal: str, headline: str = ""
) -> Reply:
    n = len(offer.lines)
    source = {"pdf": "the PDF", "xlsx": "the spreadsheet", "csv": "the CSV", "text": "the pasted lines"}.get(
        offer.source, "the document"
    )
    lines = [Item(line_text(i, ln, offer)) for i, ln in enumerate(offer.lines[:MAX_SHOWN], 1)]
    if n > MAX_SHOWN:
        lines.append(Item(f"… and {n - MAX_SHOWN} more lines"))
    # Fifteen lines a section: a chat block holds about 3,000 characters (Slack's section limit).
    sections = [
        Section(
            items=lines[i : i + LINES_A_SECTION],
            title=None if i else f"Microsoft's offer for {deal}, as read",
        )
        for i in range(0, len(lines), LINES_A_SECTION)
    ]
    sections.append(Section(items=terms_items(offer), title="Terms"))
    if offer.problems:
        unread = "; ".join(offer.problems[:8]) + (" …" if len(offer.problems) > 8 else "")
        sections.append(Section(items=[Item(kb.say("offers.unread", what=unread), rule="offers.unread")]))
    sections.append(Section(items=[Item(kb.say("offers.how-to-fix"), rule="offers.how-to-fix")]))
    said = kb.say("offers.read", n=n, s="" if n == 1 else "s", source=source, version=version)
    return Reply(
        headline=headline or said,
        intent="offer.read",
        verdict="check",
        sections=sections,
        actions=[
            Action(
                f"Store as offer {version}", {"intent": "offer.confirm", "draft": draft_id}, style="primary"
            ),
            Action("Drop it", {"intent": "offer.drop"}),
        ],
        footer="Nothing is stored until you say so.",
    )


async def _show_draft(ctx: Context, offer: Offer, headline: str = "") -> Reply:
    assert ctx.deal is not None
    draft = await ctx.memory.save_offer_draft(
        ctx.conversation_id, ctx.deal.id, offer.to_json(), ctx.turn.user, ctx.now
    )
    return draft_reply(ctx.kb, offer, draft.id, po.next_version(ctx.deal), ctx.deal.name, headline)


def _refused(reading: Reading) -> Reply:
    assert reading.refusal is not None
    return Reply(headline=reading.refusal.message, intent="offer.refused", verdict=reading.refusal.reason)


@skill("offer.read", needs_deal=False, payload=Payload)
async def offer_read(ctx: Context, _: Payload) -> Reply:
    """A document a surface read before the turn (its reading rides in the turn, not the payload).
    A refused file is said at once, deal or not; an offer needs the deal it belongs to."""
    raw = ctx.turn.extra.get("offer_reading")
    if not isinstance(raw, dict):
        return Reply(headline=ctx.kb.say("offers.no-draft"), intent="offer.read")
    reading = Reading.from_json(raw)
    if reading.offer is None:
        return _refused(reading)
    if ctx.deal is None:
        return Reply(
            headline="There's no active deal in this conversation yet.",
            intent="offer.read",
            sections=[
                Section(
                    items=[
                        Item(
                            "Start one (`deal new NAME`) or pick one (`deal use NAME`), "
                            "then share the quote again."
                        )
                    ]
                )
            ],
        )
    return await _show_draft(ctx, reading.offer)


@skill("offer.paste", payload=Payload)
async def offer_paste(ctx: Context, p: Payload) -> Reply:
    from bot.offers.read import read_document, refuse

    # The message as typed: cleaning for understanding folds tabs and runs of spaces, which are
    # what separate pasted cells.
    raw = ctx.turn.text.replace("\r\n", "\n")
    lead = re.match(r"^\s*offer paste\b[ :]*", raw, re.IGNORECASE)
    text = raw[lead.end() :] if lead else raw.split("\n", 1)[1] if "\n" in raw else ""
    text = text.strip("\n") if ctx.turn.text else (p.rest or "")
    if not text.strip():
        return Reply(
            headline="Paste their lines after `offer paste`, header row first (product, quantity, price …).",
            intent="offer.paste",
        )
    lim = ctx.kb.section("offers.limits")
    if len(text) > lim.max_paste_chars:
        reading = refuse(
            ctx.kb, "too_large", size=f"{len(text):,} characters", limit=f"{lim.max_paste_chars:,}"
        )
    else:
        reading = read_document("pasted", text.encode(), ctx.kb, ctx.now, tz=ctx.tz, kind="text")
    if reading.offer is None:
        return _refused(reading)
    return await _show_draft(ctx, reading.offer)


# --- correcting a line -------------------------------------------------------------------------

_FIELDS = {
    "quantity": "quantity", "qty": "quantity", "seats": "quantity",
    "licences": "quantity", "licenses": "quantity",
    "unit price": "unit_price", "price": "unit_price", "unit": "unit_price",
    "discount": "discount_pct", "disc": "discount_pct",
    "yearly": "yearly", "annual": "yearly", "per year": "yearly", "year": "yearly",
    "total": "total", "extended": "total",
    "product": "product", "name": "product",
    "part": "part_number", "part number": "part_number", "sku": "part_number",
}  # fmt: skip
_FIX = re.compile(
    r"^(?:line\s*)?(?P<n>\d{1,3})\s*:?\s*(?P<field>"
    + "|".join(sorted(map(re.escape, _FIELDS), key=len, reverse=True))
    + r")\s*(?:is|=|:|to)?\s*(?P<value>.+)$",
    re.IGNORECASE,
)
_DROP = re.compile(r"^(?:drop|remove|delete)?\s*(?:line\s*)?(?P<n>\d{1,3})\s*$", re.IGNORECASE)


def corrected(offer: Offer, text: str) -> tuple[Offer, str] | str:
    """The offer with one line corrected, and what changed; or why not."""
    text = text.strip()
    drop = _DROP.match(text) if re.match(r"^\s*(drop|remove|delete)\b|^\s*\d{1,3}\s*$", text, re.I) else None
    if drop:
        n = int(drop.group("n"))
        if not 1 <= n <= len(offer.lines):
            return f"There's no line {n}; the offer has {len(offer.lines)}."
        lines = list(offer.lines)
        gone = lines.pop(n - 1)
        return Offer(**{**_fields(offer), "lines": tuple(lines)}), f"dropped line {n} ({gone.product})"
    m = _FIX.match(text)
    if not m:
        return (
            "Which line, which field (product, quantity, price, discount) and what value? "
            "Say, line 2 quantity 1200."
        )
    n, name, raw = int(m.group("n")), _FIELDS[m.group("field").casefold()], m.group("value").strip()
    if not 1 <= n <= len(offer.lines):
        return f"There's no line {n}; the offer has {len(offer.lines)}."
    line = offer.lines[n - 1]
    value: Any
    if name in ("product", "part_number"):
        value = raw[:200]
    elif name == "quantity":
        counts = read_counts(raw)
        if len(counts) != 1:
            return f"I couldn't read “{raw[:30]}” as a quantity."
        value = float(counts[0].value)
    elif name == "discount_pct":
        pct = read_percents(raw if "%" in raw else raw + "%")
        if len(pct) != 1:
            return f"I couldn't read “{raw[:30]}” as a discount."
        value = pct[0].value
    else:
        money = read_money(raw)
        if len(money) != 1:
            return f"I couldn't read “{raw[:30]}” as one amount."
        if money[0].currency and offer.currency and money[0].currency != offer.currency:
            return f"This offer is in {offer.currency}; give the amount in {offer.currency}."
        value = round(money[0].amount, 2)
    fixed = OfferLine(**{**_line_fields(line), name: value})
    if (
        name in ("quantity", "unit_price", "discount_pct")
        and fixed.quantity is not None
        and fixed.unit_period
    ):
        if fixed.unit_price is not None:  # the amounts follow from the corrected units
            fixed = OfferLine(**{**_line_fields(fixed), "yearly": None, "total": None})
    problems = tuple(p for p in offer.problems if not p.startswith(f"line {n} "))
    new = Offer(**{**_fields(offer), "lines": offer.with_line(n, fixed).lines, "problems": problems})
    return new, f"line {n} {m.group('field').casefold()} is now {raw[:40]}"


def _fields(offer: Offer) -> dict[str, Any]:
    return {k: getattr(offer, k) for k in Offer.__slots__}  # type: ignore[attr-defined]


def _line_fields(line: OfferLine) -> dict[str, Any]:
    return {k: getattr(line, k) for k in OfferLine.__slots__}  # type: ignore[attr-defined]


@skill("offer.fix", payload=Payload)
async def offer_fix(ctx: Context, p: Payload) -> Reply:
    return await _fix(ctx, p.rest or "")


async def _fix(ctx: Context, rest: str) -> Reply:
    assert ctx.deal is not None
    draft = await ctx.memory.load_offer_draft(ctx.conversation_id, ctx.deal.id)
    if draft is None:
        return Reply(headline=ctx.kb.say("offers.no-draft"), intent="offer.fix")
    got = corrected(Offer.from_json(draft.offer), rest)
    if isinstance(got, str):
        return Reply(headline=got, intent="offer.fix")
    offer, what = got
    if not offer.lines:
        return Reply(
            headline="That would leave no lines; drop the whole offer instead (`offer drop`).",
            intent="offer.fix",
        )
    return await _show_draft(ctx, offer, headline=f"Corrected: {what}. Check it again before I store it.")


@skill("offer.drop", payload=Payload)
async def offer_drop(ctx: Context, p: Payload) -> Reply:
    assert ctx.deal is not None
    rest = (p.rest or "").strip()
    if re.match(r"^line\s*\d{1,3}$", rest, re.IGNORECASE):  # `offer drop line 4`: one line, not the offer
        return await _fix(ctx, "drop " + rest)
    draft = await ctx.memory.load_offer_draft(ctx.conversation_id, ctx.deal.id)
    if draft is None:
        return Reply(headline=ctx.kb.say("offers.no-draft"), intent="offer.drop")
    await ctx.memory.clear_offer_draft(ctx.conversation_id, ctx.deal.id)
    return Reply(headline=ctx.kb.say("offers.dropped"), intent="offer.drop", verdict="dropped")


# --- storing: version N, a round, and what it tells the playbooks -------------------------------


async def store(ctx: Context, offer: Offer, shared_by: str) -> tuple[int, list[int], list[Item]]:
    """Log the offer as version N and what it feeds; returns N, the event ids, and the lines
    saying what was set (each naming offer N)."""
    assert ctx.deal is not None
    before = po.offers_of(ctx.deal)
    version = po.next_version(ctx.deal)
    known = ctx.deal.fact("rounds_with_account_team")
    rounds = max(int(known) if isinstance(known, int | float) else 0, len(before)) + 1
    event = await ctx.log(
        OFFER_EVENT, {"version": version, "offer": offer.to_json(), "shared_by": shared_by, "round": rounds}
    )
    ids = [event.id]
    offers = po.offers_of(ctx.deal)
    said: list[Item] = []
    kb = ctx.kb
    if offer.currency and "currency" in kb.facts and ctx.deal.fact("currency") != offer.currency:
        # the deal's amounts read back in the offer's currency (undone with the offer)
        ids.append((await ctx.set_fact("currency", offer.currency)).id)
    for fed in po.feed(offers, ctx.deal.facts, kb, new_rounds=rounds):
        source = f"offer {version}"
        if fed.kind == "fact":
            e = await ctx.log(
                "fact", {"key": fed.key, "value": fed.value, "source": source, "currency": offer.currency}
            )
        else:
            text = f"Offer {version}: " + (
                f"sign by {fed.value}" if fed.key == "deadline" else f"the document says “{fed.value}”"
            )
            e = await ctx.log(
                MS_STATEMENT,
                {
                    "type": fed.key,
                    "label": STATEMENT_LABELS.get(fed.key, fed.key),
                    "text": text,
                    "role": None,
                    "match": _said(fed.key, fed.value),
                    "source": source,
                },
            )
        ids.append(e.id)
        said.append(
            Item(kb.say("offers.from-offer", version=version, what=fed.said), rule="offers.from-offer")
        )
    if offer.sign_by:
        said.append(Item(kb.say("offers.sign-by", date=offer.sign_by), rule="offers.sign-by"))
    if offer.final_wording:
        said.append(
            Item(kb.say("offers.final-wording", words=offer.final_wording), rule="offers.final-wording")
        )
    return version, ids, said


def _said(kind: str, value: Any) -> str:
    """The words a counter-move quotes back: "sign by 20 June 2027", "best and final"."""
    if kind == "deadline":
        try:
            return f"sign by {date.fromisoformat(str(value)):%-d %B %Y}"
        except ValueError:
            return f"sign by {value}"
    return str(value)


def picture(kb: Knowledge, offers: list[po.Versioned], deal: str) -> list[Attachment]:
    points = po.totals_by_round(offers)
    if not points:
        return []
    currency = offers[-1].offer.currency

    def png() -> bytes:
        from bot.offers import picture as pic

        return pic.render(points, currency)

    def card_png() -> bytes:  # small enough to ride inside a Teams card
        from bot.offers import picture as pic

        return pic.render(points, currency, dpi=80, colors=16)

    stem = re.sub(r"[^A-Za-z0-9]+", "-", deal).strip("-")[:60] or "deal"
    note = kb.say("offers.picture-unavailable")
    title = "Microsoft's offer per year, round by round"
    return [
        Attachment("picture", f"offers-{stem}.png", title, card_png, note),
        Attachment("document", f"offers-{stem}.png", title, png, note),
    ]


@skill("offer.confirm", payload=OfferConfirm)
async def offer_confirm(ctx: Context, p: OfferConfirm) -> Reply:
    assert ctx.deal is not None
    draft = await ctx.memory.load_offer_draft(ctx.conversation_id, ctx.deal.id)
    if draft is None or draft.id != p.draft:
        return Reply(headline=ctx.kb.say("offers.no-draft"), intent="offer.confirm")
    offer = Offer.from_json(draft.offer)
    if not await ctx.memory.clear_offer_draft(ctx.conversation_id, ctx.deal.id, draft.id):
        return Reply(headline=ctx.kb.say("offers.no-draft"), intent="offer.confirm")  # stored by another
    version, ids, said = await store(ctx, offer, draft.shared_by)
    rounds = ctx.deal.fact("rounds_with_account_team")
    n = len(offer.lines)
    headline = ctx.kb.say("offers.stored", version=version, n=n, s="" if n == 1 else "s", rounds=rounds)
    offers = po.offers_of(ctx.deal)
    sections = [Section(items=said, title="What it tells the other playbooks")] if said else []
    if len(offers) >= 2:
        sections += comparison_sections(ctx, offers)
    reply = Reply(
        headline=headline,
        intent="offer.confirm",
        verdict="stored",
        sections=sections,
        actions=[
            Action("What changed?", {"intent": "offer.compare"}),
            Action("Undo", {"intent": "undo", "event_ids": ids}),
        ],
    )
    reply.attachments = picture(ctx.kb, offers, ctx.deal.name)
    return reply


# --- reading them back -------------------------------------------------------------------------


def comparison_sections(ctx: Context, offers: list[po.Versioned], *, internal: bool = True) -> list[Section]:
    got = po.compare(offers, ctx.deal.facts if ctx.deal else {}, ctx.kb, internal=internal)
    latest, prev = offers[-1], offers[-2] if len(offers) >= 2 else None
    sections = []
    if got.moved:
        title = f"Offer {latest.version} against offer {prev.version}, line by line" if prev else None
        sections.append(Section(items=got.moved, title=title))
    if got.totals:
        sections.append(Section(items=got.totals, title="In total"))
    if got.unchanged:
        sections.append(Section(items=got.unchanged, title="What did not move"))
    if got.internal:
        sections.append(Section(items=got.internal, title="Internal only"))
    return sections


@skill("offer.compare", payload=Payload)
async def offer_compare(ctx: Context, _: Payload) -> Reply:
    assert ctx.deal is not None
    offers = po.offers_of(ctx.deal)
    if not offers:
        return Reply(headline=ctx.kb.say("offers.none"), intent="offer.compare", verdict="none")
    if len(offers) == 1:
        reply = Reply(
            headline=ctx.kb.say("offers.only-one"),
            intent="offer.compare",
            verdict="one",
            sections=comparison_sections(ctx, offers),
        )
    else:
        latest = offers[-1]
        reply = Reply(
            headline=f"What changed in offer {latest.version} from Microsoft ({ctx.deal.name}):",
            intent="offer.compare",
            verdict="compared",
            sections=comparison_sections(ctx, offers),
        )
    reply.attachments = picture(ctx.kb, offers, ctx.deal.name)
    return reply


@skill("offer.list", payload=Payload)
async def offer_list(ctx: Context, _: Payload) -> Reply:
    assert ctx.deal is not None
    offers = po.offers_of(ctx.deal)
    if not offers:
        return Reply(headline=ctx.kb.say("offers.none"), intent="offer.list", verdict="none")
    n = len(offers)
    reply = Reply(
        headline=f"Microsoft's offers on {ctx.deal.name}: {n} round{'s' if n != 1 else ''}.",
        intent="offer.list",
        verdict="listed",
        sections=[Section(items=po.round_items(offers), style="bullets")],
        actions=[Action("What changed?", {"intent": "offer.compare"})] if n >= 2 else [],
    )
    reply.attachments = picture(ctx.kb, offers, ctx.deal.name)
    return reply
