"""Settings: plain database URLs get their async driver; .env files are read."""

from __future__ import annotations

import pytest

from bot.db.engine import async_url
from bot.settings import Settings


@pytest.mark.parametrize(
    "given,driver",
    [
        ("sqlite:///tmp/coach.db", "sqlite+aiosqlite"),
        ("postgresql://u:p@db/coach", "postgresql+asyncpg"),
        ("postgres://u:p@db/coach", "postgresql+asyncpg"),
        ("postgresql+psycopg://u:p@db/coach", "postgresql+asyncpg"),
    ],
)
def test_plain_urls_get_the_async_driver(given, driver):
    assert async_url(given).drivername == driver


def test_an_unsupported_database_is_refused():
    with pytest.raises(ValueError, match="unsupported database"):
        async_url("mysql://u:p@db/coach")


def test_settings_read_a_dotenv_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COACH_DATABASE_URL", raising=False)
    (tmp_path / ".env").write_text(
        "COACH_DATABASE_URL=sqlite:///from-dotenv.db\nCOACH_TIMEZONE=Europe/Oslo\n"
    )
    s = Settings()
    assert s.database_url == "sqlite:///from-dotenv.db"
    assert s.timezone == "Europe/Oslo"


def test_the_default_database_lives_in_the_user_data_dir(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COACH_DATABASE_URL", raising=False)
    assert Settings().database_url.endswith("deal-coach/coach.db")


def test_coach_serve_keeps_to_one_cpu_unless_told_not_to():
    import os
    import subprocess
    import sys

    code = (
        "import os; from adapters.runtime import pin_cpu; "
        "cpu = pin_cpu(os.environ['SETTING']); print(cpu, sorted(os.sched_getaffinity(0)))"
    )
    allowed = sorted(os.sched_getaffinity(0))

    def run(setting: str) -> str:
        env = {**os.environ, "SETTING": setting}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        return out.stdout.strip()

    assert run("off") == f"None {allowed}"
    if len(allowed) > 1:
        cpu, rest = run("auto").split(" ", 1)
        assert int(cpu) in allowed and rest == f"[{cpu}]"
        assert run(str(allowed[-1])) == f"{allowed[-1]} [{allowed[-1]}]"
