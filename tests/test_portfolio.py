"""The portfolio (`deals`, `coach deal list`, the Slack Home tab): every deal of the workspace
with its renewal, days left, next milestone, verbal promises and escalation verdict, most
urgent first; never another tenant's deals; one query batch whatever the number of deals."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import event

from adapters.slack.blocks import MAX_BLOCKS, TEXT_LIMIT
from adapters.slack.blocks import render as slack_render
from adapters.slack.home import blocks as home_blocks
from adapters.teams.cards import MAX_CARD_CHARS
from adapters.teams.cards import render as card_render
from bot import portfolio
from bot.access import Person
from bot.db.engine import session_factory
from bot.memory import Memory

# The clock fixture stands at 23 Nov 2026.


async def test_deals_lists_every_deal_most_urgent_first(chat):
    await chat("deal new Lapsed Azure deal")
    await chat("set renewal date: 2026-10-01")
    await chat("deal new Far Woodgrove EA")
    await chat("set renewal date: 2027-06-30")
    await chat("deal new Unknown date deal")
    await chat("deal new Near Contoso M365")
    await chat("set renewal date: 2027-01-15")

    reply = await chat("deals")
    assert reply.intent == "deal.list" and reply.headline == "4 deals:"
    lines = [item.text for s in reply.sections for item in s.items]
    assert [line.split(" — ")[0] for line in lines] == [
        "Lapsed Azure deal",
        "Near Contoso M365 (active here)",
        "Far Woodgrove EA",
        "Unknown date deal",
    ]
    lapsed, near, far, unknown = lines
    assert "the renewal date 1 Oct 2026 passed 53 days ago" in lapsed
    assert "renews 15 Jan 2027, 53 days left" in near and "T-90 days passed on 17 Oct 2026" in near
    assert "next:" not in near  # no milestone is left before this renewal
    assert "renews 30 Jun 2027, 219 days left" in far
    assert "next: T-6 months on 29 Dec 2026" in far and "T-12 months passed on 30 Jun 2026" in far
    assert "renewal date not known (listed last)" in unknown
    assert all("escalation: facts missing" in line for line in lines)  # nothing said about rounds yet
    assert reply.sections[0].title == "Most urgent first"


async def test_a_row_counts_verbal_promises_and_shows_the_escalation_verdict_chat_gives(chat, deal):
    await chat("set renewal date: 2027-06-30")
    await chat("log commitment: Jane (AE) promised 15% on Copilot in year 2")
    second = await chat("log commitment: Raj (AE) promised a price hold")
    await chat("log commitment: Ana (CSM) promised a FastTrack team")
    cid = second.actions[0].payload["commitment_id"]
    await chat(f"commitment {cid} requested in writing")
    asked = await chat("should we escalate?")

    (row,) = [item.text for s in (await chat("deals")).sections for item in s.items]
    assert "2 verbal commitments not in writing" in row
    if asked.verdict_label:
        assert f"escalation: {asked.verdict_label.rstrip('.')}" in row
    else:
        assert "escalation: facts missing" in row

    await chat("cancel")  # the question's form, if it asked for facts
    await chat("we escalated to their VP today")
    verdict = await chat("should we escalate?")
    assert verdict.verdict == "do_not_escalate"
    (row,) = [item.text for s in (await chat("deals")).sections for item in s.items]
    assert "escalation: Don't escalate" in row


async def test_another_workspace_never_sees_our_deals(chat, deal):
    await chat("deal new Secret Fabrikam renewal")
    theirs = await chat("deals", tenant="t2", conversation="x")
    assert theirs.headline.startswith("No deals yet")
    assert "Woodgrove" not in theirs.plain_text() and "Fabrikam" not in theirs.plain_text()
    await chat("deal new Their own deal", tenant="t2", conversation="x")
    theirs = await chat("deals", tenant="t2", conversation="x")
    assert theirs.headline == "1 deal:" and "Their own deal" in theirs.plain_text()
    ours = await chat("deals")
    assert ours.headline == "2 deals:" and "Their own deal" not in ours.plain_text()


async def test_500_deals_in_one_query_batch_and_within_every_surfaces_limits(engine, kb, clock, chat):
    now = clock()
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        memory = await Memory.for_tenant(session, "slack", "T-big", now)
        for n in range(500):
            deal = await memory.create_deal(f"Deal {n:03d} " + "x" * 90, "U1", now)
            await memory.append_event(
                deal.id,
                "fact",
                {"key": "renewal_date", "value": (now + timedelta(days=30 + n)).date().isoformat()},
                actor="U1",
                at=now,
                recorded_at=now,
            )
            await memory.append_event(
                deal.id,
                "commitment",
                {"contact": "Raj", "what": "a price hold"},
                actor="U1",
                at=now,
                recorded_at=now,
            )
    await chat("deal new Another tenant's deal")  # must never show up below

    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        seen = await portfolio.overview(sessions, "slack", "T-big", kb, now, person=Person("U1"))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert len(seen.rows) == 500
    assert len(statements) <= 4, statements  # tenant, deals, events, contacts: not one per deal
    assert [r.days_left for r in seen.rows] == list(range(30, 530))
    assert all(r.verbal == 1 for r in seen.rows)
    assert all("Another tenant" not in r.name for r in seen.rows)

    reply = portfolio.to_reply(seen.rows, kb)
    assert reply.headline == "500 deals:" and reply.footer == "…and 470 more, less urgent."
    chat_blocks = slack_render(reply)
    assert len(chat_blocks) <= MAX_BLOCKS
    assert all(len(b["text"]["text"]) <= TEXT_LIMIT for b in chat_blocks if b["type"] == "section")
    assert "Deal 000" in json.dumps(chat_blocks) and "470 more" in json.dumps(chat_blocks)
    home = home_blocks(seen.rows, kb)
    assert len(home) <= 50 and "less urgent deals not shown here" in json.dumps(home)
    assert all(len(b["text"]["text"]) <= TEXT_LIMIT for b in home if b["type"] == "section")
    card = card_render(reply)
    assert len(json.dumps(card)) <= MAX_CARD_CHARS and "Deal 029" in json.dumps(card)
