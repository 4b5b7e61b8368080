"""Transcripts of the core conversation: deals, help, undo, bad input."""

from __future__ import annotations


async def test_help_lists_what_can_be_asked(chat):
    reply = await chat("help")
    assert reply.intent == "help"
    assert "deal new NAME" in reply.plain_text()


async def test_a_new_deal_becomes_active_and_is_listed(chat):
    assert (await chat("deal new Woodgrove EA renewal")).headline.startswith("Started Woodgrove EA renewal")
    listed = await chat("deal list")
    assert "Woodgrove EA renewal (active here)" in listed.plain_text()


async def test_duplicate_deal_name_is_refused(chat, deal):
    reply = await chat("deal new woodgrove  EA renewal")
    assert "already a deal" in reply.headline
    assert (await chat("deal list")).headline == "1 deal:"


async def test_switching_deals(chat, deal):
    await chat("deal new Contoso Azure MACC")
    assert (await chat("deal use woodgrove ea renewal")).headline == "Switched to Woodgrove EA renewal."
    assert "unknown deal" not in (await chat("deal show")).headline
    unknown = await chat("deal use Fabrikam")
    assert "I don't know a deal called" in unknown.headline


async def test_note_and_undo(chat, deal):
    noted = await chat("note: CFO wants a call before Friday")
    assert noted.actions[0].payload["intent"] == "undo"
    shown = await chat("deal show")
    assert "CFO wants a call" in shown.plain_text()
    undone = await chat(action=noted.actions[0].payload)
    assert undone.headline.startswith("Undone: note")
    assert "CFO wants a call" not in (await chat("deal show")).plain_text()


async def test_empty_and_huge_messages_get_a_short_answer(chat, deal):
    assert (await chat("   \n\t ")).intent == "empty"
    huge = await chat("x" * 20_000)
    assert huge.intent == "too_long"
    assert "20,000" in huge.headline


async def test_not_understood_gets_suggestions(chat, deal):
    reply = await chat("asdf qwerty")
    assert reply.intent == "unknown"
    assert reply.sections and reply.sections[0].items


async def test_a_stated_fact_is_logged_with_an_undo(chat, deal):
    reply = await chat("FYI we renew on 30 June 2027")
    assert reply.intent == "fact.stated"
    assert reply.headline == "Logged for Woodgrove EA renewal: Renewal date: 2027-06-30."
    assert "Renewal date: 2027-06-30" in (await chat("deal show")).plain_text()
    await chat(action=reply.actions[0].payload)
    assert "Renewal date" not in (await chat("deal show")).plain_text()


async def test_a_question_about_a_fact_is_not_logged_as_one(chat, deal):
    reply = await chat("do we renew on 30 June 2027?")
    assert reply.intent != "fact.stated"


async def test_help_is_grouped_by_what_people_come_for(chat):
    reply = await chat("help")
    titles = [s.title for s in reply.sections]
    assert titles[:2] == ["Escalation and Microsoft's moves", "Who knows what"]
    assert "More" not in titles  # every capability belongs to a group in knowledge/core.yaml
    escalation = [i.text for i in reply.sections[0].items]
    assert any(t.startswith("`escalate?`") and "“should we escalate now?”" in t for t in escalation)


async def test_facts_said_with_a_question_are_noted_and_the_question_answered(chat, deal):
    reply = await chat("We renew on 30 June 2027 — where are we on the renewal timeline?")
    assert reply.intent == "timeline.status"
    assert reply.verdict in {"build", "negotiate"}
    assert reply.sections[0].items[0].text == "Noted Renewal date: 2027-06-30."
    undo = reply.actions[-1]
    assert undo.label == "Undo"
    await chat(action=undo.payload)
    assert "Renewal date" not in (await chat("deal show")).plain_text()


async def test_a_fact_already_known_is_not_logged_again(chat, deal):
    await chat("FYI we renew on 30 June 2027")
    reply = await chat("we renew on 30 June 2027. where are we on the renewal timeline?")
    assert not any(i.text.startswith("Noted") for s in reply.sections for i in s.items)
