"""Transcripts of follow-ups that lean on the conversation: pronouns, "the number", ellipsis
("and the CSM?"), "what do I do now?", a yes/no question right after Microsoft's request. The
dialogue state is in the database (conversations.dialogue), so it holds across a restart and
between two coaches on one database, and each Slack thread, Teams chat and shell has its own."""

from __future__ import annotations

from sqlalchemy import select

from bot.coach import Coach
from bot.db.engine import session_factory
from bot.db.models import Conversation, DealEvent
from bot.turn import Turn


async def logged(coach, kind: str) -> list[dict]:
    async with coach.sessions() as s:
        rows = (await s.execute(select(DealEvent).where(DealEvent.kind == kind))).scalars().all()
    return [r.payload for r in rows]


async def test_a_pronoun_means_the_person_just_named(chat, deal):
    await chat("Jane Smith is our account executive")
    for text in ("should I ask her for a price hold?", "is it ok to ask her to extend the quote?"):
        reply = await chat(text)
        assert reply.intent == "favors.should_ask", text
        assert "Jane Smith" in reply.headline, (text, reply.headline)


async def test_him_after_a_new_contact_and_his_role_carry_to_the_next_question(chat, deal):
    await chat("Tom Reed is the technical specialist on our account")
    reply = await chat("can I tell him our budget?")
    assert reply.intent == "disclosure.share"
    assert "technical specialist" in reply.plain_text()


async def test_and_the_csm_asks_the_same_question_about_the_csm(chat, deal):
    first = await chat("can I tell the AE our budget?")
    assert first.intent == "disclosure.share" and "account executive" in first.headline
    for text in ("and the CSM?", "what about the customer success manager?"):
        reply = await chat(text)
        assert reply.intent == "disclosure.share", text
        assert "customer success manager" in reply.headline, reply.headline


async def test_what_about_a_named_contact_swaps_the_person(chat, deal):
    await chat("Jane Smith is our account executive")
    await chat("Ana Ruiz is our CSM")
    assert "Jane Smith" in (await chat("should I ask Jane for a price hold?")).headline
    reply = await chat("what about Ana?")
    assert reply.intent == "favors.should_ask"
    assert "Ana" in reply.plain_text() and "Jane" not in reply.headline


async def test_a_yes_no_question_after_their_request_answers_that_request(chat, coach, deal):
    told = await chat("the AE said we must sign by Friday or lose the discount")
    assert told.intent == "ms.statement" and told.verdict == "logged"
    for text in ("do we accept?", "should we just go along with it?", "is that real?"):
        reply = await chat(text)
        assert reply.intent == "ms.statement", text
        assert reply.headline.startswith("Not"), reply.headline
        assert any((i.rule or "").startswith("counter.") for s in reply.sections for i in s.items)
    assert len(await logged(coach, "ms_statement")) == 1  # asked about, never logged again


async def test_what_do_i_do_now_after_news_about_a_contact(chat, deal):
    await chat("the AE promised a 10% credit on the call")
    news = await chat("our AE was replaced by Tom Reed")
    assert news.intent == "contacts.change", news.headline
    for text in ("what do I do now?", "ok, now what?"):
        reply = await chat(text)
        assert reply.intent == "commitments.list", (text, reply.headline)


async def test_what_now_after_their_move_is_the_counter_move(chat, deal):
    await chat("their deal desk came back and said this is the final offer")
    reply = await chat("so what should we do?")
    assert reply.intent == "ms.statement"
    assert reply.sections and reply.sections[0].items[0].rule


def test_references_resolve_against_the_state():
    from datetime import UTC, datetime

    from bot.dialogue.state import DialogueState, Person, Topic
    from bot.features import default_knowledge
    from bot.understanding.reading import read

    kb = default_knowledge()
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    state = DialogueState(
        deal_id=1,
        topic=Topic("disclosure.share", "can I tell the AE our budget?", {}, now.isoformat()),
        people=(Person("Jane Smith", "ae", "microsoft"),),
        figure="2.4M a year",
    )
    r = read("is the number too high to show her?", kb, now=now, state=state)
    assert r.resolved == "is 2.4M a year too high to show Jane Smith?"
    assert {ref.kind for ref in r.references} == {"figure", "person"}
    r = read("and the CSM?", kb, now=now, state=state)
    assert r.resolved == "can I tell the CSM our budget?" and r.intent == "disclosure.share"
    assert r.decided_by == "ellipsis-takes-topic"
    stale = DialogueState(
        deal_id=1,
        topic=Topic("disclosure.share", "can I tell the AE our budget?", {}, "2026-11-20T09:00:00+00:00"),
    )
    assert read("and the CSM?", kb, now=now, state=stale).intent != "disclosure.share"


