"""Conversations in everyday words: the coach acts on what it is confident about, offers
"Did you mean …" when it is torn, and says what it is for when the text is nothing it does."""

from __future__ import annotations

from bot.features import default_knowledge
from bot.understand import understand_ranked
from bot.understanding.config import config

KB = default_knowledge()


async def test_an_everyday_escalation_question_gets_the_escalation_check(chat, deal):
    asked = await chat("do we need to go higher than the account manager?")
    assert asked.intent == "form.ask" and "rounds_with_account_team" in asked.missing  # the check's questions
    reply = await chat("2 rounds. Finance and IT yes, procurement not yet. Copilot price, $300k a year.")
    assert reply.intent == "escalation.check" and reply.verdict == "not_yet"


async def test_a_typo_still_reaches_the_right_intent(chat, deal):
    asked = await chat("esclate?")
    assert asked.intent == "form.ask" and "rounds_with_account_team" in asked.missing


async def test_a_question_about_promises_lists_them(chat, deal):
    await chat("log commitment: Jane (AE) promised a price hold on E5 until June")
    reply = await chat("what did the AE commit to?")
    assert reply.intent == "commitments.list"
    assert "price hold" in reply.plain_text()


async def test_a_deadline_from_microsoft_gets_a_draft_reply(chat, deal):
    reply = await chat("Microsoft wants us to sign by the 15th, how do I respond")
    assert reply.intent == "draft.exploding_offer"


async def test_asking_who_sits_above_the_rep_is_the_escalation_question_not_a_favor(chat, deal):
    asked = await chat("who should I go to above the account manager")
    assert asked.intent == "form.ask" and "rounds_with_account_team" in asked.missing
    assert (await chat("who's their rep's boss?")).intent == "form.ask"  # still the escalation check
    assert (await chat("who do I ask for a favor on licence counts")).intent == "favors.who"


async def test_who_is_rewarded_for_a_fix_is_the_favor_question(chat, deal):
    assert (await chat("who gets rewarded if our licences get fixed?")).intent == "favors.who"


async def test_greetings_and_thanks_get_a_short_friendly_answer_with_things_to_try(chat):
    hello = await chat("good morning")
    assert hello.intent == "smalltalk.greet"
    assert "Microsoft deals" in hello.headline
    assert 2 <= len(hello.actions) <= 3
    tried = await chat(action=hello.actions[-1].payload)
    assert tried.intent == "help"
    assert (await chat("thanks, that was useful")).intent == "smalltalk.thanks"
    about = await chat("what exactly are you?")
    assert about.intent == "smalltalk.about"
    assert "negotiation coach" in about.headline


async def test_a_plain_statement_without_a_tracked_fact_asks_which_fact_never_shows_syntax(chat, deal):
    reply = await chat("the AE was on holiday last week")
    assert reply.intent == "deal.tell"
    assert "didn't catch a fact" in reply.headline and "Which fact does it change" in reply.headline
    assert "`" not in reply.plain_text() and "like this" not in reply.plain_text()
    kept = await chat(action=reply.actions[0].payload)  # "Keep it as a note"
    assert kept.intent == "note"
    assert "on holiday last week" in (await chat("deal show")).plain_text()


async def test_rounds_told_in_a_plain_sentence_are_heard(chat, deal):
    reply = await chat("we've met the AE five times now")
    assert reply.intent == "fact.stated"
    assert reply.headline == "Logged for Woodgrove EA renewal: Rounds with the account team: 5."


async def test_a_statement_that_carries_a_fact_is_still_logged(chat, deal):
    reply = await chat("contract renews on 31 March 2027")
    assert reply.intent == "fact.stated"
    assert "2027-03-31" in reply.headline


async def test_a_statement_with_no_deal_asks_for_one(chat):
    reply = await chat("our budget is roughly 1.2M for the whole thing")
    assert reply.intent == "deal.tell"
    assert "deal new" in reply.headline


