"""Transcripts where the worth of a thing comes in its own short message: a sticking point told,
then "maybe 400 bucks a year". The amount is the sticking point's worth, so an escalation
question right after it gets a verdict, not a form asking for what was just said."""

from __future__ import annotations


async def test_a_bare_amount_after_the_sticking_point_is_its_worth(chat, deal):
    await chat("we've done five rounds with the account team and IT, finance and procurement all agree")
    told = await chat("the only open item is they refuse to add 3 Power BI Pro seats")
    assert "Sticking point" in told.plain_text()
    worth = await chat("maybe 400 bucks a year")
    assert "Sticking point worth per year: $400" in worth.plain_text(), worth.plain_text()
    reply = await chat("should our CFO call their VP about this?")
    assert reply.intent == "escalation.check"
    assert reply.verdict == "do_not_escalate", reply.headline


async def test_a_bare_amount_with_nothing_before_it_is_not_a_worth(chat, deal):
    reply = await chat("maybe 400 bucks a year")
    assert "Sticking point" not in reply.plain_text()
