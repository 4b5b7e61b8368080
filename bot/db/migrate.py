"""Alembic, driven from code: `coach db upgrade|downgrade`, and on start of shell/serve.

Alembic's env.py runs its own event loop, so from async code call these in a thread.
Alembic is imported only when it has work to do: a start on a database already at head
compares `shipped_heads()` with the database's version (see adapters/runtime.py).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "-1") -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def heads(url: str = "sqlite://") -> list[str]:
    from alembic.script import ScriptDirectory

    return list(ScriptDirectory.from_config(alembic_config(url)).get_heads())


def revisions(url: str = "sqlite://") -> set[str]:
    """Every revision this code ships, head or not."""
    from alembic.script import ScriptDirectory

    return {r.revision for r in ScriptDirectory.from_config(alembic_config(url)).walk_revisions()}


_REVISION = re.compile(r"^revision(?:\s*:\s*[\w\[\], |]+)?\s*=\s*[\"']([\w-]+)[\"']\s*$", re.M)
_DOWN = re.compile(r"^down_revision(?:\s*:\s*[\w\[\], |]+)?\s*=\s*(None|[\"']([\w-]+)[\"'])\s*$", re.M)


_NO_BRANCH = re.compile(r"^branch_labels(?:\s*:[^=]+)?\s*=\s*None\s*$", re.M)
_NO_DEPENDENCY = re.compile(r"^depends_on(?:\s*:[^=]+)?\s*=\s*None\s*$", re.M)


@lru_cache(maxsize=1)
def shipped_heads() -> frozenset[str] | None:
    """The head revision(s) of migrations/versions read from each file's plain `revision =`
    and `down_revision =` lines, without importing Alembic; None when any file says more than
    that (a merge, a branch label, a dependency): then only Alembic can tell."""
    revs: set[str] = set()
    downs: set[str] = set()
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        rev, down = _REVISION.findall(text), _DOWN.findall(text)
        plain = _NO_BRANCH.search(text) and _NO_DEPENDENCY.search(text)
        if len(rev) != 1 or len(down) != 1 or not plain:
            return None
        revs.add(rev[0])
        if down[0][1]:
            downs.add(down[0][1])
    if not revs or not downs <= revs:
        return None
    return frozenset(revs - downs)
