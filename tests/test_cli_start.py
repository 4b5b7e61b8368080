"""`coach` starts fast because it imports only what a command uses (bench/cli_start.py has the
figures): `--help` loads no database, surface or client library, `ask` on a database already
at the migrations' head loads neither Alembic nor openai nor a chat SDK, and that shortcut
agrees with Alembic about where the head is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.db.migrate import heads, shipped_heads

ROOT = Path(__file__).resolve().parent.parent
HEAVY = (
    "sqlalchemy",
    "alembic",
    "openai",
    "slack_bolt",
    "microsoft_agents",
    "aiohttp",
    "sklearn",
    "matplotlib",
    "pdfplumber",
    "pdfminer",
    "openpyxl",
)


def loaded_after(code: str, env: dict[str, str] | None = None) -> dict:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_help_loads_no_database_surface_or_client():
    code = "from adapters.console.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    assert loaded_after(code) == []


def test_ask_on_a_migrated_database_loads_no_alembic_llm_client_or_chat_sdk(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))},
        "COACH_DATABASE_URL": f"sqlite:///{tmp_path / 'coach.db'}",
        "COACH_LOG_LEVEL": "WARNING",
    }
    first = "from adapters.console.cli import main\nmain(['deal', 'new', 'Woodgrove'])"
    assert "alembic" in loaded_after(first, env)  # a new database: migrated through Alembic
    again = "from adapters.console.cli import main\nmain(['ask', 'should we escalate?'])"
    assert loaded_after(again, env) == ["sqlalchemy"]


def test_the_shortcut_agrees_with_alembic_about_the_head():
    assert shipped_heads() == frozenset(heads())
