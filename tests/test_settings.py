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


def test_coach_serve_leaves_cpu_placement_to_the_operator_unless_told_to_pin(monkeypatch):
    import os
    import subprocess
    import sys

    monkeypatch.delenv("COACH_CPU_AFFINITY", raising=False)
    assert Settings().cpu_affinity == "off"  # replicas in containers are all PID 1: no pid-based pick
    code = (
        "import os; from adapters.runtime import pin_cpu; from bot.settings import Settings; "
        "cpu = pin_cpu(Settings().cpu_affinity); print(cpu, sorted(os.sched_getaffinity(0)))"
    )
    allowed = sorted(os.sched_getaffinity(0))

    def run(setting: str | None) -> str:
        env = {k: v for k, v in os.environ.items() if k != "COACH_CPU_AFFINITY"}
        if setting is not None:
            env["COACH_CPU_AFFINITY"] = setting
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        return out.stdout.strip()

    assert run(None) == f"None {allowed}"
    assert run("off") == f"None {allowed}"
    if len(allowed) > 1:  # the opt-in: a CPU number, or "auto" (by pid, for benches)
        assert run(str(allowed[-1])) == f"{allowed[-1]} [{allowed[-1]}]"
        cpu, rest = run("auto").split(" ", 1)
        assert int(cpu) in allowed and rest == f"[{cpu}]"


# --- settings of the serve-side parts: same variables as before, validated at start-up ----------
def test_teams_settings_come_from_the_environment_and_dotenv(tmp_path, monkeypatch):
    from adapters.teams.config import TeamsConfig

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("COACH_TEAMS_TYPING_AFTER=0.5\nCOACH_TEAMS_ANONYMOUS_DEV=yes\n")
    monkeypatch.setenv("COACH_TEAMS_ALLOWED_TENANTS", " Tenant-A , tenant-b,")
    monkeypatch.setenv("COACH_TEAMS_EXTRA_SERVICE_HOSTS", "bots.example.net")
    monkeypatch.setenv("COACH_TEAMS_FIRST_REPLY_AFTER", "6")
    monkeypatch.setenv("COACH_TEAMS_ALLOW_LOOPBACK_SERVICE_URL", "")  # empty is the default
    config = TeamsConfig.from_env()
    assert config.allowed_tenants == {"tenant-a", "tenant-b"}
    assert config.extra_hosts == {"bots.example.net"}
    assert (config.typing_after, config.first_reply_after) == (0.5, 6.0)
    assert config.anonymous and not config.allow_loopback


def test_reminder_settings_switch_the_worker_and_set_its_pace(monkeypatch, tmp_path):
    from bot.reminders.settings import ReminderSettings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COACH_REMINDERS", "off")
    monkeypatch.setenv("COACH_REMINDER_POLL_SECONDS", "0.5")
    monkeypatch.setenv("COACH_REMINDER_LEASE_SECONDS", "60")
    s = ReminderSettings()
    assert (s.enabled, s.poll_seconds, s.lease_seconds) == (False, 0.5, 60)


@pytest.mark.parametrize(
    "variable,value",
    [
        ("COACH_TEAMS_TYPING_AFTER", "soon-SECRET-1"),
        ("COACH_TEAMS_ANONYMOUS_DEV", "perhaps-SECRET-2"),
        ("COACH_REMINDER_POLL_SECONDS", "-3"),
        ("COACH_REMINDERS", "sometimes-SECRET-3"),
        ("COACH_METRICS_PORT", "hunter2-SECRET-4"),
    ],
)
def test_a_bad_setting_is_named_at_start_up_without_its_value(variable, value, monkeypatch, tmp_path):
    from adapters.teams.config import TeamsConfig
    from bot.reminders.settings import ReminderSettings
    from bot.settings import SettingsError, load

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(variable, value)
    build = {
        "TEAMS": TeamsConfig.from_env,
        "REMINDER": lambda: load(ReminderSettings),
        "METRICS": lambda: load(Settings),
    }[next(k for k in ("TEAMS", "REMINDER", "METRICS") if k in variable)]
    with pytest.raises(SettingsError) as err:
        build()
    assert variable in str(err.value)
    assert value not in str(err.value)


def test_coach_refuses_to_start_on_a_bad_setting_and_says_which(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "COACH_DATABASE_URL": f"sqlite:///{tmp_path}/c.db",
        "COACH_METRICS_PORT": "port-SECRET-5",
    }
    out = subprocess.run(
        [sys.executable, "-m", "adapters.console", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert "configuration problem: COACH_METRICS_PORT" in out.stderr
    assert "SECRET-5" not in out.stderr + out.stdout and "Traceback" not in out.stderr


def test_the_shell_reads_the_reminder_pace_by_the_same_rules_as_serve(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "COACH_DATABASE_URL": f"sqlite:///{tmp_path}/c.db",
        "COACH_REMINDER_POLL_SECONDS": "-3",
    }
    out = subprocess.run(
        [sys.executable, "-m", "adapters.console", "shell"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 2
    assert "configuration problem: COACH_REMINDER_POLL_SECONDS" in out.stderr
    assert "Traceback" not in out.stderr


def test_every_setting_is_read_through_pydantic_settings():
    """No module of the core or the surfaces reads the environment by hand: each setting has
    one reader, with one set of rules (types, bounds, .env), documented in configuration.md."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    by_hand = re.compile(r"\bos\.environ\b|\bgetenv\(")
    found = [
        f"{path.relative_to(root)}:{n}"
        for folder in ("bot", "adapters")
        for path in sorted((root / folder).rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if by_hand.search(line)
    ]
    assert found == []


def test_the_teams_sdk_variables_come_from_the_environment_and_dotenv(tmp_path, monkeypatch):
    from adapters.teams.config import TeamsConfig

    monkeypatch.chdir(tmp_path)
    app = "00000000-aaaa-bbbb-cccc-00000000000a"
    (tmp_path / ".env").write_text(
        f"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID={app}\n"
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID=tenant-from-dotenv\n"
    )
    monkeypatch.setenv("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID", "tenant-from-env")
    monkeypatch.setenv("COACH_TEAMS_ALLOWED_TENANTS", "T-1, t-2")
    config = TeamsConfig.from_env()
    assert (config.app_id, config.tenant_id) == (app, "tenant-from-env")  # the environment wins
    assert config.allowed_tenants == {"t-1", "t-2"}
