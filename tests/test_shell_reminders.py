"""Terminal reminders in the real `coach shell` process, driven through pipes: shown when the
shell starts and while it waits at the prompt, once each, with the prompt drawn again after."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

COACH = Path(sys.executable).with_name("coach")


def env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "COACH_DATABASE_URL": f"sqlite:///{home / 'cli.db'}",
        "NO_COLOR": "1",
        "COLUMNS": "200",
        "COACH_REMINDER_POLL_SECONDS": "0.2",
    }


def coach(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(COACH), *args], input=stdin, env=env(home), capture_output=True, text=True, timeout=120, cwd=home
    )


def come_due(home: Path) -> None:
    """Time passes: every pending reminder is due a second ago (stored as UTC text on SQLite)."""
    past = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(home / "cli.db") as db:
        db.execute("UPDATE reminders SET due_at = ? WHERE status = 'pending'", (past,))


def statuses(home: Path) -> list[str]:
    with sqlite3.connect(home / "cli.db") as db:
        return [r[0] for r in db.execute("SELECT status FROM reminders ORDER BY id")]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    assert coach(tmp_path, "deal", "new", "Woodgrove", "EA").returncode == 0
    return tmp_path


def test_a_reminder_due_while_no_shell_ran_is_shown_when_one_starts_and_only_once(home):
    said = coach(home, "ask", "remind me in 1 hour to call Jane about the quote")
    assert said.returncode == 0 and "I'll remind you" in said.stdout
    come_due(home)
    first = coach(home, "shell", stdin="quit\n")
    assert first.returncode == 0, first.stderr
    assert "Reminder for Woodgrove EA: call Jane about the quote" in first.stdout
    assert first.stdout.index("call Jane") < first.stdout.index("you>")  # before the first prompt
    assert statuses(home) == ["sent"]
    again = coach(home, "shell", stdin="quit\n")
    assert "call Jane" not in again.stdout


class Shell:
    """`coach shell` with its stdin held open, its output collected by a reader thread."""

    def __init__(self, home: Path) -> None:
        self.proc = subprocess.Popen(
            [str(COACH), "shell"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env(home),
            text=True,
            cwd=home,
        )
        self.out: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        while ch := self.proc.stdout.read(1):
            self.out.append(ch)

    @property
    def text(self) -> str:
        return "".join(self.out)

    def wait_for(self, needle: str, *, after: int = 0, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            at = self.text.find(needle, after)
            if at >= 0:
                return at
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} never appeared; output so far:\n{self.text}")

    def say(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()


def test_a_reminder_that_comes_due_at_the_prompt_is_shown_and_its_buttons_answer(home):
    shell = Shell(home)
    try:
        first_prompt = shell.wait_for("you>")
        assert coach(home, "ask", "remind me in 1 hour to send the counter-proposal").returncode == 0
        come_due(home)
        shown = shell.wait_for("Reminder for Woodgrove EA: send the counter-proposal", after=first_prompt)
        # The waiting prompt's line was ended, the reminder printed, and the prompt drawn again.
        assert shell.text[first_prompt:shown].startswith("you> \n")
        redrawn = shell.wait_for("you>", after=shown)
        assert "[1] Done" in shell.text[shown:redrawn]
        shell.say("1")  # presses the reminder's first button
        shell.wait_for("Marked done.", after=redrawn)
        shell.say("quit")
        assert shell.proc.wait(timeout=60) == 0
    finally:
        if shell.proc.poll() is None:
            shell.proc.kill()
    assert shell.text.count("send the counter-proposal") == 1
    assert statuses(home) == ["sent"]
    assert "Traceback" not in shell.proc.stderr.read()
