"""Transcripts of a walk-away question after a story that told leadership's walk point, a costed
alternative and Microsoft's offer, but not the term or the yearly increase: the walk point is
passed and the saving pays the switch back, so the answer is the verdict, not a form."""

from __future__ import annotations

ALTERNATIVE = (
    "we got a firm offer for Google Workspace as the alternative: $500k per year, "
    "costed with our finance team"
)


async def test_offer_above_the_agreed_point_with_a_cheaper_costed_alternative(chat, deal):
    await chat("the board decided: above $800k a year we do not renew")
    await chat(ALTERNATIVE)
    await chat("switching would cost us about $300k once, we estimated it ourselves")
    await chat("Microsoft offered $950k a year on the call today")
    reply = await chat("is leaving them the right call?")
    assert reply.intent == "walkaway.check"
    assert reply.verdict == "walk_is_right", reply.headline
    assert any(i.rule == "walkaway.past-agreed-point" for s in reply.sections for i in s.items)


async def test_offer_under_the_agreed_point_still_asks_what_the_math_needs(chat, deal):
    await chat("the board decided: above $800k a year we do not renew")
    await chat(ALTERNATIVE)
    await chat("switching would cost us about $300k once, we estimated it ourselves")
    await chat("Microsoft offered $700k a year on the call today")
    reply = await chat("should we walk away?")
    assert reply.verdict != "walk_is_right", reply.headline
