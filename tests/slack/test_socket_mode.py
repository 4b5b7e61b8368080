"""Socket Mode through a loopback WebSocket server: envelopes in, acks and Web API calls out."""

from __future__ import annotations

import asyncio

from tests.slack.fakes import APP_TOKEN


async def _ack(fake, envelope_id: str) -> dict:
    async with asyncio.timeout(10):
        while True:
            msg = await fake.socket_inbox.get()
            if msg.get("envelope_id") == envelope_id:
                return msg


async def test_socket_mode_runs_commands_and_dedups_redeliveries(start_slack, sqlite_url, fake):
    slack = await start_slack(
        sqlite_url, socket_mode=True, SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET=None
    )
    assert [c.token for c in fake.calls if c.method == "apps.connections.open"] == [APP_TOKEN]
    assert all(
        r.resource is None or "/slack/events" not in r.resource.canonical
        for r in slack.server.app.router.routes()
    )
    await fake.socket_outbox.put(
        {
            "envelope_id": "env-1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": {
                "team_id": "T1",
                "channel_id": "C1",
                "user_id": "U1",
                "command": "/coach",
                "text": "deal new Socket Deal",
                "trigger_id": "trig.s1",
                "response_url": fake.response_url(),
            },
        }
    )
    assert (await _ack(fake, "env-1"))["envelope_id"] == "env-1"
    (post,) = await fake.wait_for("chat.postMessage")
    assert "Started Socket Deal" in post["text"]

    dm = {"type": "message", "channel_type": "im", "user": "U1", "text": "help", "channel": "D1", "ts": "1"}
    envelope = {
        "envelope_id": "env-2",
        "type": "events_api",
        "accepts_response_payload": False,
        "payload": {"team_id": "T1", "type": "event_callback", "event_id": "Ev-sock", "event": dm},
    }
    await fake.socket_outbox.put(envelope)
    await fake.socket_outbox.put({**envelope, "envelope_id": "env-3", "retry_attempt": 1})  # a redelivery
    await _ack(fake, "env-2")
    await _ack(fake, "env-3")
    await fake.wait_for("chat.postMessage", 2)  # the answer is posted just after its turn ends
    await asyncio.sleep(0.5)  # …and a redelivery would have posted a third by now
    assert len(fake.of("chat.postMessage")) == 2
    # A redelivery is the same inbox row, or (once answered) a turn that finds the event claimed.
    assert sum(r is not None for r in slack.done) == 2
