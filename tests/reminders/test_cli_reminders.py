"""`coach reminders`, run as a person would: a real process on a real SQLite file."""

from __future__ import annotations

from tests.test_cli import coach


def test_coach_reminders_lists_what_is_scheduled(tmp_path):
    assert coach(tmp_path, "deal", "new", "Woodgrove").returncode == 0
    assert "Nothing is scheduled for Woodgrove." in coach(tmp_path, "reminders").stdout
    assert coach(tmp_path, "ask", "remind me in 3 days to call Jane").returncode == 0
    mine = coach(tmp_path, "reminders")
    assert mine.returncode == 0 and "Scheduled for Woodgrove: 1." in mine.stdout
    assert "Reminder: call Jane" in mine.stdout
    everything = coach(tmp_path, "reminders", "--all")
    assert "follow_up" in everything.stdout and "console" in everything.stdout
