"""Transcripts: Microsoft's quote shared with the coach, checked, corrected, stored as offer N,
compared round by round, and fed to the other playbooks — on SQLite and PostgreSQL."""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from bot.coach import Coach
from bot.db.models import DealEvent, OfferDraft
from bot.offers.intake import offer_turn, read_file
from bot.turn import Turn
from tests.offers import docs

HEAD = "Part number,Product,Quantity,Unit price (USD per month),Discount,Annual amount\n"


def quote(e5_disc: float, copilot_price: float = 30.0, phone_disc: float = 0, notes: str = "") -> bytes:
    def row(part: str, name: str, qty: int, unit: float, disc: float) -> str:
        yearly = round(qty * unit * 12 * (1 - disc / 100), 2)
        return f'{part},{name},{qty},"${unit:,.2f}",{disc:g}%,"${yearly:,.2f}"\n'

    body = (
        row("AAA-10732", "Microsoft 365 E5", 1000, 57.0, e5_disc)
        + row("AAA-33219", "Microsoft 365 Copilot", 500, copilot_price, 0)
        + row("DZH-00010", "Teams Phone Standard", 1000, 8.0, phone_disc)
    )
    return (HEAD + body + "Agreement term: 36 months\n" + notes).encode()


async def share(coach: Coach, name: str, data: bytes, *, said: str = "", event: str | None = None):
    reading = await read_file(name, data, coach.kb, coach.clock(), services=coach.services)
    action, extra = offer_turn(reading, said)
    turn = Turn("console", "t1", "c1", "u1", action=action, extra=extra, event_id=event)
    reply = await coach.handle(turn)
    assert reply is not None
    return reply


async def events(coach: Coach, kind: str | None = None) -> list[DealEvent]:
    async with coach.sessions() as s:
        stmt = select(DealEvent).order_by(DealEvent.id)
        if kind:
            stmt = stmt.where(DealEvent.kind == kind)
        return list((await s.execute(stmt)).scalars())


async def drafts(coach: Coach) -> int:
    async with coach.sessions() as s:
        return int((await s.execute(select(func.count()).select_from(OfferDraft))).scalar_one())


async def test_a_shared_quote_is_shown_then_stored_only_when_confirmed(chat, deal, coach):
    reply = await share(coach, "quote.csv", quote(10))
    assert reply.intent == "offer.read" and reply.verdict == "check"
    text = reply.plain_text()
    assert "Read 3 lines from the CSV" in text and "offer 1" in text
    assert "1. AAA-10732 Microsoft 365 E5 × 1,000 at $57.00/month 10% off → $615,600.00 a year" in text
    assert "Term: 36 months" in text and "Nothing is stored until you say so." in text
    assert await events(coach, "ms_offer") == [] and await drafts(coach) == 1
    store = next(a for a in reply.actions if a.label == "Store as offer 1")

    reply = await chat(action=store.payload)
    assert reply.intent == "offer.confirm" and reply.verdict == "stored"
    assert (
        "Stored as offer 1 from Microsoft (3 lines), counted as round 1 with the account team."
        in reply.headline
    )
    assert "From offer 1: Microsoft's cost per year $891,600" in reply.plain_text()
    assert "offers.from-offer" in reply.rules
    (offer,) = await events(coach, "ms_offer")
    assert offer.payload["version"] == 1 and offer.payload["shared_by"] == "u1"
    fed = {e.payload["key"]: e.payload for e in await events(coach, "fact")}
    assert fed["ms_annual_cost"]["value"] == 891600.0 and fed["ms_annual_cost"]["source"] == "offer 1"
    assert fed["ms_annual_cost"]["currency"] == "USD"
    assert fed["term_years"]["value"] == 3 and fed["rounds_with_account_team"]["value"] == 1
    assert await drafts(coach) == 0
    # The same button again (a double click) stores nothing twice.
    again = await chat(action=store.payload)
    assert again.intent == "offer.confirm" and "no offer waiting" in again.headline
    assert len(await events(coach, "ms_offer")) == 1


