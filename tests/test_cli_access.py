"""The terminal with deal access: the OS user owns the deals they make, the sample deal still
loads, `coach deal audit` prints the trail (fact names, never values), the export carries it,
`coach workspace open-deals` switches the local workspace, and another login sees nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

COACH = Path(sys.executable).with_name("coach")
PLANTED = "7654321"


def coach(
    home: Path, *args: str, user: str = "owner", stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "COACH_DATABASE_URL": f"sqlite:///{home / 'cli.db'}",
        "NO_COLOR": "1",
        "COLUMNS": "200",
        # getpass.getuser() reads these first: the terminal's user
        "LOGNAME": user,
        "USER": user,
        "LNAME": user,
        "USERNAME": user,
    }
    return subprocess.run(
        [str(COACH), *args], input=stdin, env=env, capture_output=True, text=True, timeout=120, cwd=home
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("access")
    assert coach(path, "deal", "new", "Woodgrove", "EA").returncode == 0
    assert coach(path, "ask", f"set budget per year: {PLANTED}").returncode == 0
    return path


def test_the_owner_reads_briefs_and_exports_and_the_audit_shows_who_never_what(home: Path) -> None:
    brief = coach(home, "deal", "brief", "Woodgrove", "EA")
    assert brief.returncode == 0 and "Budget" in brief.stdout
    exported = coach(home, "deal", "export", "Woodgrove", "EA")
    assert exported.returncode == 0, exported.stderr
    doc = json.loads(exported.stdout)
    assert doc["version"] == 2
    assert [(m["user"], m["via"]) for m in doc["members"]] == [("owner", "creator")]
    assert [a["action"] for a in doc["audit"]] == ["create", "change", "read", "brief", "export"]
    assert doc["audit"][-1]["keys"] == ["budget_per_year"]

    audit = coach(home, "deal", "audit", "Woodgrove", "EA")
    assert audit.returncode == 0, audit.stderr
    lines = audit.stdout.strip().splitlines()
    assert lines[0] == "Audit trail of Woodgrove EA: 5 entries (fact names, never values)."
    assert "owner · console · brief cli: budget_per_year" in lines[4]
    assert "owner · console · export: budget_per_year" in lines[5]
    for out in (brief.stderr, exported.stderr, audit.stdout, audit.stderr, json.dumps(doc["audit"])):
        assert PLANTED not in out and "7,654,321" not in out and "7.65" not in out


def test_another_login_on_the_same_database_sees_nothing(home: Path) -> None:
    assert "Woodgrove" not in coach(home, "deal", "list", user="mallory").stdout
    for args in (("deal", "show", "Woodgrove", "EA"), ("deal", "audit", "Woodgrove", "EA")):
        out = coach(home, *args, user="mallory")
        assert out.returncode == 1 and out.stderr.startswith("I don't know a deal called"), out.stderr
    export = coach(home, "deal", "export", "Woodgrove", "EA", user="mallory")
    assert export.returncode == 1 and export.stdout == ""
    taken = coach(home, "deal", "new", "Woodgrove", "EA", user="mallory")
    assert taken.returncode == 1 and taken.stderr.startswith("That name is already used")


def test_the_local_workspace_can_be_opened_and_closed(home: Path) -> None:
    assert coach(home, "workspace", "open-deals").stdout.strip() == "Deals here: members only."
    assert coach(home, "workspace", "open-deals", "on").returncode == 0
    assert "Woodgrove EA" in coach(home, "deal", "list", user="colleague").stdout
    assert coach(home, "workspace", "open-deals", "off").returncode == 0
    assert "Woodgrove EA" not in coach(home, "deal", "list", user="colleague").stdout
    trail = coach(home, "deal", "audit", "Woodgrove", "EA").stdout
    assert "open-deals" not in trail  # a workspace setting is not a deal's entry


def test_the_demo_still_works_for_the_terminal_user(tmp_path: Path) -> None:
    out = coach(tmp_path, "shell", "--demo", stdin="should we escalate now?\ndeals\nquit\n")
    assert out.returncode == 0, out.stderr
    assert "Loaded the sample deal" in out.stdout and "1 deal:" in out.stdout
    assert "I can't open" not in out.stdout
