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
    assert again.returncode == 1 and "already a deal called" in again.stderr
    assert coach(home, "deal", "import", str(exported), "--as", "Copy").returncode == 0
    listed = coach(home, "deal", "list")
    assert "Copy" in listed.stdout and "Woodgrove EA renewal" in listed.stdout


def test_import_of_a_file_that_is_not_json(home, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\x00\xff garbage")
    out = coach(home, "deal", "import", str(bad))
    assert out.returncode == 1
    assert out.stderr.strip() == "That file isn't valid JSON."
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


def test_eval_understanding_prints_per_intent_scores_and_confusions(tmp_path):
    out = coach(tmp_path, "eval", "understanding")
    assert out.returncode == 0, out.stderr
    assert "escalation.check" in out.stdout and "precision" in out.stdout and "recall" in out.stdout
    assert "overall:" in out.stdout and "top confusions" in out.stdout
    assert "out of scope:" in out.stdout


def test_eval_skips_a_corpus_that_is_not_there(tmp_path):
    (tmp_path / "data").mkdir()
    out = coach(tmp_path, "eval", "understanding", "--data", str(tmp_path / "data"))
    assert out.returncode == 1
    assert "intents_corpus.yaml: not found" in out.stdout


def test_help_does_not_load_scikit_learn(tmp_path):
    probe = (
        "import sys; from adapters.console.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('sklearn' in sys.modules, 'numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "False False", out.stderr


def test_deal_list_shows_every_deal_most_urgent_first_beyond_the_chat_limit(tmp_path):
    said = [f"deal new Deal {n:02d}" for n in range(33)]  # more than a chat reply shows (30)
    said += ["deal use Deal 07", "set renewal date: 2099-01-31", "quit"]
    assert coach(tmp_path, "shell", stdin="\n".join(said) + "\n").returncode == 0
    listed = coach(tmp_path, "deal", "list")
    assert listed.returncode == 0, listed.stderr
    lines = [line for line in listed.stdout.splitlines() if "Deal " in line]
    assert len(lines) == 33 and "more" not in listed.stdout  # the terminal shows every deal
    assert "Deal 07 (active here)" in lines[0] and "renews 31 Jan 2099" in lines[0]  # a known date first
    assert "renewal date not known (listed last)" in lines[-1]
    chat = coach(tmp_path, "ask", "deals")
    assert "…and 3 more, less urgent." in chat.stdout
