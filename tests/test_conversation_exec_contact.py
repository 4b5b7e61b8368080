"""Transcripts that end by asking whether to put our executive in touch with Microsoft, without
the word "escalate": the escalation check answers, with what the story told."""

from __future__ import annotations


async def test_getting_our_executive_on_the_phone_is_the_escalation_question(chat, deal):
    await chat("we've only met the account team once so far")
    await chat("they came back with a 7% increase and won't explain it")
    for text in (
        "should we get the CIO on the phone to their director?",
        "could I have our CEO call their area VP about it?",
    ):
        reply = await chat(text)
        assert reply.intent == "escalation.check", (text, reply.headline)
        assert reply.verdict == "not_yet", (text, reply.headline)


async def test_our_executive_approving_something_is_not_an_escalation(chat, deal):
    reply = await chat("can we get the CFO to approve the extra spend this week?")
    assert reply.intent != "escalation.check", reply.headline
