"""Per-user reminder preferences through chat, stored in the database (user_settings)."""

from __future__ import annotations

from datetime import time

from bot.skills.reminders import clock_time, lead_minutes

MEETING = {"intent": "test.meeting", "role": "ae", "topic": "pricing call", "when": "2026-11-24T15:00:00Z"}
LATER = {"intent": "test.meeting", "role": "csm", "topic": "adoption review", "when": "2026-11-26T15:00:00Z"}


async def test_lead_time_and_morning_hour_shape_the_next_meetings_prompts(chat, deal):
    saved = await chat("remind me 2 hours before meetings")
    assert (saved.intent, saved.verdict) == ("reminders.prefs", "saved")
    assert "Before a meeting: 2 hours ahead." in saved.plain_text()
    assert "reminders.prefs" in saved.rules
    await chat(action=MEETING)
    listing = (await chat("reminders")).plain_text()
    assert "Tue 24 Nov, 13:00 (UTC): Checklist for the pricing call" in listing
    assert "14:00" not in listing  # the default hour before is gone

    morning = await chat("morning reminders at 7:30")
    assert "The morning checklist: 07:30 (UTC)" in morning.plain_text()
    await chat(action=LATER)
    listing = (await chat("reminders")).plain_text()
    assert "Thu 26 Nov, 07:30 (UTC): Checklist for the adoption review" in listing
    assert "Thu 26 Nov, 13:00 (UTC)" in listing  # the lead time was kept


async def test_settings_belong_to_the_user_and_survive_across_conversations(chat, deal):
    await chat("remind me a day and an hour before meetings")
    mine = await chat("reminder settings", conversation="c2")
    assert mine.verdict == "shown"
    assert "Before a meeting: 1 day and 1 hour ahead." in mine.plain_text()
    theirs = await chat("reminder settings", user="u2")
    assert "Before a meeting: 1 hour ahead." in theirs.plain_text()  # knowledge/reminders.yaml default
    assert "The morning checklist: 08:00" in theirs.plain_text()


async def test_an_impossible_setting_is_refused_and_nothing_changes(chat, deal):
    refused = await chat("remind me 9 days before meetings")
    assert refused.intent == "reminders.prefs" and refused.verdict is None
    assert "a week" in refused.headline
    bad_hour = await chat("morning reminders at 27")
    assert "time of day" in bad_hour.headline
    shown = await chat("reminder settings")
    assert "Before a meeting: 1 hour ahead." in shown.plain_text()


def test_lead_times_and_clock_times_are_read():
    assert lead_minutes("2 hours") == [120]
    assert lead_minutes("a day and an hour") == [1440, 60]
    assert lead_minutes("half an hour") == [30]
    assert lead_minutes("45 mins, 1 day") == [45, 1440]
    assert clock_time("7") == time(7, 0)
    assert clock_time("7.30am") == time(7, 30)
    assert clock_time("6pm") == time(18, 0)
    assert clock_time("12am") == time(0, 0)
    assert clock_time("25") is None
