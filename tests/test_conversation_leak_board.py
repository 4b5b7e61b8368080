"""Transcripts where a draft to Microsoft tells who must approve and when they sit, with the
approver named first ("our steering committee has to sign off … won't meet until 3 March"): the
leak check flags it, after a story that told the same things."""

from __future__ import annotations


async def test_a_draft_naming_the_approver_and_its_meeting_day_is_flagged(chat, deal):
    await chat("the AE wants a signature before their quarter ends")
    await chat("our steering committee has to sign off anything over $2m and it only meets in March")
    reply = await chat(
        "check this before I send it to the AE: 'Thanks for the offer. We can't commit this month, "
        "our steering committee must approve spend at this level and it doesn't meet until 3 March.'"
    )
    assert reply.intent == "leakcheck"
    assert reply.verdict == "flagged", reply.headline


async def test_a_draft_that_only_says_we_are_reviewing_stays_clean(chat, deal):
    reply = await chat(
        "check this before I send it to the AE: 'Thanks for the offer. We are reviewing it on our "
        "own timeline and will come back with questions.'"
    )
    assert reply.intent == "leakcheck"
    assert reply.verdict == "clean", reply.headline