async def test_an_unclear_message_offers_the_closest_intents_as_buttons(chat, deal):
    reply = await chat("what about the CSM")
    assert reply.intent == "unknown"
    assert reply.headline.startswith("I'm not sure I followed. Did you mean")
    assert 1 <= len(reply.actions) <= 3
    # the closest first: the classifier's best intent that may be offered
    cfg = config(KB)
    ranked = [n for n, _ in understand_ranked("what about the CSM", KB)[1]]
    best = next(n for n in ranked if n != cfg.outside_label and n not in cfg.never_suggest)
    assert reply.actions[0].payload["intent"] == best
    assert all(a.payload["user_text"] == "what about the CSM" for a in reply.actions)
    assert all(len(a.label) <= 40 for a in reply.actions)
    followed = await chat(action=reply.actions[0].payload)
    assert followed.intent == reply.actions[0].payload["intent"]


async def test_text_unlike_anything_gets_what_the_coach_is_for(chat, deal):
    for text in ["what's the weather in Paris", "asdf qwerty zxcv"]:
        reply = await chat(text)
        assert reply.intent == "unknown"
        assert reply.headline.startswith("That's outside what I do")
        assert not reply.actions
        assert "help" in (reply.footer or "")


async def test_not_sure_with_no_question_open_asks_what_about(chat, deal):
    for text in ["not sure", "no idea"]:
        reply = await chat(text)
        assert reply.intent == "unknown"
        assert reply.headline.startswith("Not sure about what?")
        assert "outside what I do" not in reply.plain_text()
    shown = (await chat("deal show")).plain_text()
    assert "not sure" not in shown.split("Timeline")[0]  # nothing was logged


async def test_deals_are_started_and_switched_in_everyday_words(chat):
    started = await chat("we need a new deal for Humongous Insurance")
    assert started.intent == "deal.new" and started.headline.startswith("Started Humongous Insurance")
    await chat("deal new Tailspin Copilot rollout")
    switched = await chat("let's work on the Humongous deal now")
    assert switched.intent == "deal.use" and switched.headline == "Switched to Humongous Insurance."
    unknown = await chat("move over to the Fabrikam deal")
    assert unknown.intent == "unknown_deal"  # nothing switched: the intent `coach deal use` exits 1 on
    assert unknown.headline.startswith("I couldn't tell which deal you mean.")
    assert "Humongous Insurance, Tailspin Copilot rollout" in unknown.headline


async def test_a_hedge_about_alignment_changes_nothing(chat, deal):
    await chat("finance and IT are on board")
    reply = await chat("not sure procurement is on board")
    assert reply.intent == "escalation.alignment"
    assert reply.headline.startswith("Not confirmed, then.")
    facts = (await chat("deal show")).plain_text().split("Timeline")[0]
    assert "Procurement" not in facts


async def test_a_contact_told_in_passing_joins_the_map_and_undo_takes_it_off(chat, deal):
    reply = await chat("Jane Smith is our CSM and we've had 3 rounds")
    assert reply.intent == "fact.stated"
    assert "Rounds with the account team: 3" in reply.headline
    assert "Jane Smith: customer success manager" in reply.headline
    assert "Jane Smith (csm)" in (await chat("deal show")).plain_text()
    await chat(action=reply.actions[0].payload)
    shown = (await chat("deal show")).plain_text()
    assert "Rounds with the account team" not in shown.split("Timeline")[0]
    assert "Jane Smith (csm) — no longer on the deal" in shown


async def test_a_date_that_reads_two_ways_is_asked_never_guessed(chat, deal):
    reply = await chat("our contract renews 04/05/2027 and we've had 2 rounds")
    assert "Rounds with the account team: 2" in reply.plain_text()
    asks = [i for s in reply.sections for i in s.items if i.rule == "facts.which-day"]
    assert len(asks) == 1 and "4 May 2027 or 5 April 2027" in asks[0].text
    assert "Renewal date" not in (await chat("deal show")).plain_text().split("Timeline")[0]
    settled = await chat("it renews 4 May 2027")
    assert "Renewal date: 2027-05-04" in settled.plain_text()


async def test_a_contact_said_as_a_plain_sentence_joins_the_map(chat, deal):
    first = await chat("Jane Smith is our AE")
    assert first.intent == "contacts.change"
    assert first.headline == "Noted: Jane Smith is your account executive now."
    assert "account-team.transition-reset" not in first.rules  # nobody was replaced
    second = await chat("our AE is John Smith")
    assert second.headline == "Noted: John Smith is your account executive now (was Jane Smith)."
    assert "account-team.transition-reset" in second.rules


