"""`coach rehearse`, run as a person would: a real process on a real SQLite file. Leaving
pauses the rehearsal; the next `coach rehearse` (a new process) picks it up."""

from __future__ import annotations

from pathlib import Path

from tests.test_cli import coach


def test_rehearse_in_the_terminal_pause_by_leaving_and_pick_it_up_in_a_new_process(tmp_path: Path):
    assert coach(tmp_path, "deal", "new", "Woodgrove", "EA", "renewal").returncode == 0
    assert coach(tmp_path, "ask", "set budget_per_year: $1.9M").returncode == 0

    first = coach(tmp_path, "rehearse", "--role", "deal-desk", stdin="Our budget is $1.9M, honestly.\nquit\n")
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "I'm your deal desk for Woodgrove EA renewal" in out
    assert "Gave something away" in out and "disclosure.budget" in out
    assert "Paused. `coach rehearse` picks it up" in out

    again = coach(
        tmp_path, "rehearse", "--deal", "Woodgrove EA renewal", stdin="Can you put that in writing?\nstop\n"
    )
    assert again.returncode == 0, again.stderr
    assert "already open" in again.stdout
    assert "in-writing" in again.stdout
    assert "Scorecard: 1 good, 0 risky, 1 gave something away (2 answers to the deal desk)" in again.stdout


def test_rehearse_without_a_deal_is_a_clear_error(tmp_path: Path):
    out = coach(tmp_path, "rehearse", "--deal", "Nope", stdin="")
    assert out.returncode == 1
    assert "don't know a deal" in out.stderr


def test_rehearse_refuses_a_role_it_cannot_play(tmp_path: Path):
    out = coach(tmp_path, "rehearse", "--role", "partner", stdin="")
    assert out.returncode == 2
