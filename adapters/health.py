"""What /readyz checks: the database answers a real query, its schema is at the migrations'
head, and the knowledge base is loaded. Each problem is one short word or phrase: never a URL,
a driver message or anything else that could carry a password."""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache

from adapters.runtime import Runtime
from bot.db.migrate import heads, probe, revisions

log = logging.getLogger("coach.health")

TIMEOUT = 2.0  # seconds for the database checks together; a probe must answer quickly


@lru_cache(maxsize=1)
def shipped() -> tuple[frozenset[str], frozenset[str]]:
    """(head revisions, every revision) of migrations/ as shipped with this code, read once."""
    return frozenset(heads()), frozenset(revisions())


async def _database(rt: Runtime) -> dict[str, str]:
    current = await probe(rt.engine)
    expected, known = shipped()
    if current == expected:
        return {}
    if not current:
        return {"migrations": "not migrated"}
    if current - known:  # a revision this code does not know: a newer release migrated
        return {"migrations": "ahead of this code"}
    return {"migrations": "behind head"}


async def readiness(rt: Runtime) -> dict[str, str]:
    """Each check and its state: "ok", or a few words saying what is wrong."""
    checks = {"database": "ok", "migrations": "ok", "knowledge": "ok"}
    try:
        checks.update(await asyncio.wait_for(_database(rt), timeout=TIMEOUT))
    except Exception as exc:
        log.warning("readiness: database unavailable (%s)", type(exc).__name__)
        checks["database"] = "timeout" if isinstance(exc, TimeoutError) else "unavailable"
        checks["migrations"] = "unknown"
    if not (rt.kb.rules and rt.kb.intents):
        checks["knowledge"] = "not loaded"
    return checks