async def test_what_changed_between_rounds_per_line_in_total_and_against_our_budget(chat, deal, coach):
    await chat("our budget is $800k a year")
    for n, (e5, phone) in enumerate([(10, 0), (15, 0), (20, 5)], 1):
        reply = await share(coach, f"round{n}.csv", quote(e5, phone_disc=phone))
        reply = await chat(action=reply.actions[0].payload)
        assert reply.verdict == "stored"
    reply = await chat("what changed in their latest offer?")
    assert reply.intent == "offer.compare" and reply.verdict == "compared"
    text = reply.plain_text()
    assert "Microsoft 365 E5: $581,400 → $547,200 (-$34,200, -5.9% a year)" in text
    assert "Teams Phone Standard: $96,000 → $91,200 (-$4,800, -5.0% a year)" in text
    assert "Did not move: Microsoft 365 Copilot." in text
    assert "Total per year $857,400 → $818,400: -$39,000, -4.5% against offer 2." in text
    assert "Against their first offer: -$73,200, -8.2% per year ($891,600 → $818,400)." in text
    assert "INTERNAL: the latest offer is $18,400 a year above our budget of $800,000 (2.3% over)." in text
    assert "The largest line that did not move: Microsoft 365 Copilot, worth $180,000 a year." in text
    assert {"offers.moved", "offers.not-moved", "offers.gap-to-target", "offers.sticking-point"} <= set(
        reply.rules
    )
    assert [a.kind for a in reply.attachments] == ["picture", "document"]
    assert reply.attachments[0].render().startswith(b"\x89PNG")
    # The sticking point and the rounds reached the other playbooks, saying where they came from.
    facts = {e.payload["key"]: e.payload for e in await events(coach, "fact")}
    assert facts["sticking_point"]["value"] == "Microsoft 365 Copilot price"
    assert facts["sticking_point_value_per_year"] == {
        **facts["sticking_point_value_per_year"],
        "value": 180000.0,
    }
    assert facts["sticking_point_value_per_year"]["source"] == "offer 2"  # unchanged since offer 2
    assert facts["rounds_with_account_team"]["value"] == 3
    listed = await chat("show their offers")
    assert listed.intent == "offer.list" and "3 rounds" in listed.headline
    assert "Offer 3 — 23 Nov 2026, shared by u1: 3 lines, $818,400 a year, 36 months" in listed.plain_text()


async def test_a_line_is_corrected_before_it_is_stored(chat, deal, coach):
    reply = await share(
        coach, "quote.csv", quote(10).replace(b"Teams Phone Standard,1000", b"Teams Phone Standard,10OO")
    )
    assert "I could not read: line 3 (Teams Phone Standard): the quantity “10OO”" in reply.plain_text()
    reply = await chat("offer fix 3 quantity 1000")
    assert reply.headline.startswith("Corrected: line 3 quantity is now 1000.")
    assert "I could not read" not in reply.plain_text()
    reply = await chat("offer fix 2 unit price $27.50")
    assert "Microsoft 365 Copilot × 500 at $27.50/month → $165,000.00 a year" in reply.plain_text()
    reply = await chat("offer drop line 3")
    assert "Corrected: dropped line 3 (Teams Phone Standard)" in reply.headline
    assert "Teams Phone Standard ×" not in reply.plain_text()
    bad = await chat("offer fix 9 quantity 5")
    assert bad.headline == "There's no line 9; the offer has 2."
    reply = await chat(action=reply.actions[0].payload)
    (offer,) = await events(coach, "ms_offer")
    assert [ln["unit_price"] for ln in offer.payload["offer"]["lines"]] == [57.0, 27.5]


async def test_dropping_a_read_offer_stores_nothing(chat, deal, coach):
    await share(coach, "quote.csv", quote(10))
    reply = await chat("offer drop")
    assert reply.headline == "Dropped. Nothing from that document was stored."
    assert await drafts(coach) == 0 and await events(coach, "ms_offer") == []


async def test_a_bad_file_gets_one_line_and_nothing_is_stored(chat, deal, coach, caplog):
    before = len(await events(coach))
    with caplog.at_level(logging.DEBUG):
        reply = await share(coach, "scan.pdf", b"%PDF-1.4\n%broken Woodgrove secret pricing")
    assert reply.intent == "offer.refused" and reply.verdict == "malformed"
    assert "\n" not in reply.plain_text() and "Woodgrove" not in reply.plain_text()
    assert len(await events(coach)) == before and await drafts(coach) == 0
    assert "Woodgrove" not in caplog.text


async def test_the_sign_by_date_and_final_wording_become_microsoft_statements(chat, deal, coach):
    doc = docs.make("pdf-classic", 4, 6)  # "must be signed by 20 June 2027", "best and final offer"
    reply = await share(coach, doc.name, doc.data)
    assert (
        "Sign by: 2027-06-20" in reply.plain_text() and "Their words: “best and final”" in reply.plain_text()
    )
    reply = await chat(action=reply.actions[0].payload)
    text = reply.plain_text()
    assert "From offer 1: sign by 2027-06-20." in text
    assert "Their offer says sign by 2027-06-20." in text and "offers.sign-by" in reply.rules
    assert "offers.final-wording" in reply.rules
    said = {e.payload["type"]: e.payload for e in await events(coach, "ms_statement")}
    assert (
        said["deadline"]["text"] == "Offer 1: sign by 2027-06-20" and said["deadline"]["source"] == "offer 1"
    )
    assert said["final_offer"]["text"] == "Offer 1: the document says “best and final”"
    calm = await chat(action={"intent": "draft.exploding_offer"})  # the counter-move to their date
    assert "sign by 20 June 2027" in (calm.draft or "")


