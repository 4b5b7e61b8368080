"""Answers that need no deal facts: Microsoft's fixed fiscal calendar, and a switching-cost
claim checked against our own estimate in the same reply."""

from __future__ import annotations


async def test_microsoft_quarter_end_without_any_deal(chat):
    reply = await chat("when does Microsoft's quarter end?")  # the clock is 23 Nov 2026
    assert reply.intent == "timeline.status"
    assert reply.verdict == "calendar"
    assert "Microsoft's quarter ends 31 Dec 2026" in reply.headline
    assert [i.rule for s in reply.sections for i in s.items] == [
        "timeline.quarter-end",
        "timeline.fiscal-year-end",
    ]
    assert reply.missing == []


async def test_microsoft_calendar_on_a_deal_without_renewal_date_answers_and_asks(chat, deal):
    reply = await chat("when does Microsoft's fiscal year end?")
    assert reply.verdict == "calendar"
    assert "fiscal year ends 30 Jun 2027" in reply.plain_text()
    assert reply.missing == ["renewal_date"]
    placed = await chat("30 June 2027")
    assert placed.verdict in {"build", "negotiate"}
    assert "Noted Renewal date: 2027-06-30" in placed.plain_text()


async def test_switching_cost_claim_is_logged_and_asks_for_ours(chat, deal):
    reply = await chat("Microsoft says moving to Google Workspace would cost us $3M, is that real?")
    assert reply.intent == "ms.statement"
    assert "switching-cost claim, $3M" in reply.headline
    assert [i.rule for s in reply.sections for i in s.items if i.rule] == [
        "walkaway.switching-claim-unchecked"
    ]
    assert reply.missing == ["switching_cost"]
    checked = await chat("about $1.2M all in")
    rules = [i.rule for s in checked.sections for i in s.items if i.rule]
    assert rules == ["walkaway.inflated-switching-cost"]


async def test_switching_cost_claim_checked_at_once_when_we_have_an_estimate(chat, deal):
    await chat("set switching_cost: $2.5M")
    reply = await chat("the AE told us migrating off M365 would cost around $3M")
    assert [i.rule for s in reply.sections for i in s.items if i.rule] == ["walkaway.switching-claim-fair"]
    assert reply.missing == []
    undone = await chat(action=reply.actions[-1].payload)
    assert undone.intent == "undo"
    facts = (await chat("deal show")).plain_text().split("Timeline")[0]
    assert "3M" not in facts
