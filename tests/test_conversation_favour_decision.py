"""Transcripts of the favour decision (knowledge/favors.yaml, in order): a request that is the
person's own job is no favour (ask); one another Microsoft role is rewarded for goes to them
(find_aligned_contact), from a stranger or a friend; a real favour from someone we barely know is
unlikely; a real favour from someone we know is the jar's to decide, with every ask told across
the story counted once, value we gave filling it back and a long relationship starting it fuller."""

from __future__ import annotations

from bot.features import default_knowledge
from bot.understanding.events import close_told, favours_told, given_told, strangers_told

KB = default_knowledge()


def rules(reply) -> list[str]:
    return [i.rule or "" for s in reply.sections for i in s.items]


def item(reply, rule: str) -> str:
    return next(i.text for s in reply.sections for i in s.items if i.rule == rule)


# --- 1. their own job ---------------------------------------------------------------------------


async def test_the_seller_who_booked_the_order_chasing_it_is_no_favour(chat, deal):
    await chat("We ordered 300 Teams Premium seats ten days ago and they still aren't in the tenant.")
    await chat("Bianca is our account executive, she booked that order.")
    reply = await chat("Should I ask her to chase it?")
    assert reply.intent == "favors.should_ask"
    assert reply.verdict == "ask", reply.plain_text()
    assert rules(reply) == ["favors.kpi-aligned"]


async def test_a_roadmap_briefing_is_part_of_what_the_csm_is_there_for(chat, deal):
    await chat("Our CSM, Sven, has looked after us for six years.")
    reply = await chat("Can I ask Sven for a briefing on the Purview roadmap for our security leads?")
    assert reply.verdict == "ask", reply.plain_text()
    assert "favors.kpi-aligned" in rules(reply)


# --- 2. someone else's job ----------------------------------------------------------------------


async def test_a_friend_asked_for_someone_elses_job_keeps_their_goodwill(chat, deal):
    await chat("Olu, their solution architect, is a good friend of our platform lead.")
    await chat("We need a Viva adoption workshop for the branch managers.")
    reply = await chat("should I ask Olu?")
    assert reply.verdict == "find_aligned_contact", reply.plain_text()
    assert rules(reply)[0] == "favors.save-the-favour"
    assert "customer success manager" in item(reply, "favors.find-aligned-role")


async def test_a_stranger_asked_for_the_account_teams_job_points_to_the_account_team(chat, deal):
    await chat("Our Intune licences from the March order never showed up in the tenant.")
    await chat("The only person I know there is Hana, their technical specialist, and I met her just once.")
    reply = await chat("would it be ok to ask Hana to chase it as a personal favour?")
    assert reply.verdict == "find_aligned_contact", reply.plain_text()
    assert rules(reply) == ["favors.no-relationship", "favors.find-aligned-role"]
    assert "account executive" in item(reply, "favors.find-aligned-role")


async def test_the_fourth_ask_of_the_seller_for_adoption_help_goes_to_the_csm_on_the_deal(chat, deal):
    await chat("This year we asked our AE, Dario, for three favours already.")
    await chat("Our CSM, Mei Lin, is measured on Copilot usage.")
    reply = await chat("Should I ask Dario for some Copilot training sessions?")
    assert reply.verdict == "find_aligned_contact", reply.plain_text()
    assert "Mei Lin" in reply.headline


# --- 3. a real favour from someone we barely know ------------------------------------------------


async def test_a_price_freeze_from_someone_met_at_a_meetup_is_unlikely(chat, deal):
    await chat("Pedro from Microsoft, the regional director, swapped cards with me at a meetup in May.")
    await chat("We'd like the current price frozen for three more months.")
    reply = await chat("Shall I email Pedro directly and ask him for that?")
    assert reply.verdict == "unlikely", reply.plain_text()
    assert rules(reply) == ["favors.no-relationship"]


# --- 4. a real favour from someone we know: the jar --------------------------------------------


