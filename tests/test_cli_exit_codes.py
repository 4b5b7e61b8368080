"""Exit codes and stderr of the real `coach` program, and what it prints for names that came
from somewhere else (an import, an older version): 0 done, 1 a user error, 2 bad usage; one
line on stderr; no control or bidi character and no rich markup reaching the terminal."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

COACH = Path(sys.executable).with_name("coach")


def coach(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "COACH_DATABASE_URL": f"sqlite:///{home / 'cli.db'}",
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }
    return subprocess.run(
        [str(COACH), *args], input=stdin, env=env, capture_output=True, text=True, timeout=120, cwd=home
    )


def one_line(out: subprocess.CompletedProcess[str]) -> str:
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "Traceback" not in out.stderr
    return lines[0]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("exits")
    assert coach(path, "deal", "new", "Woodgrove", "EA").returncode == 0
    assert coach(path, "deal", "new", "Fabrikam", "Azure").returncode == 0  # active now
    return path


@pytest.mark.parametrize(
    "args,code,says",
    [
        (("deal", "use", "Contoso"), 1, "I don't know a deal called “Contoso”."),
        (("deal", "show", "Contoso"), 1, "I don't know a deal called “Contoso”."),
        (("deal", "export", "Contoso"), 1, "I don't know a deal called “Contoso”."),
        (("deal", "new", "woodgrove", "ea"), 1, "There's already a deal called Woodgrove EA"),
        (("deal", "new", "x" * 121), 1, "too long"),
        (("ask", "note: " + "x" * 9000), 1, "too long"),
        (("ask", ""), 2, "I didn't get a message"),
        (("ask", "   "), 2, "I didn't get a message"),
        (("deal", "new", "  "), 2, "Give the deal a name"),
        (("deal", "import", "/nonexistent/deal.json"), 1, "Can't read"),
        (("deal", "frobnicate"), 2, "invalid choice"),
    ],
    ids=lambda v: " ".join(v)[:40] if isinstance(v, tuple) else None,
)
def test_errors_exit_non_zero_with_one_line_on_stderr(home, args, code, says):
    out = coach(home, *args)
    assert out.returncode == code
    assert says in out.stderr.strip().splitlines()[-1]
    if code == 1:
        one_line(out)


def test_deal_show_name_shows_that_deal_not_the_active_one(home):
    out = coach(home, "deal", "show", "woodgrove", "ea")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0].strip() == "Woodgrove EA"
    assert "Fabrikam" not in out.stdout
    assert coach(home, "deal", "show").stdout.splitlines()[0].strip() == "Fabrikam Azure"


def test_ask_json_still_prints_the_object_when_it_fails(home):
    out = coach(home, "ask", "x" * 9000, "--json")
    assert out.returncode == 1
    assert json.loads(out.stdout)["intent"] == "too_long"
    assert "too long" in one_line(out)


HOSTILE_NAME = "Evil\x1b[2J\x1b]0;owned\x07 \u202eCorp\u2066 [bold red]x[/] \x9b31m"


def test_names_from_elsewhere_reach_the_terminal_without_controls_or_markup(home, tmp_path):
    # A row written before imports were checked (or by hand): the terminal must still be safe.
    with sqlite3.connect(home / "cli.db") as db:
        tenant, deal = db.execute(
            "SELECT d.tenant_id, d.id FROM deals d WHERE d.name = 'Woodgrove EA'"
        ).fetchone()
        db.execute(
            "INSERT INTO deals (tenant_id, name, name_key, created_by, created_at, contacts_version) "
            "VALUES (?, ?, 'evil', 'me', '2026-01-01 00:00:00.000000', 0)",
            (tenant, HOSTILE_NAME),
        )
        # ... shared with the terminal's user, as everyone's deals are in their own terminal
        db.execute(
            "INSERT INTO deal_members (deal_id, user_key, via, added_by, added_at) "
            "SELECT (SELECT id FROM deals WHERE name_key = 'evil'), user_key, 'shared', user_key, "
            "'2026-01-01 00:00:00.000000' FROM deal_members WHERE deal_id = ?",
            (deal,),
        )
        db.execute(
            "INSERT INTO contacts (deal_id, name, name_key, role, kpis, note, active, created_at) "
            "VALUES (?, ?, 'jane', 'ae', '{\"kpis\": []}', NULL, 1, '2026-01-01 00:00:00.000000')",
            (deal, "Jane\x1b[31m \u202eeoD"),
        )
    outputs = [
        coach(home, "deal", "list"),
        coach(home, "deal", "show", "woodgrove", "ea"),
        coach(home, "deal", "use", "evil"),
        coach(home, "ask", "deal list", "--json"),
        coach(home, "deal", "export", "evil"),
        coach(home, "shell", stdin="deal list\nquit\n"),
    ]
    for out in outputs:
        assert out.returncode == 0, out.stderr
        shown = out.stdout + out.stderr
        for bad in ("\x1b", "\x07", "\x9b", "\u202e", "\u2066"):
            assert bad not in shown, (out.args, repr(bad))
    assert "[bold red]x[/]" in outputs[0].stdout  # markup shown as typed, not applied
    assert "Jane[31m eoD" in outputs[1].stdout
    assert json.loads(outputs[4].stdout)["deal"]["name"] == HOSTILE_NAME  # JSON keeps the data


def test_an_imported_name_with_markup_is_printed_as_typed(home, tmp_path):
    doc = {
        "format": "deal-coach/deal",
        "version": 1,
        "deal": {
            "name": "[bold]Northwind[/bold] [/]",
            "created_by": "me",
            "created_at": "2026-01-01T00:00:00Z",
        },
        "events": [],
    }
    path = tmp_path / "deal.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    out = coach(home, "deal", "import", str(path))
    assert out.returncode == 0, out.stderr
    assert "Imported [bold]Northwind[/bold] [/] (0 events)." in out.stdout
