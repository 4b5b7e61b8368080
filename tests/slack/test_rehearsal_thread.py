"""A rehearsal in Slack runs in a thread: started in a DM, Microsoft's lines and the verdicts
go into a thread under the message that started it; answers in that thread are scored; a
message outside it pauses the rehearsal and is answered as usual."""

from __future__ import annotations

import json

from tests.slack.fakes import command, event

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def dm(text: str, ts: str, thread_ts: str | None = None) -> dict:
    inner = {"type": "message", "channel_type": "im", "user": "U1", "text": text, "channel": "D1", "ts": ts}
    if thread_ts:
        inner["thread_ts"] = thread_ts
    return inner


async def test_a_rehearsal_runs_in_a_thread_and_a_message_outside_it_pauses_it(slack, fake):
    await slack.post(event(dm("deal new Woodgrove EA renewal", "10.1"), event_id="Ev1"), JSON)
    await fake.wait_for("chat.postMessage", 1)

    await slack.post(event(dm("rehearse the pricing call with the AE", "20.1"), event_id="Ev2"), JSON)
    posts = await fake.wait_for("chat.postMessage", 2)
    assert posts[1]["thread_ts"] == "20.1"  # the rehearsal opens a thread under the message
    assert "account executive" in posts[1]["text"]

    await slack.post(
        event(dm("Can you put that offer in writing?", "21.1", thread_ts="20.1"), event_id="Ev3"), JSON
    )
    posts = await fake.wait_for("chat.postMessage", 3)
    assert posts[2]["thread_ts"] == "20.1"
    assert "Good" in posts[2]["text"]

    # Outside the thread: an ordinary question, answered where it was asked; the rehearsal waits.
    await slack.post(event(dm("Can you put that offer in writing?", "30.1"), event_id="Ev4"), JSON)
    posts = await fake.wait_for("chat.postMessage", 4)
    assert posts[3].get("thread_ts") is None
    assert "Rehearsal with the account executive paused" in json.dumps(posts[3]["blocks"])

    await slack.post(command("deal show"), FORM)  # the slash command is outside the thread too
    await fake.wait_for("chat.postMessage", 5)
    assert len([r for r in slack.done if r is not None and r.intent == "rehearsal.answer"]) == 1