async def test_favours_told_over_several_messages_count_once_each(chat, deal):
    await chat("Ines, our CSM, got us extra sandbox seats in September.")
    await chat("In October she chased the deal desk for us, and again last week on the quote.")
    first = await chat("Can I ask Ines for a sneak peek at their discount bands?")
    assert first.verdict == "unlikely", first.plain_text()
    assert "Ines already did for you, as you told them: 3" in item(first, "favors.told-events")
    again = await chat("and should I ask Ines for an early copy of the price list?")
    assert again.verdict == "unlikely"
    assert "as you told them: 3" in item(again, "favors.told-events")  # not counted twice


async def test_favours_told_in_the_question_message_itself_count_too(chat, deal):
    await chat("Ravi is our AE.")
    reply = await chat(
        "Ravi got us a quote extension in August and he pushed through a billing fix last month. "
        "Should I ask him to hold the current price for another quarter?"
    )
    assert reply.verdict == "unlikely", reply.plain_text()
    assert "as you told them: 2" in item(reply, "favors.told-events")


async def test_a_first_ask_of_someone_we_gave_value_to_is_fine(chat, deal):
    await chat("our ae noor - we hosted her customer roundtable in june and recorded a video for her team")
    await chat("we have never asked her for anything")
    reply = await chat("ok to ask her for a two week extension on the quote validity?")
    assert reply.verdict == "ask", reply.plain_text()
    assert "favors.told-given" in rules(reply) and "favors.first-ask" in rules(reply)


async def test_someone_we_know_well_has_more_room_than_someone_we_know_a_little(chat, deal):
    await chat("We have a long-standing relationship with Femi, our AE.")
    reply = await chat("should I ask Femi for a big extension on the quote?")
    assert reply.verdict == "ask", reply.plain_text()
    assert "favors.long-relationship" in rules(reply)


async def test_the_same_big_ask_of_someone_we_barely_know_on_the_map_is_unlikely(chat, deal):
    await chat("Femi is our AE, he joined last week.")
    reply = await chat("should I ask Femi for a big extension on the quote?")
    assert reply.verdict == "unlikely", reply.plain_text()


async def test_a_yes_no_after_a_favour_answer_asks_it_again(chat, deal):
    await chat("the A3 licences still haven't landed in the tenant")
    first = await chat("thinking of asking Tom, the TS we get on with, to chase it as a personal favour")
    assert first.verdict == "find_aligned_contact", first.plain_text()
    reply = await chat("good idea or not?")
    assert reply.intent == "favors.should_ask" and reply.verdict == "find_aligned_contact"


# --- the reading ---------------------------------------------------------------------------------


def test_how_well_we_know_them_is_read_per_person():
    assert close_told("We've known Mr. Okafor (CSM) for nine years.", KB, ["Okafor"]) == ["Okafor"]
    assert close_told("A mate of mine, Zoe, works there as a TS.", KB, ["Zoe"]) == ["Zoe"]
    assert close_told("Zoe is their TS.", KB, ["Zoe"]) == []
    assert strangers_told("I've met Zoe precisely once.", KB, ["Zoe"]) == ["Zoe"]
    assert strangers_told("Met her briefly at Ignite.", KB, ["Zoe"], last="Zoe") == ["Zoe"]


def test_value_given_and_asks_counted_are_read_per_person():
    assert given_told(
        "we wrote a case study for her team + spoke at her webinar", KB, ["Zoe"], last="Zoe"
    ) == {"Zoe": 2}
    assert given_told("Zoe gave us a case study.", KB, ["Zoe"]) == {}  # hers, not ours
    assert favours_told("We asked our CSM, Zoe, for two favours in May.", KB, ["Zoe"]) == {"Zoe": 2}
    assert favours_told(
        "she got us the trial, rushed a quote and got us into a briefing", KB, ["Zoe"], last="Zoe"
    ) == {"Zoe": 3}


def test_going_back_to_the_same_person_said_in_idiom_is_the_favour_question():
    from datetime import UTC, datetime

    from bot.understanding.reading import read

    now = datetime(2026, 11, 30, 10, tzinfo=UTC)
    for question in (
        "should I ping Rowan again? starting to feel like I'm wearing out my welcome",
        "is it too much to nudge our CSM once more about the workshop?",
    ):
        assert read(question, KB, now=now).intent == "favors.should_ask", question
