"""Transcripts of favours told as events over a conversation, then a favour question: what a
Microsoft person already did for us counts against their jar, and a question that leaves out
what would be asked takes it from what was just told."""

from __future__ import annotations

from bot.dialogue.state import DialogueState
from bot.understanding.events import favours_told


def rules(reply) -> list[str]:
    return [i.rule or "" for s in reply.sections for i in s.items]


async def test_three_things_the_specialist_did_make_a_fourth_ask_someone_elses_job(chat, deal):
    await chat("Priya, our account executive, got us a free sandbox tenant in September.")
    await chat("A few weeks later she fast-tracked our support case with the product group.")
    await chat("And on Monday Priya also organised a design session for our data platform, out of hours.")
    reply = await chat("Should I ask Priya to run onboarding and training for our service desk as well?")
    assert reply.intent == "favors.should_ask"
    assert reply.verdict == "find_aligned_contact", reply.plain_text()
    assert "favors.told-events" in rules(reply)


async def test_a_count_told_in_words_counts_as_that_many_asks(chat, deal):
    await chat("Luis, the AE on our account, has already done us three favours since the summer.")
    reply = await chat("is it ok to ask Luis to help us get the missing workshop vouchers for the rollout?")
    assert reply.intent == "favors.should_ask"
    assert reply.verdict == "find_aligned_contact", reply.plain_text()


async def test_news_about_someone_that_is_no_favour_leaves_the_jar_as_it_was(chat, deal):
    await chat("Omar is our AE. He joined the account in October and he is based in Madrid.")
    reply = await chat("should I ask Omar for a small extension on the quote?")
    assert reply.intent == "favors.should_ask"
    assert reply.verdict == "ask", reply.plain_text()
    assert "favors.told-events" not in rules(reply)


async def test_ask_her_again_takes_the_request_told_just_before(chat, deal):
    await chat("Nadia, our AE, chased the deal desk for us twice and got us a billing fix.")
    await chat("Now procurement wants trial licences free for a pilot group of 40 users.")
    reply = await chat("should I ask her again?")
    assert reply.intent == "favors.should_ask"
    assert reply.verdict is not None, reply.headline  # answered, not "what would you ask for?"
    assert reply.verdict == "find_aligned_contact", reply.plain_text()


def test_favours_told_count_events_per_person_and_follow_pronouns(kb):

    told = favours_told(
        "Ben got us the preview, he chased the licences, and last week he sorted out billing.",
        kb,
        ["Ben"],
    )
    assert told == {"Ben": 3}
    assert favours_told(
        "I asked him to lean on the deal desk and he did that too.", kb, ["Ben"], last="Ben"
    ) == {"Ben": 1}
    assert favours_told("Ben couldn't get us the preview.", kb, ["Ben"]) == {}
    assert favours_told("Ben is our AE and he is new.", kb, ["Ben"]) == {}


def test_the_count_survives_the_stored_state():
    state = DialogueState(deal_id=3, favours=(("Ben Ode", 2),), told=("we need a pilot",))
    again = DialogueState.from_json(state.to_json(), 3)
    assert again.favours_of("Ben") == 2 and again.told == ("we need a pilot",)


async def test_someone_we_never_met_is_a_cold_ask_even_on_the_contact_map(chat, deal):
    await chat(
        "Rafael Costa is the AVP for our region. Honestly I've never met him, only seen his name on slides."
    )
    reply = await chat("should I ask Rafael for an extra month at the old price?")
    assert reply.intent == "favors.should_ask"
    assert reply.verdict == "unlikely", reply.plain_text()
    assert "favors.no-relationship" in rules(reply)


async def test_him_after_nobody_on_our_side_still_means_their_person(chat, deal):
    await chat("Their new CSM, Kofi, came up at the roadshow; we only swapped business cards.")
    await chat("We'd love two free weeks of premier support hours for the cutover.")
    reply = await chat("Nobody on our side really knows him. Should I ask him for that directly?")
    assert reply.intent == "favors.should_ask", reply.headline
    assert reply.verdict in ("unlikely", "find_aligned_contact"), reply.plain_text()
    assert "Kofi" in reply.plain_text()
