"""A follow-up in a Slack thread leans on the channel's dialogue state, through the real Bolt
app and the loopback Web API: "and the CSM?" after "can I tell the AE our budget?"."""

from __future__ import annotations

from tests.slack.fakes import command, event

FORM = "application/x-www-form-urlencoded"


async def test_and_the_csm_in_a_thread_asks_the_same_question_about_the_csm(slack, fake):
    await slack.post(command("deal new Woodgrove EA renewal"), FORM)
    await fake.wait_for("chat.postMessage", 1)
    await slack.post(command("can I tell the AE our budget?"), FORM)
    first = (await fake.wait_for("chat.postMessage", 2))[1]
    assert "account executive" in first["text"]
    inner = {
        "type": "app_mention",
        "user": "U1",
        "text": "<@UBOT> and the CSM?",
        "channel": "C1",
        "ts": "88.1",
    }
    await slack.post(event(inner, event_id="Ev-follow"), "application/json")
    answer = (await fake.wait_for("chat.postMessage", 3))[2]
    assert "customer success manager" in answer["text"]
    assert answer.get("thread_ts") == "88.1"
