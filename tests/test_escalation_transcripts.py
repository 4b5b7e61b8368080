"""Transcripts: the escalation coach, Microsoft's statements, walk-away, programs, timeline
and drafts, through the real core and database."""

from __future__ import annotations


async def test_should_we_escalate_asks_then_says_not_yet(chat, deal):
    asked = await chat("should we escalate now?")
    assert asked.intent == "form.ask"
    assert asked.missing == [
        "rounds_with_account_team",
        "internal_alignment",
        "sticking_point",
        "sticking_point_value_per_year",
    ]
    reply = await chat(
        "2 rounds. Finance and IT yes, procurement not yet. Copilot price, about $300k a year."
    )
    assert reply.intent == "escalation.check" and reply.verdict == "not_yet"
    assert {"escalation.align-first", "escalation.exhaust-standard-channels"} <= set(reply.rules)
    text = reply.plain_text()
    assert "Procurement is not aligned" in text and "$300k" in text
    checklist = next(s for s in reply.sections if s.style == "checklist")
    assert len(checklist.items) == 5
    assert {a.payload["intent"] for a in reply.actions} >= {
        "draft.escalation",
        "reminders.add",
        "escalation.update",
    }
    remind = next(a for a in reply.actions if a.payload["intent"] == "reminders.add")
    scheduled = await chat(action=remind.payload)
    assert scheduled.headline.startswith("I'll remind you")
    assert "should we escalate" in (await chat("reminders")).plain_text()


async def test_statement_logged_with_count_and_undo(chat, deal):
    first = await chat("the AE said this is their final offer")
    assert first.intent == "ms.statement"
    assert (
        first.headline
        == 'Logged for Woodgrove EA renewal: Microsoft statement "final offer" (1st time, AE, today).'
    )
    second = await chat("AE just told us again this is the best they can do")
    assert second.headline == (
        'Logged for Woodgrove EA renewal: Microsoft statement "best we can do" (2nd time, AE, today).'
    )
    assert "counter.final-offer" in second.rules
    undo = next(a for a in second.actions if a.payload["intent"] == "undo")
    assert (await chat(action=undo.payload)).headline.startswith("Undone: ms_statement")
    third = await chat("AE just told us again this is the best they can do")
    assert "(2nd time" in third.headline


async def test_repeated_final_position_leads_to_escalate_now(chat, deal):
    await chat("the AE said this is their final offer")
    await chat("the AE said again this is the best they can do")
    for fact in [
        "rounds with the account team: 4",
        "internal alignment: yes",
        "sticking point: Copilot price",
        "sticking point worth per year: $400k",
        "budget target set: yes",
    ]:
        await chat(f"set {fact}")
    asked = await chat("escalate?")
    assert asked.missing == ["offer_uncompetitive"]
    reply = await chat("yes")
    assert reply.verdict == "escalate_now"
    assert {"escalation.ready", "escalation.trigger-final-position", "escalation.deliverer-cfo"} <= set(
        reply.rules
    )


async def test_heated_question_gets_not_yet_without_a_form(chat, deal):
    reply = await chat("I'm so fed up with this AE, should we escalate?")
    assert reply.verdict == "not_yet" and "escalation.emotional" in reply.rules
    assert reply.missing == []


async def test_logged_escalation_blocks_another_too_soon(chat, deal, clock):
    logged = await chat("we escalated to their VP today")
    assert logged.intent == "escalation.log"
    reply = await chat("should we escalate?")
    assert reply.verdict == "do_not_escalate" and "escalation.too-soon-again-today" in reply.rules
    clock.advance(days=10)
    again = await chat("should we escalate?")
    assert "escalation.too-soon-again" in again.rules and "You escalated 10 days ago" in again.plain_text()
    clock.advance(days=35)
    later = await chat("should we escalate?")
    assert later.intent == "form.ask"


async def test_draft_escalation_note_then_checklist_ticks(chat, deal):
    for fact in [
        "rounds with the account team: 3",
        "internal alignment: yes",
        "sticking point: Copilot price",
        "sticking point worth per year: $300k",
        "budget target set: yes",
    ]:
        await chat(f"set {fact}")
    asked = await chat("draft a note from our CFO to their regional VP")
    assert asked.missing == ["escalation_ask"]
    drafted = await chat("Copilot at $30 per user per month")
    assert drafted.intent == "draft.escalation" and drafted.draft_source == "template"
    assert "Copilot at $30 per user per month" in drafted.draft and "$300k" in drafted.draft
    reply = await chat("should we escalate now?")
    checklist = next(s for s in reply.sections if s.style == "checklist")
    assert checklist.items[2].done is True


async def test_call_concession_offers_confirming_email(chat, deal):
    logged = await chat("the AE offered on the call to cap the uplift at 3%")
    assert "counter.call-concession" in logged.rules
    button = next(a for a in logged.actions if a.payload["intent"] == "draft.confirm")
    drafted = await chat(action=button.payload)
    assert drafted.draft_source == "template" and "cap the uplift at 3%" in drafted.draft


async def test_deadline_statement_and_reply_draft(chat, deal):
    logged = await chat("the AE says we must sign by the end of the month or lose the discount")
    assert "counter.sign-by" in logged.rules
    drafted = await chat("draft a reply to the exploding offer")
    assert drafted.intent == "draft.exploding_offer"
    assert "sign by the end of the month" in drafted.draft


async def test_walk_away_not_credible(chat, deal):
    asked = await chat("should we walk away?")
    assert asked.missing == ["alternative", "walk_threshold_agreed", "timeline_in_control"]
    final = await chat(
        "No alternative yet, leadership has not agreed a threshold, and no extension is possible."
    )
    assert final.verdict == "walk_not_credible" and "walkaway.no-bluff" in final.rules


async def test_programs_and_timeline(chat, deal):
    asked = await chat("can we get migration funding?")
    assert asked.missing == ["planned_migration"]
    reply = await chat("moving to Azure next year")
    assert reply.verdict == "levers" and "programs.migration-funding" in reply.rules
    await chat("set renewal date: 2027-06-30")
    where = await chat("where are we on the renewal timeline?")
    assert where.intent == "timeline.status" and where.verdict == "build"
    assert "timeline.fiscal-year-end" in where.rules
