"""Every request is verified: a bad, missing or non-numeric signature or timestamp, or a stale
one, is a 401; nothing reaches the coach, nothing is written, no body is logged."""

from __future__ import annotations

import logging
import time

import pytest
from sqlalchemy import func, select

from bot.db.models import ProcessedEvent, Tenant
from tests.slack.fakes import command, signature, signed

FORM = "application/x-www-form-urlencoded"


async def _rows(rt) -> int:
    async with rt.sessions() as s:
        return (await s.scalar(select(func.count()).select_from(Tenant))) + (
            await s.scalar(select(func.count()).select_from(ProcessedEvent))
        )


def _cases(body: bytes) -> dict[str, dict[str, str]]:
    now = str(int(time.time()))
    old = str(int(time.time()) - 301)
    return {
        "bad signature": {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=" + "0" * 64},
        "signed with another secret": {
            "X-Slack-Request-Timestamp": now,
            "X-Slack-Signature": signature(body, now, secret="not-the-secret"),
        },
        "missing signature": {"X-Slack-Request-Timestamp": now},
        "missing timestamp": {"X-Slack-Signature": signature(body, now)},
        "non-numeric timestamp": {
            "X-Slack-Request-Timestamp": "soon",
            "X-Slack-Signature": signature(body, "soon"),
        },
        "older than 5 minutes": {"X-Slack-Request-Timestamp": old, "X-Slack-Signature": signature(body, old)},
        "from the future": {
            "X-Slack-Request-Timestamp": str(int(now) + 301),
            "X-Slack-Signature": signature(body, str(int(now) + 301)),
        },
    }


@pytest.mark.parametrize("case", list(_cases(b"")))
async def test_unsigned_requests_are_refused_and_leave_no_trace(slack, fake, case, caplog):
    caplog.set_level(logging.DEBUG)
    body = command("deal new Secret Project Falcon")
    headers = {"Content-Type": FORM, **_cases(body)[case]}
    resp = await slack.post(body, FORM, headers=headers)
    assert resp.status == 401
    assert slack.done == []
    assert fake.calls == []
    assert await _rows(slack.rt) == 0
    assert "Falcon" not in caplog.text and "trig." not in caplog.text


async def test_a_correctly_signed_request_gets_through(slack, fake):
    body = command("help")
    resp = await slack.post(body, FORM, headers=signed(body, FORM))
    assert resp.status == 200
    await fake.wait_for("chat.postMessage")
