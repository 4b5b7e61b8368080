"""The whole loop as a conversation, on SQLite and PostgreSQL, with a hand-moved clock:
log a meeting → reminders scheduled → checklist delivered → after-meeting capture → commitments."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import select

from bot.db.models import Reminder
from bot.understand import understand
from tests.reminders.conftest import into

MEETING = {"intent": "test.meeting", "role": "ae", "topic": "pricing call", "when": "2026-11-24T15:00:00Z"}


async def statuses(engine) -> dict[str, str]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(Reminder.idempotency_key, Reminder.status))
        return {k.rsplit(":", 1)[-1]: s for k, s in rows}


async def test_the_examples_are_understood_as_reminder_intents(kb):
    for spec in kb.intents:
        if spec.name.startswith("reminders."):
            for text in spec.examples:
                got = understand(text, kb)
                assert got is not None and got.name == spec.name, text
            for text in spec.counter_examples:
                got = understand(text, kb)
                assert got is None or got.name != spec.name, text


async def test_meeting_to_checklist_to_capture_to_commitments(chat, deal, clock, worker, outbox, engine):
    # user logs a meeting → coach schedules three prompts in the same turn
    assert (await chat(action=MEETING)).intent == "test.meeting"
    listing = await chat("what's scheduled")
    assert listing.intent == "reminders.list"
    assert listing.headline == "Scheduled for Woodgrove EA renewal: 3."
    text = listing.plain_text()
    assert "Tue 24 Nov, 08:00 (UTC): Checklist for the pricing call with the" in text
    assert "Tue 24 Nov, 14:00 (UTC)" in text and "Tue 24 Nov, 16:30 (UTC): Ask what was promised" in text

    # nothing is due yet
    assert await worker.run_once() == 0 and outbox == []

    # the morning of the meeting → the checklist arrives with done / snooze / skip
    clock.now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert await worker.run_once() == 1
    ((delivery, reply),) = outbox
    assert delivery.platform == "console" and delivery.conversation_key == "c1"
    assert reply.intent == "reminders.pre_meeting" and reply.verdict == "prepare"
    assert reply.headline.startswith("Woodgrove EA renewal: pricing call with the")
    assert reply.sections[0].style == "checklist" and all(i.done is False for i in reply.sections[0].items)
    assert "reminders.agenda" in reply.rules and "reminders.guard-numbers" in reply.rules
    assert [a.label for a in reply.actions] == ["Done", "Snooze 1 h", "Skip"]

    # user presses Done → the one-hour-before prompt is no longer needed
    done = await chat(action=reply.actions[0].payload)
    assert done.intent == "reminders.done"
    assert await statuses(engine) == {"morning": "sent", "before60": "cancelled", "after": "pending"}
    clock.now = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    assert await worker.run_once() == 0

    # after the meeting → "what did they promise?"
    clock.now = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)
    assert await worker.run_once() == 1
    _, ask = outbox[-1]
    assert ask.intent == "reminders.after_meeting" and ask.questions[0].id == "meeting_promises"
    assert "reminders.after-meeting" in ask.rules

    # the user's answer, in their own words, becomes commitment events
    answer = await chat("Free Copilot pilot for 3 months; named unit prices for E5 in the quote")
    assert answer.intent == "reminders.capture" and answer.verdict == "captured"
    assert answer.headline == "Logged 2 commitments for Woodgrove EA renewal."
    deal_view = await chat("deal show")
    assert deal_view.intent == "deal.show"
    from bot.db.models import DealEvent

    async with engine.connect() as conn:
        rows = (
            (await conn.execute(select(DealEvent.payload).where(DealEvent.kind == "commitment")))
            .scalars()
            .all()
        )
    assert [r["text"] for r in rows] == [
        "Free Copilot pilot for 3 months",
        "named unit prices for E5 in the quote",
    ]
    assert all(r["by"] == "ae" and r["in_writing"] is False and r["source"] == "after_meeting" for r in rows)

    # answered: the repeat never comes
    clock.advance(days=2)
    assert await worker.run_once() == 0
    assert len(outbox) == 2
    assert (await statuses(engine))["again"] == "cancelled"


async def test_an_unanswered_capture_is_asked_once_more_and_then_never(chat, deal, clock, worker, outbox):
    await chat(action=MEETING)
    clock.now = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)
    await worker.run_once()
    clock.now = datetime(2026, 11, 24, 16, 30, tzinfo=UTC).replace(day=25)  # 24 h later
    assert await worker.run_once() == 1
    assert outbox[-1][1].headline.endswith("(asking once more)")
    clock.advance(days=1)
    assert await worker.run_once() == 0
    assert [r.intent for _, r in outbox] == ["reminders.after_meeting", "reminders.after_meeting"]


async def test_nothing_promised_button_logs_no_commitment(chat, deal, clock, worker, outbox):
    await chat(action=MEETING)
    clock.now = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)
    await worker.run_once()
    nothing = next(a for a in outbox[-1][1].actions if a.label == "Nothing was promised")
    reply = await chat(action=nothing.payload)
    assert reply.verdict == "nothing_promised"
    assert "reminders.after-meeting" in reply.rules
    # and the form is closed: the next message is a normal one
    assert (await chat("reminders")).intent == "reminders.list"


async def test_snooze_brings_a_sent_checklist_back_once(chat, deal, clock, worker, outbox):
    await chat(action=MEETING)
    clock.now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    await worker.run_once()
    snooze = outbox[-1][1].actions[1]
    assert (await chat(action=snooze.payload)).intent == "reminders.snooze"
    assert (await chat(action=snooze.payload)).intent == "reminders.snooze"  # a double press
    clock.advance(minutes=60)
    assert await worker.run_once() == 1
    assert outbox[-1][1].intent == "reminders.pre_meeting"
    clock.advance(minutes=1)
    assert await worker.run_once() == 0


async def test_skip_and_cancel_stop_reminders(chat, deal, clock, worker, outbox, engine):
    await chat(action=MEETING)
    listing = await chat("reminders")
    cancel_first = listing.actions[0]
    assert cancel_first.label.startswith("Cancel #")
    assert (await chat(action=cancel_first.payload)).intent == "reminders.cancel"
    assert (await chat("reminders")).headline == "Scheduled for Woodgrove EA renewal: 2."
    rid = (await chat("reminders")).actions[0].payload["id"]
    assert (await chat(f"cancel reminder {rid}")).headline.startswith(f"Cancelled #{rid}")
    assert (await chat(f"cancel reminder {rid}")).intent == "reminders.gone"
    assert (await chat("reminders")).headline == "Scheduled for Woodgrove EA renewal: 1."


async def test_reminders_of_another_workspace_cannot_be_touched(chat, deal, engine):
    await chat(action=MEETING)
    rid = (await chat("reminders")).actions[0].payload["id"]
    other = await chat(action={"intent": "reminders.cancel", "id": rid}, tenant="t2")
    assert other.intent == "reminders.gone"
    assert (await chat("reminders")).headline == "Scheduled for Woodgrove EA renewal: 3."


async def test_logging_the_same_meeting_twice_schedules_it_once(chat, deal, engine):
    await chat(action=MEETING)
    await chat(action={**MEETING, "topic": "Pricing call (moved room)"})
    assert (await chat("reminders")).headline == "Scheduled for Woodgrove EA renewal: 3."


async def test_remind_me_in_two_days(chat, deal, clock, worker, outbox):
    reply = await chat("remind me in 2 days to call Jane about the quote")
    assert reply.headline == "I'll remind you Wed 25 Nov, 09:00 (UTC): call Jane about the quote"
    clock.advance(days=2)
    assert await worker.run_once() == 1
    assert outbox[-1][1].headline == "Reminder for Woodgrove EA renewal: call Jane about the quote"
    assert outbox[-1][1].rules == ["reminders.follow-up"]


async def test_a_reminder_asked_in_everyday_words_keeps_its_day_time_and_errand(
    chat, deal, clock, worker, outbox
):
    reply = await chat("can you remind me to chase Jane on Friday at 3pm")
    assert reply.headline == "I'll remind you Fri 27 Nov, 15:00 (UTC): chase Jane"
    clock.advance(minutes=1)
    reply = await chat("remind me tomorrow to send the counter")
    assert reply.headline == "I'll remind you Tue 24 Nov, 09:00 (UTC): send the counter"
    clock.advance(days=1, hours=1)
    assert await worker.run_once() == 1
    assert outbox[-1][1].headline == "Reminder for Woodgrove EA renewal: send the counter"


async def test_a_reminder_without_a_time_is_asked_back_never_guessed(chat, deal, engine):
    reply = await chat("remind me to ping procurement")
    assert reply.headline == "When should I remind you to ping procurement?"
    async with engine.connect() as conn:
        kinds = (await conn.execute(select(Reminder.kind))).scalars().all()
    assert "follow_up" not in kinds  # nothing scheduled at a guessed time


async def test_restart_with_overdue_reminders_sends_what_still_matters_once(
    chat, deal, clock, rt, outbox, engine, caplog
):
    from adapters.scheduler import Scheduler

    await chat(action=MEETING)
    # the server was down from before 08:00 until 14:30: the morning prompt's moment is gone,
    # the one-hour-before checklist still helps (the meeting is at 15:00)
    clock.now = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
    with caplog.at_level(logging.INFO, logger="coach.reminders"):
        assert await Scheduler(rt, owner="after-restart", deliverers=into(outbox)).run_once() == 2
    assert [r.intent for _, r in outbox] == ["reminders.pre_meeting"]
    assert await statuses(engine) == {"morning": "dropped", "before60": "sent", "after": "pending"}
    assert any("dropped: its moment has passed" in r.getMessage() for r in caplog.records)
    # a second start finds nothing more to do
    assert await Scheduler(rt, owner="second-restart", deliverers=into(outbox)).run_once() == 0


async def test_renewal_timeline_and_the_verbal_promises_warning(chat, deal, clock, worker, outbox, engine):
    await chat(action={"intent": "test.fact", "key": "renewal_date", "value": "2027-06-30"})
    listing = (await chat("reminders")).plain_text()
    assert "Renewal milestone T-12m (renewal 2027-06-30)" in listing  # the latest passed one, now
    assert "Renewal milestone T-6m" in listing and "Microsoft quarter end on 2026-12-31" in listing
    assert "Microsoft year end on 2027-06-30" in listing
    assert await worker.run_once() == 1
    milestone = outbox[-1][1]
    assert milestone.rules == ["reminders.renewal-t12"] and "about 7 months away" in milestone.headline

    # two weeks before signature, with no verbal promises open: dropped
    clock.now = datetime(2027, 6, 16, 9, 0, tzinfo=UTC)
    await worker.run_once()
    assert all(r.intent != "reminders.signature" for _, r in outbox)
    # a verbal promise comes in; three days before, the warning is sent
    await chat(action={"intent": "test.commitment", "text": "Copilot price held for 3 years"})
    clock.now = datetime(2027, 6, 27, 9, 0, tzinfo=UTC)
    await worker.run_once()
    warning = outbox[-1][1]
    assert warning.intent == "reminders.signature" and warning.rules == ["reminders.verbal-before-signature"]
    assert "Copilot price held for 3 years" in warning.plain_text()


async def test_a_changed_renewal_date_drops_the_old_nudges(chat, deal, clock, worker, outbox, engine):
    await chat(action={"intent": "test.fact", "key": "renewal_date", "value": "2027-06-30"})
    await chat(action={"intent": "test.fact", "key": "renewal_date", "value": "2027-09-30"})
    listing = (await chat("reminders")).plain_text()
    assert "renewal 2027-06-30" not in listing and "renewal 2027-09-30" in listing
    await worker.run_once()
    assert [r.rules for _, r in outbox] == [["reminders.renewal-t12"]]
