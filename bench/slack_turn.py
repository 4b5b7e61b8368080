"""Benchmark: a full /coach slash-command turn through /slack/events, beside a bare Bolt echo app.

Three run in this process against the same loopback Web API: the coach, a bare Bolt echo app,
and a durable echo app that commits one row before it acks (the floor a design that loses
nothing acknowledged pays; the goal is the coach's turn within 1.5x of it); a turn is timed from the signed
POST until the answer's chat.postMessage reaches the fake Slack, on SQLite and on PostgreSQL
(a throwaway server started as the tests start one; skipped without its binaries). Prints
requests/s, CPU time per turn (the cost: everything the process spent, over the turns it served), p50 and p99.
At concurrency 1 the CPU idles about 10 ms between turns (Bolt polls for the ack every 10 ms),
and a turn that starts on an idle CPU runs a few times slower than one on a busy CPU: latency
there measures waking up as much as work.

The coach is measured on two workloads. People talk in conversations they have talked in
before: "existing conversations" sends every request into one of a few channels (each greeted
once in the warm-up), which is most of a real day's turns. "first turns" posts every request
in a new channel, so each turn also makes its conversation and the outsider check asks Slack
about a channel it has not seen (conversations.info, answered by the in-process fake, whose
work counts here too): a cost paid once per channel in real use. Both are printed; a bench of
first turns alone would overstate what a turn costs, one of existing ones alone would hide a
slow first turn.

    python -m bench.slack_turn [--requests 400] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

import adapters.slack  # noqa: F401  (registers the mount)
from adapters.runtime import Runtime, Serving, pin_cpu
from adapters.server import build_app, settle
from adapters.slack.settings import SlackSettings
from bot.reply import Item, Reply, Section
from bot.settings import Settings
from tests.slack.fakes import BOT_TOKEN, SECRET, Call, FakeSlack, command, signed
from tests.sqlite_lock import lock_in_another_process

FORM = "application/x-www-form-urlencoded"
# "coach, existing convs": requests spread over this many channels, each already talked in (see above).
CHANNELS = 64
# What the slash command asks: a typical coaching question with a verdict (no deal needed).
TEXT = "can I tell the CSM our budget?"


def echo_app(fake: FakeSlack) -> web.Application:
    """The floor: Bolt verifies, acks, and posts the text back. No database, no coach."""
    bolt = AsyncApp(
        token=None,
        client=AsyncWebClient(token=BOT_TOKEN, base_url=fake.url),
        signing_secret=SECRET,
        process_before_response=False,
    )

    @bolt.command("/coach")
    async def echo(ack, body, client) -> None:
        await ack()
        await client.chat_postMessage(channel=body["channel_id"], text=body["text"])

    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", handle)
    return app


def durable_echo_app(fake: FakeSlack, sessions: Any) -> web.Application:
    """The durable floor: Bolt verifies, writes the request into a table and commits (the least
    a design that loses nothing acknowledged must pay: one durable write before the ack), acks,
    and posts the text back. The same engine settings as the coach (WAL, BEGIN IMMEDIATE and the
    write gate on SQLite), one INSERT, no coach."""
    from sqlalchemy import text

    from bot.db.engine import write_session

    bolt = AsyncApp(
        token=None,
        client=AsyncWebClient(token=BOT_TOKEN, base_url=fake.url),
        signing_secret=SECRET,
        process_before_response=False,
    )

    @bolt.command("/coach")
    async def echo(ack, body, client) -> None:
        async with write_session(sessions) as session:
            await session.execute(
                text("INSERT INTO bench_durable (channel, body) VALUES (:c, :b)"),
                {"c": body["channel_id"], "b": body["text"]},
            )
            await session.commit()
        await ack()
        await client.chat_postMessage(channel=body["channel_id"], text=body["text"])

    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", handle)
    return app


async def durable_floor_sessions(url: str, pool_size: int) -> tuple[Any, Any]:
    from sqlalchemy import text

    from bot.db.engine import create_engine, session_factory

    engine = create_engine(url, pool_size=pool_size)  # the pool the coach's runtime keeps
    key = "INTEGER PRIMARY KEY" if engine.dialect.name == "sqlite" else "SERIAL PRIMARY KEY"
    async with engine.begin() as conn:
        table = f"CREATE TABLE IF NOT EXISTS bench_durable (id {key}, channel TEXT, body TEXT)"
        await conn.execute(text(table))
    return engine, session_factory(engine)


async def measure(
    url: str,
    fake: FakeSlack,
    n: int,
    concurrency: int,
    tag: str,
    *,
    warm: bool = True,
    channels: int | None = None,
) -> dict[str, float]:
    """`channels`: every request goes to one of this many channels, each talked in once during
    the warm-up (turns in existing conversations); None: each request in a new channel."""
    arrived: dict[str, float] = {}
    waiters: dict[str, asyncio.Future] = {}

    def record(call: Call) -> None:
        channel = call.args.get("channel", "")
        if call.method == "chat.postMessage" and channel in waiters:
            arrived[channel] = time.perf_counter()
            if not waiters[channel].done():
                waiters[channel].set_result(None)

    fake.listeners[:] = [record]

    turn_ms: list[float] = []
    ack_ms: list[float] = []
    sem = asyncio.Semaphore(concurrency)
    loop = asyncio.get_running_loop()
    # One request at a time per channel: its answer is told apart by the channel it lands in.
    lanes: dict[str, asyncio.Lock] = {}

    async with aiohttp.ClientSession() as session:

        async def one(i: int) -> None:
            channel = f"{tag}{i}" if channels is None else f"{tag}{i % channels}"
            body = command(TEXT, channel=channel)
            async with lanes.setdefault(channel, asyncio.Lock()), sem:
                waiters[channel] = loop.create_future()
                t0 = time.perf_counter()
                async with session.post(url, data=body, headers=signed(body, FORM)) as resp:
                    await resp.read()
                    assert resp.status == 200, resp.status
                ack_ms.append((time.perf_counter() - t0) * 1000)
                await asyncio.wait_for(waiters[channel], 30)
                turn_ms.append((arrived[channel] - t0) * 1000)

        for i in range(min(20, n) if warm else 0):  # warm-up: first-request costs (auth.test, pools)
            await one(-i - 1)
        if channels is not None:  # each channel's first turn, before the measured ones
            await asyncio.gather(*(one(i) for i in range(channels)))
        turn_ms.clear()
        ack_ms.clear()
        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(i) for i in range(n)))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    q = statistics.quantiles(turn_ms, n=100)
    qa = statistics.quantiles(ack_ms, n=100)
    return {
        "rps": n / elapsed,
        "cpu": cpu / n * 1000,  # the whole process: server, Bolt, the client and fake Slack too
        "p50": q[49],
        "p99": q[98],
        "ack_p50": qa[49],
        "ack_p99": qa[98],
    }


async def serve(app: web.Application) -> TestServer:
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


async def run_backend(
    label: str, url: str, fake: FakeSlack, n: int, concurrency: int, stall_db: Path | None, stall: float
) -> dict[str, dict[str, float]]:
    """The floor, a full turn and the adapter alone, on one database, measured back to back."""
    slack = SlackSettings(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.url)
    rt = await Runtime.start(Settings(COACH_DATABASE_URL=url), serving=Serving(slack_settings=slack))
    ours = await serve(await build_app(rt))
    settle()  # as `coach serve` does once its app is built
    floor = await serve(echo_app(fake))
    durable_engine, durable_sessions = await durable_floor_sessions(url, rt.settings.pool_size)
    durable = await serve(durable_echo_app(fake, durable_sessions))
    tag = label[0].upper()
    results: dict[str, dict[str, float]] = {}
    runs: list[tuple[str, Callable[[], Awaitable[dict[str, float]]]]] = [
        (
            "bolt echo (floor)",
            lambda: measure(str(floor.make_url("/slack/events")), fake, n, concurrency, "E" + tag),
        ),
        (
            "durable echo (floor)",
            lambda: measure(str(durable.make_url("/slack/events")), fake, n, concurrency, "D" + tag),
        ),
        (
            "coach, existing convs",
            lambda: measure(
                str(ours.make_url("/slack/events")), fake, n, concurrency, "C" + tag, channels=CHANNELS
            ),
        ),
        (
            "coach, first turns",
            lambda: measure(str(ours.make_url("/slack/events")), fake, n, concurrency, "F" + tag),
        ),
    ]
    for name, run in runs:
        results[name] = await run()
    await durable.close()
    await durable_engine.dispose()
    # The adapter alone: the same server with Coach.handle answering at once. The gap to the
    # floor is what the Slack adapter itself costs; the rest of a full turn is the core's.
    handle = rt.coach.handle
    canned = Reply(headline="Here is what I can do.", intent="help", sections=[Section(items=[Item("x")])])

    async def instant(turn):
        return canned

    rt.coach.handle = instant  # type: ignore[method-assign]
    results["adapter only, existing"] = await measure(
        str(ours.make_url("/slack/events")), fake, n, concurrency, "A" + tag, channels=CHANNELS
    )
    results["adapter only, first turns"] = await measure(
        str(ours.make_url("/slack/events")), fake, n, concurrency, "B" + tag
    )
    rt.coach.handle = handle  # type: ignore[method-assign]
    if stall_db is not None and stall:  # another process holds the write lock; turns wait, acks too
        holder = lock_in_another_process(stall_db, stall)
        results[f"coach, db locked {stall:g}s"] = await measure(
            str(ours.make_url("/slack/events")), fake, max(n // 4, 20), concurrency, "S" + tag, warm=False
        )
        holder.wait()
    await ours.close()
    await floor.close()
    await rt.close()
    return results


def report(label: str, n: int, concurrency: int, results: dict[str, dict[str, float]]) -> None:
    print(f"{label}: {n} requests, concurrency {concurrency}")
    print(f"{'':28} {'req/s':>8} {'cpu ms':>8} {'p50 ms':>8} {'p99 ms':>8} {'ack p50':>8} {'ack p99':>8}")
    for name, r in results.items():
        cols = (r["rps"], r["cpu"], r["p50"], r["p99"], r["ack_p50"], r["ack_p99"])
        print(f"{name:28} " + " ".join(f"{c:8.1f}" for c in cols))
    floor_r = results["bolt echo (floor)"]
    durable_r = results["durable echo (floor)"]
    turns = ("coach, existing convs", "coach, first turns")
    for name in (*turns, "adapter only, existing", "adapter only, first turns"):
        r = results[name]
        print(
            f"{label} {name}: cost ratio (CPU per turn / durable floor's) {r['cpu'] / durable_r['cpu']:.2f}x "
            f"(goal <= 1.5x for the turn); / bare echo's {r['cpu'] / floor_r['cpu']:.2f}x; "
            f"throughput ratio (durable floor req/s / req/s) {durable_r['rps'] / r['rps']:.2f}x; "
            f"latency ratio (p50 / durable floor p50) {r['p50'] / durable_r['p50']:.2f}x"
        )


def start_postgres() -> tuple[Any, str] | None:
    """A throwaway PostgreSQL server and database, as the tests start one (tests/pg.py)."""
    try:
        from tests.pg import start_server

        server = start_server()
    except (FileNotFoundError, OSError) as exc:
        print(f"(PostgreSQL skipped: {exc})", file=sys.stderr)
        return None
    subprocess.run([server.psql, server.admin_url, "-qc", "CREATE DATABASE bench"], check=True)
    return server, server.url("bench")


async def main(n: int, concurrency: int, stall: float, postgres_url: str | None) -> None:
    fake = FakeSlack()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        backends: list[tuple[str, str, Path | None]] = [("sqlite", f"sqlite:///{db}", db)]
        if postgres_url is not None:
            backends.append(("postgresql", postgres_url, None))
        for label, url, stall_db in backends:
            results = await run_backend(label, url, fake, n, concurrency, stall_db, stall)
            report(label, n, concurrency, results)
    await fake.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--stall",
        type=float,
        default=2.0,
        help="also measure acks while another process locks the database this long",
    )
    parser.add_argument(
        "--cpu",
        default="auto",
        help="keep the bench on one CPU ('auto': by pid, or a CPU number); 'off' to roam",
    )
    parser.add_argument("--text", default=TEXT, help="what the /coach command says (e.g. 'help')")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    print(f"pinned to CPU {pin_cpu(args.cpu)} (the bench pins itself for steady figures); /coach {args.text}")
    TEXT = args.text
    pg = None if args.no_postgres else start_postgres()
    try:
        asyncio.run(main(args.requests, args.concurrency, args.stall, pg[1] if pg else None))
    finally:
        if pg is not None:
            pg[0].stop()
