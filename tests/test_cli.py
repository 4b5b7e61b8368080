"""The `coach` command, run as a person would: a real process on a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def coach(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "COACH_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "adapters.console", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parent.parent,
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli")
    assert coach(path, "deal", "new", "Woodgrove", "EA", "renewal").returncode == 0
    return path


def test_ask_json_prints_exactly_one_object(home):
    out = coach(home, "ask", "note: the CFO wants a call", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert {"intent", "verdict", "text", "reasons", "missing", "draft"} <= doc.keys()
    assert doc["intent"] == "note"


def test_ask_about_an_unknown_deal_is_a_clear_error(home):
    out = coach(home, "ask", "deal show", "--deal", "Fabrikam", "--json")
    assert out.returncode == 1
    assert json.loads(out.stdout)["headline"] == "I don't know a deal called “Fabrikam”."


def test_deal_export_then_import_under_another_name(home, tmp_path):
    exported = tmp_path / "deal.json"
    assert coach(home, "deal", "export", "Woodgrove", "EA", "renewal", "-o", str(exported)).returncode == 0
    again = coach(home, "deal", "import", str(exported))
    assert again.returncode == 1 and "already a deal called" in again.stdout
    assert coach(home, "deal", "import", str(exported), "--as", "Copy").returncode == 0
    listed = coach(home, "deal", "list")
    assert "Copy" in listed.stdout and "Woodgrove EA renewal" in listed.stdout


def test_import_of_a_file_that_is_not_json(home, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\x00\xff garbage")
    out = coach(home, "deal", "import", str(bad))
    assert out.returncode == 1
    assert out.stdout.strip() == "That file isn't valid JSON."
    assert "Traceback" not in out.stderr


def test_shell_demo_answers_and_quits(tmp_path):
    out = coach(tmp_path, "shell", "--demo", stdin="deal show\nquit\n")
    assert out.returncode == 0, out.stderr
    assert "Woodgrove EA renewal (sample)" in out.stdout
    assert "Jane Doe (ae)" in out.stdout


def test_db_downgrade_and_upgrade(tmp_path):
    assert coach(tmp_path, "db", "upgrade").returncode == 0
    assert coach(tmp_path, "db", "downgrade", "base").returncode == 0
    assert coach(tmp_path, "db", "upgrade").stdout.strip() == "Database upgraded."


def test_debug_logging_keeps_deal_data_out_of_the_logs(tmp_path):
    env_home = tmp_path
    assert coach(env_home, "deal", "new", "Confidential", "Renewal").returncode == 0
    env = {**os.environ, "COACH_DATABASE_URL": f"sqlite:///{env_home / 'cli.db'}", "COACH_LOG_LEVEL": "DEBUG"}
    out = subprocess.run(
        [sys.executable, "-m", "adapters.console", "ask", "note: budget ceiling is 900k", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parent.parent,
    )
    assert out.returncode == 0
    assert "900k" not in out.stderr and "Confidential" not in out.stderr
