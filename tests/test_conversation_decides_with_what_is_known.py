"""Transcripts where the advice is decided from what the person already told, instead of a form:
a question that names nothing of its own asks the last advice question again; a known blocker
decides before the facts still untold; a program question on a deal whose size is known answers
with the untold migration said as an assumption; a small item's worth told in other words."""

from __future__ import annotations


async def test_a_generic_question_after_some_facts_asks_the_meeting_question_again(chat, deal):
    first = await chat("We're meeting their area VP on Thursday.")
    assert first.intent == "meeting.prep"
    await chat("For context, the AE called 610k a year their final offer. Three rounds so far.")
    for question in ("So what do we say?", "Two of us are going. Any tips?", "thoughts?"):
        reply = await chat(question)
        assert reply.intent == "meeting.prep", (question, reply.intent, reply.headline)
        assert "area vice president" in reply.plain_text()


async def test_what_now_after_facts_told_asks_the_question_under_way(chat, deal):
    first = await chat("can I tell the CSM about our planned move to Azure?")
    assert first.intent == "disclosure.share"
    told = await chat("Our agreement ends on 30 June 2027.")
    assert told.intent == "fact.stated"
    reply = await chat("so what now?")
    assert reply.intent == "disclosure.share", reply.headline


async def test_a_generic_question_naming_someone_is_no_repeat(chat, deal):
    await chat("Jane Smith is our account executive")
    await chat("Ana Ruiz is our CSM")
    assert (await chat("should I ask Jane for a price hold?")).intent == "favors.should_ask"
    reply = await chat("what about Ana?")
    assert reply.intent == "favors.should_ask" and "Ana" in reply.headline


async def test_finance_with_no_target_decides_not_yet_before_the_rest_is_told(chat, deal):
    await chat("Our CFO hasn't set a budget target yet, she says after the holidays.")
    reply = await chat("should our CEO call their AVP about the price?")
    assert reply.intent == "escalation.check"
    assert reply.verdict == "not_yet", reply.headline
    assert "escalation.no-budget-target" in reply.rules


async def test_program_question_on_a_small_deal_answers_with_the_migration_assumed(chat, deal):
    await chat("Small renewal this one: 140 E3 seats, roughly 7k euros a month.")
    reply = await chat("any Microsoft programs or funding we could use?")
    assert reply.intent == "programs.levers"
    assert reply.verdict == "none_fit", reply.headline
    rules = reply.rules
    assert "programs.small-account" in rules and "programs.migration-assumed" in rules


async def test_program_question_with_nothing_told_still_asks_about_migration(chat, deal):
    reply = await chat("any Microsoft programs we could use?")
    assert reply.intent == "form.ask"
    assert "migration" in reply.plain_text().lower()


async def test_no_migration_said_in_passing_is_read(chat, deal):
    reply = await chat("We got no migration funding last time.")
    assert "Planned migration" not in reply.plain_text()
    reply = await chat("nothing in the pipeline for migrations")
    assert "Planned migration: no" in reply.plain_text()


async def test_a_small_item_worth_told_after_it_is_named_decides_do_not_escalate(chat, deal):
    await chat("We've done seven rounds with the account team; IT, Finance and Procurement all agree.")
    await chat(
        "Everything is settled except he won't include 15 Visio Plan 2 seats. That's maybe $3k a year."
    )
    reply = await chat("Should our COO phone their regional VP about it?")
    assert reply.intent == "escalation.check"
    assert reply.verdict == "do_not_escalate", reply.headline


async def test_a_worth_someone_reckons_is_still_the_point_s_worth(chat, deal):
    await chat("Six meetings with the AE so far; IT, Finance and Procurement are aligned.")
    await chat(
        "The last open item is that she refuses to throw in extra training days. "
        "Our HR lead reckons they're worth maybe 300 pounds a month."
    )
    reply = await chat("is it time to take this to their area VP?")
    assert reply.verdict == "do_not_escalate", reply.headline


async def test_staying_cheaper_unless_a_steep_rise_is_answered_on_their_price_as_told(chat, deal):
    await chat("Microsoft's renewal offer is £2.1m a year on a three-year term.")
    await chat("We costed Zoho at £1.6m a year; moving would cost us about £2m one-off.")
    await chat("The board agreed we walk above £2.4m a year.")
    reply = await chat("So on the numbers, do we walk?")
    assert reply.intent == "walkaway.check"
    assert reply.verdict == "stay", reply.headline
    assert "walkaway.stay-if-flat" in reply.rules