async def test_a_fact_is_set_by_its_label_its_short_name_or_its_key(chat, deal):
    term = await chat("set term: 3 years")
    assert term.intent == "fact.set" and term.headline.endswith("Term (years) = 3.")
    renewal = await chat("set renewal_date to 2027-06-30")
    assert renewal.intent == "fact.set" and "Renewal date = " in renewal.headline
    value = await chat("set deal value = 2.4m")
    assert "Deal value per year = " in value.headline
    facts = (await chat("deal show")).plain_text().split("Timeline")[0]
    assert "Term (years): 3" in facts and "2027" in facts
    # Two facts start with "budget": a value that fits both is asked about, never guessed...
    refused = await chat("set budget: not sure")
    assert refused.headline.startswith("I don't track a fact called “budget”")
    # ...while a figure fits only the yearly budget, so it is read as the budget said.
    budget = await chat("set budget: 2m")
    assert "Budget per year (kept to ourselves): $2M" in budget.headline


async def test_not_sure_with_no_question_open_cancels_nothing(chat, deal):
    await chat("set term: 3 years")
    for text in ["not sure", "hmm, no idea tbh"]:
        reply = await chat(text)
        assert reply.intent == "unknown", text
    assert "Term (years): 3" in (await chat("deal show")).plain_text()


async def test_a_past_call_is_news_not_meeting_prep(chat, deal):
    reply = await chat("we had a call with the AE about licensing yesterday")
    assert reply.intent == "deal.tell"
    assert (await chat("reminders")).plain_text().startswith("Nothing is")


def test_a_fact_name_prefers_the_key_and_never_guesses_between_two():
    from bot.features import default_knowledge
    from bot.understanding.fact_names import fact_by_name

    kb = default_knowledge()
    names = ["switching cost", "Term (years)", "budget"]
    named = {n: getattr(fact_by_name(n, kb), "key", None) for n in names}
    # "switching cost" is one fact's key and both switching facts' short label: the key wins
    assert named == {"switching cost": "switching_cost", "Term (years)": "term_years", "budget": None}


async def test_legal_is_a_team_people_name_but_escalation_waits_only_for_the_three(chat, deal):
    legal = await chat("legal hasn't signed off yet")
    assert legal.headline.endswith(": Legal not yet.")
    three = await chat("IT, finance and procurement are all on board")
    assert "IT yes, Finance yes, Procurement yes, Legal not yet" in three.plain_text()
    assert three.verdict == "not_aligned"  # Legal is still apart, and said so
    facts = (await chat("deal show")).plain_text().split("Timeline")[0]
    assert "Legal not yet" in facts


async def test_a_question_about_what_microsoft_said_is_answered_not_logged(chat, deal):
    asked = await chat("are they serious that this is the final offer?")
    assert asked.intent == "ms.statement" and asked.verdict != "logged"
    assert "counter.final-offer" in asked.rules and "Nothing logged" in asked.headline
    told = await chat("the AE said this is their final offer")
    assert told.verdict == "logged" and "1st time" in told.headline  # the question was not counted


async def test_a_rep_who_wont_budge_is_no_more_room_not_a_refusal_to_write_it_down(chat, deal):
    told = await chat("third call with the AE today and they still won't budge on copilot")
    assert told.verdict == "logged" and '"no more room"' in told.headline
    assert "counter.final-offer" in told.rules


async def test_asking_what_levers_we_have_lists_the_program_levers(chat, deal):
    reply = await chat("what levers do we have")  # the levers, or the one fact they need first
    asked_first = reply.intent == "form.ask" and "planning a migration" in reply.plain_text()
    assert reply.intent == "programs.levers" or asked_first
    if asked_first:
        assert (await chat("no")).intent == "programs.levers"


async def test_asked_for_information_do_i_answer_is_the_disclosure_question(chat, deal):
    reply = await chat("quick q - the CSM keeps asking how many seats we'll need next year, do I answer?")
    assert reply.intent == "disclosure.share"
    offered = await chat("Microsoft asked if we'd do a case study, should we say yes?")
    assert offered.intent != "disclosure.share"  # a yes/no to an offer, not information asked for


async def test_two_people_named_in_one_sentence_both_join_the_contact_map(chat, deal):
    reply = await chat("our AE is Tom Baker and the CSM is Priya Shah")
    assert "Tom Baker" in reply.headline and "Priya Shah" in reply.headline
    people = (await chat("contacts")).plain_text()
    assert "Tom Baker (AE)" in people and "Priya Shah (CSM)" in people
