"""Exactly once across replicas, on a real PostgreSQL server and real OS processes:
1,000 due reminders, two workers, a loopback Slack Web API that records chat.postMessage."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.db.engine import create_engine, session_factory
from bot.db.models import Conversation, Reminder, Tenant
from bot.reminders import policy, store

ROOT = Path(__file__).resolve().parents[2]
N = 1000
CHANNELS = 20


async def seed(url: str) -> None:
    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        async with session_factory(engine)() as s, s.begin():
            tenant = Tenant(platform="slack", external_id="T1", name=None, created_at=now)
            s.add(tenant)
            await s.flush()
            convs = [
                Conversation(tenant_id=tenant.id, external_id=f"C{c:03d}", created_at=now)
                for c in range(CHANNELS)
            ]
            s.add_all(convs)
            await s.flush()
            for c in convs:
                planned = [
                    policy.plan_follow_up(
                        None, c.id, f"job {c.external_id}/{i}", now - timedelta(minutes=1), now, f"{i}"
                    )
                    for i in range(N // CHANNELS)
                ]
                assert await store.schedule(
                    s, planned, tenant_id=tenant.id, deal_id=None, conversation_id=c.id, now=now
                ) == len(planned)
    finally:
        await engine.dispose()


async def db_counts(url: str) -> tuple[Counter, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            status = Counter(
                dict(
                    (
                        await conn.execute(select(Reminder.status, func.count()).group_by(Reminder.status))
                    ).all()
                )
            )
            retried = await conn.scalar(select(func.count()).where(Reminder.attempts > 1))
    finally:
        await engine.dispose()
    return status, retried


async def leased_by(url: str, pid: int) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.scalar(
                select(func.count()).where(
                    Reminder.status == "pending", Reminder.lease_owner.like(f"%:{pid}:%")
                )
            )
    finally:
        await engine.dispose()


def spawn(url: str, api: str, lease: float, go_file: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "SLACK_API_URL": api, "SLACK_BOT_TOKEN": "xoxb-test", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.reminders.worker_proc",
            url,
            str(lease),
            *([str(go_file)] if go_file else []),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def wait_all(procs: list[subprocess.Popen], limit: float) -> None:
    deadline = time.monotonic() + limit
    while any(p.poll() is None for p in procs):
        assert time.monotonic() < deadline, "workers did not finish in time"
        await asyncio.sleep(0.1)


async def test_two_processes_deliver_1000_reminders_exactly_once(pg_url, slack_api, tmp_path):
    await seed(pg_url)
    slack_api.latency = 0.002
    go = tmp_path / "go"
    procs = [spawn(pg_url, slack_api.url, lease=30, go_file=go) for _ in range(2)]
    deadline = time.monotonic() + 90
    while len(list(tmp_path.glob("go.ready.*"))) < 2:  # both booted: start them together
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        await asyncio.sleep(0.05)
    t0 = time.monotonic()
    go.touch()
    await wait_all(procs, 120)
    elapsed = time.monotonic() - t0
    outs = [p.communicate()[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), [p.communicate() for p in procs]
    keys = Counter(slack_api.keys())
    assert len(keys) == N and set(keys.values()) == {1}
    status, _ = await db_counts(pg_url)
    assert status == Counter({"sent": N})
    sent_by = [int(o.split("sent=")[1].split()[0]) for o in outs]
    assert sum(sent_by) == N and min(sent_by) > 0, sent_by  # both replicas did real work
    print(f"\n2 workers x {N} reminders: {elapsed:.2f}s wall, split {sent_by}")


async def test_kill_9_mid_batch_loses_nothing_and_doubles_nothing(pg_url, slack_api):
    await seed(pg_url)
    slack_api.latency = 0.01  # slow enough that the kill lands mid-batch
    lease = 2.0
    victim, survivor = spawn(pg_url, slack_api.url, lease), spawn(pg_url, slack_api.url, lease)
    # Kill the victim mid-batch: after real progress, while it holds leased rows (on a loaded
    # machine a process may start late, so wait for its leases rather than for a count alone).
    deadline = time.monotonic() + 90
    while len(slack_api.posts) < 200 or not await leased_by(pg_url, victim.pid):
        assert time.monotonic() < deadline, "the victim never held a lease mid-batch"
        assert victim.poll() is None
        await asyncio.sleep(0.01)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    assert victim.returncode == -signal.SIGKILL
    await wait_all([survivor], 120)
    out, err = survivor.communicate()
    assert survivor.returncode == 0, err
    already = int(out.split("already=")[1].split()[0])
    keys = Counter(slack_api.keys())
    assert len(keys) == N, f"lost {N - len(keys)}"
    assert [k for k, n in keys.items() if n > 1] == []
    status, retried = await db_counts(pg_url)
    assert status == Counter({"sent": N})
    assert retried > 0  # the victim's leased rows really were reclaimed
    print(f"\nkill -9 after 200+ posts: {retried} reclaimed, {already} already posted so not re-posted")
