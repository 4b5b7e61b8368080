"""Transcripts that end with a timing question in everyday words ("how are we placed
timing-wise?", "is it too early to start worrying?"): the renewal timeline answers, not the
deal summary or "did you mean"."""

from __future__ import annotations


async def test_timing_wise_after_the_renewal_date_was_told(chat, deal):
    await chat("our enterprise agreement ends on 30 September 2027")
    await chat("we have not met the account team about it yet")
    for text in ("so how are we placed timing-wise?", "where does all this leave us time-wise?"):
        reply = await chat(text)
        assert reply.intent == "timeline.status", (text, reply.headline)


async def test_too_early_to_start_after_a_far_renewal(chat, deal):
    await chat("the agreement renews in March 2028, nothing is happening yet")
    reply = await chat("is it too early to start planning for it?")
    assert reply.intent == "timeline.status", reply.headline


async def test_sharing_the_timeline_is_still_a_disclosure_question(chat, deal):
    reply = await chat("can I tell the AE our deadline, timing-wise?")
    assert reply.intent == "disclosure.share", reply.headline
