"""Replicas that start together each run `upgrade head` on a fresh PostgreSQL database at the
same moment: the advisory lock lets one migrate while the others wait, then find it done."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import inspect, text

from bot.db.engine import create_engine
from bot.db.migrate import heads
from bot.db.models import Base

ROOT = Path(__file__).resolve().parents[1]
# Everything is imported first; then every process waits for the same instant and migrates.
MIGRATE_AT = (
    "import sys, time; from bot.db.migrate import upgrade; "
    "time.sleep(max(0.0, float(sys.argv[2]) - time.time())); upgrade(sys.argv[1]); print('migrated')"
)


async def _schema(url: str) -> tuple[list[str], set[str]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            versions = list((await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars())
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    finally:
        await engine.dispose()
    return versions, tables


def test_replicas_migrating_a_fresh_database_at_once_all_succeed(pg_server):
    name = f"fresh_{os.getpid()}_{time.monotonic_ns()}"
    subprocess.run([pg_server.psql, pg_server.admin_url, "-qc", f"CREATE DATABASE {name}"], check=True)
    url = pg_server.url(name)
    start_at = str(time.time() + 8)  # past every interpreter's imports on a loaded machine
    cmd = [sys.executable, "-c", MIGRATE_AT, url, start_at]
    procs = [
        subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err.decode()[-3000:]
        assert out.decode().strip() == "migrated"
    versions, tables = asyncio.run(_schema(url))
    assert versions == heads()  # at head, recorded once
    assert tables >= set(Base.metadata.tables)
