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
