"""Adapters only deliver and render: the reminder worker's logic, the portfolio, export/import/demo
and every SQL statement of these surfaces live in bot/ (issue 15, "thin adapters")."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
THIN = [
    "adapters/scheduler.py",
    "adapters/slack/home.py",
    "adapters/slack/reminders.py",
    "adapters/teams/refs.py",
    "adapters/teams/reminders.py",
    "adapters/console/reminders.py",
    "adapters/console/cli.py",
]


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("name", THIN)
def test_the_adapter_writes_no_sql(name):
    modules = imported(ROOT / name)
    assert not {m for m in modules if m == "sqlalchemy" or m.startswith("bot.db.models")}, modules


def test_the_teams_deliverer_loads_nothing_of_slack():
    probe = (
        "import sys, adapters.teams.reminders\n"
        "print(sorted(m for m in sys.modules if m.startswith(('adapters.slack', 'slack_sdk', 'slack_bolt'))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
