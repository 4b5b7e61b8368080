"""Alembic, driven from code: `coach db upgrade|downgrade`, and on start of shell/serve.

Alembic's env.py runs its own event loop, so from async code call these in a thread.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "-1") -> None:
    command.downgrade(alembic_config(url), revision)


def heads(url: str = "sqlite://") -> list[str]:
    return list(ScriptDirectory.from_config(alembic_config(url)).get_heads())


def revisions(url: str = "sqlite://") -> set[str]:
    """Every revision this code ships, head or not."""
    return {r.revision for r in ScriptDirectory.from_config(alembic_config(url)).walk_revisions()}
