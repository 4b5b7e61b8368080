"""The counter-proposal and the agenda request through chat (template path): only the deal's
facts, asked for when missing, never the budget."""

from __future__ import annotations

from bot.understand import understand


async def test_the_examples_map_to_the_new_draft_intents(kb):
    for spec in kb.intents:
        if spec.name in ("draft.counter_proposal", "draft.agenda_request"):
            for text in spec.examples:
                got = understand(text, kb)
                assert got is not None and got.name == spec.name, text
            for text in spec.counter_examples:
                got = understand(text, kb)
                assert got is None or got.name != spec.name, text


async def test_counter_proposal_asks_for_the_reason_then_drafts_from_facts_only(chat, deal):
    await chat("set deal value per year: $2.4M")
    await chat("set budget ceiling: $1.9M")
    await chat("log commitment: Jane Doe (AE) promised named unit prices in the quote")
    asked = await chat("draft counter: E5 at today's price for 3 years")
    assert asked.intent == "form.ask" and [q.id for q in asked.questions] == ["counter_justification"]
    reply = await chat("E3 to E5 upgrades for 800 users over the term, and the price is in line with peers")
    assert reply.intent == "draft.counter_proposal" and reply.verdict == "drafted"
    assert reply.draft_source == "template"
    assert {"drafts.template", "drafts.justify", "drafts.no-budget"} <= set(reply.rules)
    draft = reply.draft or ""
    assert "Hi Jane," in draft
    assert "Our counter-proposal: E5 at today's price for 3 years." in draft
    assert "Why we think it is fair: E3 to E5 upgrades for 800 users" in draft
    assert "$2.4M a year" in draft
    assert "1.9" not in draft and "budget" not in draft.casefold()


async def test_counter_proposal_without_facts_asks_what_we_propose(chat, deal):
    asked = await chat("draft a counter-proposal to the AE")
    assert asked.intent == "form.ask" and [q.id for q in asked.questions] == ["counter_offer"]
    again = await chat("Copilot at 20% off for year one")
    assert [q.id for q in again.questions] == ["counter_justification"]
    done = await chat("we commit to 1,000 Copilot seats by year two")
    assert done.verdict == "drafted"
    assert "we commit to 1,000 Copilot seats by year two" in (done.draft or "")
    assert "a year, and we want it" not in (done.draft or "")  # no deal value held: the line is left out


async def test_agenda_request_names_the_next_meeting_and_adds_our_item(chat, deal):
    await chat("prep me for the pricing meeting with the AE on Thursday")
    asked = await chat("ask them for the agenda")
    assert asked.intent == "form.ask" and [q.id for q in asked.questions] == ["agenda_item"]
    reply = await chat("a price hold on E5 for the full term")
    assert reply.intent == "draft.agenda_request" and reply.verdict == "drafted"
    assert {"drafts.template", "drafts.agenda"} <= set(reply.rules)
    draft = reply.draft or ""
    assert "agenda for our" in draft and "Thursday 26 November" in draft
    assert "We would like to add one item: a price hold on E5 for the full term." in draft


async def test_agenda_request_without_a_meeting_still_drafts(chat, deal):
    reply = await chat("draft agenda request: named unit prices in the quote")
    assert reply.verdict == "drafted"
    draft = reply.draft or ""
    assert "agenda for our next meeting" in draft and "Hi there," in draft
    assert "We would like to add one item: named unit prices in the quote." in draft