async def test_offer_content_never_reaches_the_logs(chat, deal, coach, caplog):
    with caplog.at_level(logging.DEBUG):
        reply = await share(coach, "quote.csv", quote(10))
        await chat(action=reply.actions[0].payload)
        await chat("what changed in their latest offer?")
    assert "Copilot" not in caplog.text and "615,600" not in caplog.text and "AAA-10732" not in caplog.text


async def test_pasted_lines_are_read_like_a_file(chat, deal, coach):
    doc = docs.make("text", 11, 4)
    reply = await chat("here's their new offer:\n" + doc.data.decode())
    assert reply.intent == "offer.read" and "Read 4 lines from the pasted lines" in reply.plain_text()
    reply = await chat("offer paste Product\tQty\nnothing useful\there")
    assert reply.intent == "offer.refused" and reply.verdict == "layout"


async def test_an_undone_offer_no_longer_counts_and_the_next_keeps_its_own_number(chat, deal, coach):
    reply = await share(coach, "a.csv", quote(10))
    stored = await chat(action=reply.actions[0].payload)
    undo = next(a for a in stored.actions if a.label == "Undo")
    await chat(action=undo.payload)
    assert (await chat("show their offers")).verdict == "none"
    reply = await share(coach, "b.csv", quote(12))
    assert "Store as offer 2" in [a.label for a in reply.actions]


async def test_without_a_deal_a_shared_file_asks_for_one(coach):
    reply = await share(coach, "quote.csv", quote(10))
    assert reply.headline == "There's no active deal in this conversation yet."
    assert await events(coach) == []


async def test_the_brief_carries_the_offers_and_their_picture_internal_figures_only_inside(chat, deal, coach):
    from tests.pdf import pdf_images, pdf_text

    await chat("our budget is $800k a year")
    for e5 in (10, 15):
        reply = await share(coach, "q.csv", quote(e5))
        await chat(action=reply.actions[0].payload)
    brief = await chat("exec summary")
    text = brief.plain_text()
    assert "Microsoft's offers, round by round" in text and "Offer 2 — 23 Nov 2026" in text
    assert "INTERNAL: the latest offer is $57,400 a year above our budget" in text
    pdf = next(a for a in brief.attachments if a.kind == "document").render()
    assert "Offer 2" in pdf_text(pdf) and len(pdf_images(pdf)) >= 2  # the timeline and the offers
    for_ae = await chat("brief for the AE")
    assert "Offer 2 —" in for_ae.plain_text() and "above our budget" not in for_ae.plain_text()


async def test_a_long_quote_is_shown_in_parts_a_chat_block_can_hold(chat, deal, coach):
    from adapters.slack import blocks

    doc = docs.make("pdf-classic", 1000, 45)  # two pages
    reply = await share(coach, doc.name, doc.data)
    assert "Read 45 lines from the PDF" in reply.plain_text() and "… and 5 more lines" in reply.plain_text()
    for block in blocks.render(reply):
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000 and "(shortened" not in block["text"]["text"]
    assert any("40. " in b["text"]["text"] for b in blocks.render(reply) if b["type"] == "section")


async def test_two_replicas_pressing_store_at_once_store_one_offer(chat, deal, coach, db_url, clock):
    import asyncio

    from bot.db.engine import create_engine, session_factory

    reply = await share(coach, "quote.csv", quote(10))
    store = next(a for a in reply.actions if a.label == "Store as offer 1").payload
    other_engine = create_engine(db_url)
    other = Coach(session_factory(other_engine), coach.kb, clock=clock)
    try:
        a, b = await asyncio.gather(
            coach.handle(Turn("console", "t1", "c1", "u1", action=dict(store), event_id="press-1")),
            other.handle(Turn("console", "t1", "c1", "u1", action=dict(store), event_id="press-2")),
        )
    finally:
        await other_engine.dispose()
    assert sorted([a.verdict == "stored", b.verdict == "stored"]) == [False, True]
    assert len(await events(coach, "ms_offer")) == 1