async def test_the_number_means_the_figure_just_named(chat, deal):
    await chat("Microsoft came in at 2.4M a year for the E5 renewal")
    reply = await chat("should I tell the AE the number is above our budget?")
    assert reply.intent == "disclosure.share"
    r = await chat("can I share the number with the CSM?")
    assert r.intent == "disclosure.share"


async def test_the_state_survives_a_restart_and_is_shared_by_two_coaches(engine, kb, clock, chat, deal):
    await chat("Jane Smith is our account executive")
    await chat("can I tell the AE our budget?")
    other = Coach(session_factory(engine), kb, clock=clock)  # a second replica, or after a restart
    turn = Turn(platform="console", tenant="t1", conversation="c1", user="u1", text="and the CSM?")
    reply = await other.handle(turn)
    assert reply is not None and reply.intent == "disclosure.share"
    assert "customer success manager" in reply.headline
    ask = Turn(
        platform="console", tenant="t1", conversation="c1", user="u1", text="should I ask her for credits?"
    )
    reply = await other.handle(ask)
    assert reply is not None and "Jane Smith" in reply.headline
    async with other.sessions() as s:
        stored = (await s.execute(select(Conversation.dialogue))).scalars().all()
    assert any(d and d["people"] and d["people"][0]["name"] == "Jane Smith" for d in stored)


async def test_each_thread_or_chat_has_its_own_state(chat):
    for conversation in ("C1:1700000000.1", "C1:1700000000.2"):
        await chat("deal new Fabrikam " + conversation[-1], conversation=conversation, platform="slack")
    await chat("can I tell the AE our budget?", conversation="C1:1700000000.1", platform="slack")
    here = await chat("and the CSM?", conversation="C1:1700000000.1", platform="slack")
    assert here.intent == "disclosure.share"
    there = await chat("and the CSM?", conversation="C1:1700000000.2", platform="slack")
    assert there.intent != "disclosure.share"  # nothing was asked in that thread
    teams = await chat("deal new Contoso", conversation="19:abc@thread.v2", platform="teams", tenant="t2")
    assert teams.intent == "deal.new"
    await chat(
        "can I tell the AE our budget?", conversation="19:abc@thread.v2", platform="teams", tenant="t2"
    )
    again = await chat("and the partner?", conversation="19:abc@thread.v2", platform="teams", tenant="t2")
    assert again.intent == "disclosure.share" and "licensing partner" in again.headline


async def test_a_switched_deal_starts_a_fresh_thread_of_talk(chat, deal):
    await chat("can I tell the AE our budget?")
    await chat("deal new Contoso Azure MACC")
    reply = await chat("and the CSM?")
    assert reply.intent != "disclosure.share"


async def test_a_follow_up_with_an_intent_of_its_own_keeps_it(chat, deal):
    await chat("can I tell the AE our budget?")
    reply = await chat("what about escalating now?")
    assert reply.intent != "disclosure.share"


async def test_a_yes_no_right_after_a_request_from_microsoft_is_about_that_request(chat, coach, deal):
    requests = (
        ("the AE asked us for a reference call in exchange for 5% off", "should we?"),
        ("Microsoft wants us to commit to three years to keep the discount", "is that a good idea?"),
        ("they want a case study before they'll approve the credits", "do we agree to that?"),
    )
    for request, question in requests:
        await chat(request)
        reply = await chat(question)
        assert reply.intent == "ms.statement", (request, question, reply.headline)
        assert reply.headline.startswith("Not"), reply.headline
    # Their request may be on record as their move; a question about it logs nothing more.
    told = {request for request, _ in requests}
    assert all(p["text"] in told for p in await logged(coach, "ms_statement"))
    # A yes/no with nothing of theirs just told leans on nothing of theirs.
    await chat("we renew on 30 June 2027")
    assert (await chat("should we?")).intent != "ms.statement"
