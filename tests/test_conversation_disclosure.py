"""Transcripts of a disclosure question at the end of a story: "can I tell her?", "should I
mention it to him?". Who asked and what they asked about were told in earlier messages; the
answer takes the role and the kind of information from the conversation, not a syntax example."""

from __future__ import annotations


async def test_her_after_the_csm_asked_about_money_keeps_the_budget(chat, deal):
    await chat("finance approved 900k a year for the renewal")
    await chat("Lena Park is our CSM")
    await chat("on Tuesday's check-in Lena wanted to know how much we have for the renewal")
    reply = await chat("can I just tell her?")
    assert reply.intent == "disclosure.share"
    assert reply.verdict == "protect", reply.headline
    assert "customer success manager" in reply.plain_text().casefold()


async def test_a_named_contact_and_the_number_just_told(chat, deal):
    await chat("Omar Haddad is the account executive on our renewal")
    await chat("the board signed off 2.3 million a year yesterday")
    reply = await chat("should I give Omar the number?")
    assert reply.intent == "disclosure.share"
    assert reply.verdict == "protect", reply.headline
    assert "account executive" in reply.plain_text().casefold()


async def test_a_stranger_named_after_the_ae_pushed_takes_the_ae_and_the_alternative(chat, deal):
    await chat("our pilot on AWS went really well, the numbers look good")
    await chat("the account executive keeps pushing for a bigger Azure commitment")
    reply = await chat("would it be smart to let Ms. Keller know about AWS?")
    assert reply.intent == "disclosure.share"
    assert reply.verdict == "strategic", reply.headline


async def test_without_anything_told_it_still_asks_who_and_what(chat, deal):
    reply = await chat("can I tell her?")
    assert reply.intent == "disclosure.share"
    assert reply.verdict is None


async def test_a_remark_after_the_question_is_not_what_would_be_told(chat, deal):
    await chat("the account executive keeps asking what we have in mind for next year")
    reply = await chat(
        "The board backed a planned Azure investment for 2027. Should I tell him about it? "
        "might even get us some funding out of it"
    )
    assert reply.intent == "disclosure.share"
    assert reply.verdict == "strategic", reply.headline
    assert "budget" not in reply.headline.casefold()


async def test_the_kind_in_the_question_itself_wins(chat, deal):
    await chat("finance approved 1.2 million a year")
    reply = await chat("Can I tell the CSM about our Azure expansion plans? She asked.")
    assert reply.intent == "disclosure.share"
    assert "initiatives" in reply.headline.casefold(), reply.headline
