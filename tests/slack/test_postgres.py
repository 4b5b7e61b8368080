"""Two servers, one PostgreSQL: the same event delivered to both → one reply."""

from __future__ import annotations

import asyncio

from tests.slack.fakes import event

JSON = "application/json"


async def test_two_servers_on_one_postgres_reply_once(start_slack, pg_url, fake):
    one = await start_slack(pg_url)
    two = await start_slack(pg_url)
    assert one.server.port != two.server.port
    dm = {
        "type": "message",
        "channel_type": "im",
        "user": "U1",
        "text": "deal new Twin",
        "channel": "D1",
        "ts": "1",
    }
    body = event(dm, event_id="Ev-twin")
    # Deliver to both at once, twice each (a retry to each process as well).
    await asyncio.gather(
        one.post(body, JSON),
        two.post(body, JSON, **{"X-Slack-Retry-Num": "1"}),
        one.post(body, JSON, **{"X-Slack-Retry-Num": "2"}),
        two.post(body, JSON, **{"X-Slack-Retry-Num": "3"}),
    )
    # The four deliveries are one inbox row (at most a late retry after it was answered is
    # a second row, whose turn finds the event claimed): one turn with a reply, one post.
    await fake.wait_for("chat.postMessage")
    await asyncio.sleep(0.5)
    assert 1 <= len(one.done + two.done) <= 4
    assert sum(r is not None for r in one.done + two.done) == 1
    (post,) = fake.of("chat.postMessage")
    assert "Started Twin" in post["text"]