async def test_telling_them_we_would_walk_is_the_walk_question(chat, deal):
    await chat("Their offer is 1.4M a year. Our CTO wants to move to Google; nobody has costed it.")
    reply = await chat("Could we tell the AE we're leaving? Would they believe it?")
    assert reply.intent == "walkaway.check"
    assert reply.verdict == "walk_not_credible", reply.headline


async def test_a_title_before_a_name_is_no_contact_of_its_own(chat, deal):
    reply = await chat("Our Technical Specialist, Omar, ran a great architecture session for us.")
    text = reply.plain_text()
    assert "Omar: technical specialist" in text and "Specialist:" not in text


async def test_a_quoted_sentence_ends_where_its_stop_is_and_that_number_is_our_budget(chat, deal):
    await chat("Mia Chen is our CSM")
    told = await chat(
        "On Friday Mia asked what we had put aside 'so she could help shape the quote.' "
        "The number our CFO signed off is 2.6 million per year."
    )
    assert "2.6M" in told.plain_text()
    reply = await chat("Is there any risk in sharing that number with her?")
    assert reply.intent == "disclosure.share"
    assert reply.verdict == "protect", reply.headline


async def test_an_agreement_that_runs_to_a_date_is_its_end_and_a_pilot_is_not(chat, deal):
    reply = await chat("The current one runs to 31 January 2029, so plenty of time.")
    assert "Renewal date: 2029-01-31" in reply.plain_text()
    reply = await chat("The Copilot pilot runs to 5 March.")
    assert "Renewal date" not in reply.plain_text()


async def test_a_plan_to_go_up_told_then_judged_in_the_next_message(chat, deal):
    await chat("Eight rounds with the AE; IT, Finance and Procurement are all on board.")
    await chat("The open point is their 9% uplift, about 400k a year.")
    await chat("Our CEO is furious and wants to phone Microsoft's area VP tomorrow.")
    reply = await chat("Good idea, or should we hold him back?")
    assert reply.intent == "escalation.check", reply.headline


async def test_a_question_of_its_own_after_a_contact_is_not_the_contact_again(chat, deal):
    await chat("Jorge Ruiz is our AE")
    reply = await chat("Is it ok to ask Jorge to chase it?")
    assert reply.intent == "favors.should_ask", reply.headline


async def test_a_new_contact_called_by_name(chat, deal):
    reply = await chat("Our new CSM is called Ingrid.")
    assert reply.headline.startswith("Noted: Ingrid is your customer success manager"), reply.headline


async def test_everything_in_place_but_the_worth_escalates_with_the_worth_to_confirm(chat, deal):
    await chat("Six rounds with the AE now. The sticking point is the cap on the renewal uplift.")
    await chat("IT, Finance and Procurement are all behind the position; Finance set a target.")
    reply = await chat("Is it time to take it to their area VP?")
    assert reply.verdict == "escalate_now", reply.headline
    assert "escalation.confirm-worth" in reply.rules


async def test_would_the_threat_be_believed_with_its_footing_untold_is_not_credible(chat, deal):
    await chat("Microsoft wants 380k a year. The alternative would be Zoho Workplace.")
    reply = await chat("Would it be credible if I told the AE we're ready to leave?")
    assert reply.intent == "walkaway.check"
    assert reply.verdict == "walk_not_credible", reply.headline
    assert "walkaway.untold-footing" in reply.rules


async def test_the_end_of_a_month_next_year(chat, deal):
    reply = await chat("Our EA runs until the end of September next year.")
    assert "Renewal date: 2027-09-30" in reply.plain_text()


async def test_a_favour_we_mean_to_ask_then_judged_is_the_favour_question(chat, deal):
    await chat("Priya, our TS at Microsoft, has been great to us.")
    reply = await chat(
        "Now I want to ask her to get us into the private preview of their new AI tool. Should I?"
    )
    assert reply.intent == "favors.should_ask", reply.headline


async def test_asking_a_role_nobody_knows_is_a_cold_ask(chat, deal):
    reply = await chat("Should I ask their area vice president for a special Copilot price?")
    assert reply.verdict == "unlikely", reply.headline
    assert "favors.no-relationship" in reply.rules


async def test_please_prepare_me_is_a_request_whatever_facts_it_tells(chat, deal):
    reply = await chat(
        "The next session is Thursday at 2pm with the AE and the deal desk. Please prepare me for it."
    )
    assert reply.intent == "meeting.prep", reply.headline


async def test_a_titled_name_then_its_role_is_a_contact(chat, deal):
    reply = await chat("We've worked well with Mr. Okafor, the Azure technical specialist, for years.")
    assert "Okafor: technical specialist" in reply.plain_text()
