"""Fuzz /slack/events with validly signed bodies of random shape (fixed seed): no 5xx, no
traceback in any log, and no request content in any log line (every string in every body
carries a marker). Some bodies arrive split over several TCP segments."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import Counter

from tests.slack.fakes import signed
from tests.slack.fuzz_bodies import MARK, Bodies
from tests.slack.wire import raw_post

BODIES = 2_400
SEED = 20261130


async def test_random_signed_bodies_never_get_a_5xx_or_leak_into_logs(slack, fake, caplog):
    # Everything at INFO, as `coach serve` logs; the Slack surface and its libraries at DEBUG.
    caplog.set_level(logging.INFO)
    for name in ("coach.slack", "slack_bolt", "slack_sdk", "aiohttp.server", "aiohttp.web"):
        caplog.set_level(logging.DEBUG, logger=name)
    bodies = Bodies(SEED)
    statuses: Counter[int] = Counter()
    kinds: Counter[str] = Counter()
    split = 0
    started = time.monotonic()
    url = slack.server.make_url("/slack/events")
    for n in range(BODIES):
        raw, content_type, kind = bodies.next()
        kinds[kind] += 1
        headers = signed(raw, content_type) if content_type else signed(raw, "x")
        if not content_type:
            del headers["Content-Type"]
        if n % 10 == 0 and len(raw) > 2:  # one in ten over the wire in pieces
            cuts = sorted(bodies.r.sample(range(1, len(raw)), min(3, len(raw) - 1)))
            status, _ = await raw_post(
                slack.server.host, slack.server.port, raw, headers, cuts=cuts, pause=0.002
            )
            split += 1
        else:
            async with slack.session.post(url, data=raw, headers=headers) as resp:
                await resp.read()
                status = resp.status
        statuses[status] += 1
    sent = time.monotonic() - started
    # Let the turns started by the well-formed bodies finish before reading the logs.
    settled = -1
    async with asyncio.timeout(60):
        while settled != len(slack.done):
            settled = len(slack.done)
            await asyncio.sleep(0.5)
    failed = Counter(r.getMessage() for r in caplog.records if "failed" in r.getMessage())
    print(
        f"\nfuzz: failures after ack {dict(failed)}; {BODIES} bodies ({dict(kinds)}), "
        f"{split} split over segments, statuses "
        f"{dict(sorted(statuses.items()))}, {len(slack.done)} turns, sent in {sent:.1f} s, "
        f"{time.monotonic() - started:.1f} s in all"
    )
    assert not [m for m in failed if "listener failed" in m]  # no listener saw a payload of the wrong shape
    assert not failed  # nor did anything else fail after the ack
    assert sum(statuses.values()) == BODIES
    assert not [s for s in statuses if s >= 500]
    assert statuses[200] > BODIES // 10 and statuses[400] > BODIES // 10  # both paths exercised
    assert len(slack.done) > 50  # some bodies were real turns

    records = [
        r
        for r in caplog.records
        # The loopback Slack's own access log shows the Web API calls our server made to it.
        if not (r.name == "aiohttp.access" and "/slack/events" not in r.getMessage())
    ]
    assert any(r.name == "coach.slack" for r in records)
    assert not [r for r in records if r.exc_info or r.exc_text or r.stack_info]

    # The access line names a request by Slack's event_id on purpose (an opaque id, checked to
    # be a plain token): that field aside, no request content may appear anywhere.
    def said(r: logging.LogRecord) -> str:
        msg = r.getMessage()
        return re.sub(r" id=\S+", "", msg) if r.name == "coach.access" else msg

    leaked = [f"{r.name}: {said(r)[:200]}" for r in records if MARK in said(r)]
    assert leaked == []
    assert "Traceback" not in caplog.text
