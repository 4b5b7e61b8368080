"""The after-meeting question never silently replaces another open form: it says so, and
"Answer this now" asks it while the other form waits to come back."""

from __future__ import annotations

from datetime import UTC, datetime

MEETING = {"intent": "test.meeting", "role": "ae", "topic": "pricing call", "when": "2026-11-24T15:00:00Z"}


async def test_an_open_form_is_kept_and_the_capture_offers_to_go_first(chat, deal, clock, worker, outbox):
    await chat(action=MEETING)
    asked = await chat("should we escalate now?")
    assert asked.intent == "form.ask"
    first_key = asked.questions[0].id

    clock.now = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)
    await worker.run_once()
    prompt = outbox[-1][1]
    assert prompt.intent == "reminders.after_meeting"
    assert "reminders.form-open" in prompt.rules and prompt.questions == []
    assert prompt.actions[0].label == "Answer this now"

    # the open escalation form still takes the next message
    again = await chat("hmm, not sure what you mean")
    assert again.intent == "form.ask" and again.questions[0].id == first_key

    # answering the capture first, then the escalation questions come back
    ask = await chat(action=prompt.actions[0].payload)
    assert ask.intent == "form.ask" and [q.id for q in ask.questions] == ["meeting_promises"]
    captured = await chat("Free Copilot pilot for 3 months")
    assert captured.verdict == "captured"
    assert "Back to your earlier question" in captured.plain_text()
    resumed = await chat("hmm, not sure what you mean")
    assert resumed.intent == "form.ask" and resumed.questions[0].id == first_key


async def test_without_another_form_the_capture_asks_directly(chat, deal, clock, worker, outbox):
    await chat(action=MEETING)
    clock.now = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)
    await worker.run_once()
    prompt = outbox[-1][1]
    assert "reminders.form-open" not in prompt.rules
    assert [q.id for q in prompt.questions] == ["meeting_promises"]
    assert (await chat("nothing")).verdict == "nothing_promised"
