"""Meeting days in the person's words: ordinals, numeric dates, "in two weeks", times with dots,
and a question back when a day reads two ways. The clock is Monday 2026-11-23 09:00 UTC."""

from __future__ import annotations

from tests.test_people_transcripts import deal_view


async def test_the_3rd_at_2pm_is_the_coming_3rd_not_today(chat, deal):
    reply = await chat("prep me for the pricing meeting with the AE on the 3rd at 2pm")
    assert reply.headline.startswith("Thursday 03 December, 14:00 — account executive")


async def test_in_two_weeks_at_10am_is_two_weeks_out(chat, deal):
    reply = await chat("prep me for the pricing meeting with the AE in two weeks at 10am")
    assert reply.headline.startswith("Monday 07 December, 10:00 — account executive")


async def test_a_time_with_a_dot_keeps_its_minutes(chat, deal):
    reply = await chat("prep me for the pricing meeting with the AE Thursday 3.30pm")
    assert reply.headline.startswith("Thursday 26 November, 15:30 — account executive")


async def test_an_ambiguous_day_is_asked_back_and_not_picked(chat, deal, coach, clock):
    reply = await chat("prep me for the pricing meeting with the AE on 12/03 at 2pm")
    assert reply.headline.startswith("Date to be set — account executive")
    assert "Which day is 12/03 — 12 March or 3 December?" in reply.plain_text()
    assert "meetings.which-day" in reply.rules
    (meeting,) = (await deal_view(coach, clock)).live_events("meeting")
    assert meeting.payload["when"] is None  # nothing scheduled on a guess


async def test_a_day_that_cannot_be_placed_is_asked_for(chat, deal):
    reply = await chat("prep me for the pricing meeting with the AE next week at 10am")
    assert reply.headline.startswith("Date to be set")
    assert "Which day do you mean by “next week”?" in reply.plain_text()
