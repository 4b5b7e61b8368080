"""Transcripts of a deal told over a few messages, then a question about program levers or about
telling Microsoft our plans. The answer rests on what was told: a small deal with nothing
Microsoft would fund gets "none fit", a reference our policy rules out is no lever, a planned
migration is shared with the AE only on purpose, and the budget stays with us whoever asks."""

from __future__ import annotations


async def test_a_small_deal_with_no_migration_and_references_ruled_out_gets_none_fit(chat, deal):
    await chat("It's a small renewal for us, 300 seats of E3 at roughly $180,000 a year.")
    await chat("We haven't got any migration planned, everything moved to the cloud back in 2021.")
    await chat("Our legal team doesn't allow us to endorse suppliers, so no case studies, full stop.")
    reply = await chat("Is there any Microsoft program money we could get at our size?")
    assert reply.intent == "programs.levers"
    assert reply.verdict == "none_fit", reply.plain_text()
    assert "programs.small-account" in reply.rules
    assert "programs.reference-ruled-out" in reply.rules
    assert "programs.bounded-reference" not in reply.rules


async def test_never_once_asked_for_a_reference_is_no_reference_request(chat, deal):
    await chat("No big migrations on the roadmap at all.")
    await chat("The account team has never once asked us for a case study.")
    reply = await chat("what programs could we use?")
    assert reply.verdict == "none_fit", reply.plain_text()
    assert "programs.bounded-reference" not in reply.rules


async def test_a_reference_they_asked_for_and_we_refused_is_no_lever(chat, deal):
    await chat("no migration planned, we're keeping what we have")
    await chat("the AE asked whether we'd be a reference customer and we told them no")
    reply = await chat("which programs fit us?")
    assert reply.verdict == "none_fit", reply.plain_text()
    assert "programs.reference-ruled-out" in reply.rules


async def test_a_reference_they_asked_for_and_we_may_give_is_still_a_lever(chat, deal):
    await chat("no migration planned")
    await chat("Microsoft asked us to be a reference customer")
    reply = await chat("which programs fit us?")
    assert reply.verdict == "levers", reply.plain_text()
    assert "programs.bounded-reference" in reply.rules


async def test_a_yearly_value_told_next_to_a_seat_count_makes_the_deal_small(chat, deal):
    await chat("we're only renewing 120 project seats, about 60k/yr")
    await chat("no migration planned")
    reply = await chat("any Microsoft funding we could pull in?")
    assert reply.verdict == "none_fit", reply.plain_text()
    assert "programs.small-account" in reply.rules


async def test_a_planned_migration_asked_about_in_other_words_is_strategic_with_the_ae(chat, deal):
    await chat(
        "The board has given us the go-ahead to move our ERP workloads to Azure over the next two years."
    )
    reply = await chat("Is it smart to bring up the migration with Nadia, our AE, next week?")
    assert reply.intent == "disclosure.share"
    assert reply.verdict == "strategic", reply.headline
    assert "disclosure.initiatives-structure" in reply.rules


async def test_our_plans_and_it_take_the_migration_from_the_conversation(chat, deal):
    await chat("we're migrating the warehouse systems onto Azure in 2027")
    plans = await chat("do we let the AE know about our plans?")
    assert plans.verdict == "strategic", plans.headline
    it = await chat("should we mention it to the account executive?")
    assert it.intent == "disclosure.share"
    assert it.verdict == "strategic", it.headline


async def test_the_migration_plan_is_not_a_harmless_technical_detail(chat, deal):
    reply = await chat("should we mention the migration plan to the account executive?")
    assert reply.verdict == "strategic", reply.headline


async def test_the_csm_asking_for_the_budget_then_a_question_keeps_it(chat, deal):
    await chat("Ravi Menon is our customer success manager, we meet him on Friday.")
    await chat("He asked how much we've set aside for next year. We have 1.4 million a year approved.")
    reply = await chat("Would it be acceptable to hand him that figure to build trust?")
    assert reply.intent == "disclosure.share"
    assert reply.verdict == "protect", reply.headline
    assert "customer success manager" in reply.plain_text().casefold()
