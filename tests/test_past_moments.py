"""When something already happened, read from how people say it: never in the future."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.understanding.values import read_past_moment

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(
    "text,days",
    [
        ("we asked the CSM about a month ago", 30),
        ("the AE said it 3 weeks ago", 21),
        ("a couple of days back they called", 2),
        ("yesterday their VP rang our CFO", 1),
        ("we escalated last week", 7),
        ("on Tuesday the rep promised it", 6),
        ("on 3 November they offered 10%", 20),
        ("on 30 November they said it", 358),  # a day still ahead this year: last year's
    ],
)
def test_past_moments(text, days):
    assert read_past_moment(text, NOW) == NOW - timedelta(days=days)


@pytest.mark.parametrize("text", ["the AE said this is their final offer", "we need 20% off", ""])
def test_nothing_said_about_when(text):
    assert read_past_moment(text, NOW) is None
