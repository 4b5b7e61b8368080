"""What /slack/events checks before Bolt: the whole body however it arrives, UTF-8, a shape
Bolt can handle. Bad input gets a 4xx (or a quick 200) and changes nothing."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from bot.db.models import ProcessedEvent, Tenant
from tests.slack.fakes import command, event, interaction, signed
from tests.slack.wire import raw_post

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


async def _rows(rt) -> int:
    async with rt.sessions() as s:
        return (await s.scalar(select(func.count()).select_from(Tenant))) + (
            await s.scalar(select(func.count()).select_from(ProcessedEvent))
        )


async def _send(slack, body: bytes, content_type: str, **kw) -> tuple[int, bytes]:
    return await raw_post(slack.server.host, slack.server.port, body, signed(body, content_type), **kw)


def _button(size: int) -> bytes:
    """A block_actions payload of about `size` bytes (Slack sends the whole message back)."""
    blocks: list[dict] = []
    while True:
        body = interaction(
            {
                "type": "block_actions",
                "team": {"id": "T1"},
                "user": {"id": "U1"},
                "channel": {"id": "C1"},
                "container": {"type": "message", "channel_id": "C1", "message_ts": "1.1"},
                "message": {"ts": "1.1", "text": "answer", "blocks": blocks},
                "actions": [{"action_id": "coach.other", "block_id": "b", "value": "{}"}],
                "trigger_id": "trig.button",
            }
        )
        if len(body) >= size:
            return body
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "x" * 40}})


async def test_a_slash_command_in_two_segments_50_ms_apart_is_served(slack, fake):
    body = command("help")
    assert 100 < len(body) < 400
    status, _ = await _send(slack, body, FORM, cuts=[50], pause=0.05)
    assert status == 200
    (post,) = await fake.wait_for("chat.postMessage")
    assert post["channel"] == "C1"


async def test_a_button_payload_split_at_1400_bytes_is_served(slack, fake):
    body = _button(3600)
    assert 3600 <= len(body) < 3800
    status, _ = await _send(slack, body, FORM, cuts=[1400, 2800], pause=0.05)
    assert status == 200
    await fake.wait_for("chat.update")  # the clicked message lost its buttons: the action ran


async def test_a_body_in_many_small_segments_and_a_chunked_stream_are_served(slack, fake):
    body = command("help", channel="C7")
    status, _ = await _send(slack, body, FORM, cuts=list(range(10, len(body), 10)), pause=0.01)
    assert status == 200

    async def trickle():  # chunked transfer encoding, no Content-Length
        for start in range(0, len(body2), 40):
            await asyncio.sleep(0.02)
            yield body2[start : start + 40]

    body2 = command("help", channel="C8")
    async with slack.session.post(
        slack.server.make_url("/slack/events"), data=trickle(), headers=signed(body2, FORM)
    ) as resp:
        assert resp.status == 200
    posts = await fake.wait_for("chat.postMessage", 2)
    assert sorted(p["channel"] for p in posts) == ["C7", "C8"]


def _big_event(size: int) -> bytes:
    # A channel message the coach ignores (not a DM): only the reading is under test.
    inner = {"type": "message", "channel_type": "channel", "channel": "C1", "user": "U1"}
    inner["text"] = "y" * (size - len(event(inner)))
    return event(inner, event_id=f"Ev-big-{size}")


async def test_400_kb_in_one_write_is_read_whole_and_600_kb_is_413(slack, fake, caplog):
    body = _big_event(400 * 1024)
    status, _ = await _send(slack, body, JSON)
    assert status == 200
    too_big = _big_event(600 * 1024)
    status, _ = await _send(slack, too_big, JSON)
    assert status == 413
    # Declared too large: refused from the header, before the body is read.
    headers = {**signed(b"", JSON), "Content-Length": str(600 * 1024)}
    status, _ = await raw_post(slack.server.host, slack.server.port, b"", headers)
    assert status == 413

    async def stream():  # chunked, no Content-Length: past the limit while streaming, 413 as well
        for start in range(0, len(too_big), 65536):
            await asyncio.sleep(0.005)
            yield too_big[start : start + 65536]

    async with slack.session.post(
        slack.server.make_url("/slack/events"), data=stream(), headers=signed(too_big, JSON)
    ) as resp:
        assert resp.status == 413
    # Only the 400 KB event reached Bolt, read whole; a message longer than Slack's 40,000
    # characters is acknowledged by the shape check (adapters/slack/payloads.py), unanswered.
    assert fake.calls == []
    assert caplog.text.count("unexpected shape acknowledged: event_callback (event.message.text)") == 1


async def test_a_signed_body_that_is_not_utf8_is_a_400_with_its_own_log_line(slack, fake, caplog):
    caplog.set_level(logging.INFO)
    body = command("help").replace(b"help", b"he\xffp")
    status, _ = await _send(slack, body, FORM)
    assert status == 400
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("coach")]
    assert "slack request refused: signed, but the body is not UTF-8" in messages
    assert not any("signature" in m and "UTF-8" not in m for m in messages)
    assert slack.done == [] and fake.calls == []


def _view(view: dict) -> bytes:
    return interaction({"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1"}, "view": view})


BAD = {
    "json array": (b"[]", JSON),
    "json string": (b'"x"', JSON),
    "json number": (b"42", JSON),
    "json broken": (b'{"type": "event_callback", "event": {', JSON),
    "form payload empty": (b"payload=", FORM),
    "form payload truncated": (b"payload=%7B%22type%22%3A%22block_act", FORM),
    "form payload a list": (b"payload=%5B1%2C2%5D", FORM),
    "view_submission without view.type": (_view({"callback_id": "coach.modal.favor"}), FORM),
    "view_submission with a view string": (_view("coach.modal.favor"), FORM),  # type: ignore[arg-type]
    "event_callback without an event": (
        json.dumps({"type": "event_callback", "team_id": "T1"}).encode(),
        JSON,
    ),
    "block_actions with no actions": (
        interaction({"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1"}, "actions": []}),
        FORM,
    ),
    "team id a number": (event({"type": "app_mention", "channel": "C1"}, team=7), JSON),  # type: ignore[arg-type]
    "user a list": (
        interaction({"type": "shortcut", "callback_id": "x", "team": {"id": "T1"}, "user": ["U1"]}),
        FORM,
    ),
    "50,000-deep JSON": (b'{"a":' * 50_000 + b"1" + b"}" * 50_000, JSON),
    "500-deep JSON in an event": (
        b'{"type":"event_callback","team_id":"T1","event":{"type":"x","a":' + b"[" * 500 + b"]" * 500 + b"}}",
        JSON,
    ),
    "tokens_revoked with tokens null": (event({"type": "tokens_revoked", "tokens": None}), JSON),
    "a message event whose user is an object": (
        event({"type": "message", "channel": "D1", "user": {"id": "U1"}}),
        JSON,
    ),
    "an event without a workspace": (
        json.dumps({"type": "event_callback", "event": {"type": "app_mention", "channel": "C1"}}).encode(),
        JSON,
    ),
    "a command without a name": (urlencode({"command": "", "team_id": "T1"}).encode(), FORM),
}


@pytest.mark.parametrize("case", list(BAD))
async def test_malformed_signed_bodies_get_a_400_and_change_nothing(slack, fake, case, caplog):
    caplog.set_level(logging.DEBUG)
    body, content_type = BAD[case]
    resp = await slack.post(body, content_type)
    assert resp.status == 400
    await asyncio.sleep(0.05)
    assert slack.done == [] and fake.calls == [] and await _rows(slack.rt) == 0
    refused = [r.getMessage() for r in caplog.records if r.getMessage().startswith("slack request refused")]
    assert len(refused) == 1
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_a_modal_field_of_the_wrong_type_is_acknowledged_and_never_reaches_the_listener(
    slack, fake, caplog
):
    # A modal field value of the wrong type: the shape check answers before any listener runs.
    state = {"values": {"who": {"w": {"type": "plain_text_input", "value": 5}}}}
    view = {"type": "modal", "id": "V1", "callback_id": "coach.modal.favor", "state": state}
    started = time.monotonic()
    status, answer = await _send(slack, _view(view), FORM)
    assert (status, answer) == (200, b"")  # a clean ack: Slack closes the modal
    assert time.monotonic() - started < 1.0
    assert slack.done == [] and fake.calls == [] and await _rows(slack.rt) == 0
    assert "unexpected shape acknowledged: view_submission (view.state.values.*.*.value)" in caplog.text
    assert "listener failed" not in caplog.text


async def test_a_slash_command_of_an_unexpected_shape_gets_one_short_line(slack, fake, caplog):
    body = urlencode({"command": "/coach", "team_id": "T1", "user_id": "U1", "channel_id": "C1"}).encode()
    status, answer = await _send(slack, body, FORM)  # no trigger_id: not a command Slack sends
    assert status == 200
    assert json.loads(answer)["text"].startswith("I couldn't read that request from Slack.")
    assert slack.done == [] and fake.calls == [] and await _rows(slack.rt) == 0
    assert "unexpected shape acknowledged: command (trigger_id)" in caplog.text


async def test_a_listener_failing_before_ack_gets_a_quick_clean_answer(slack, fake, caplog, monkeypatch):
    from adapters.slack import modals

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the modal checks")

    monkeypatch.setattr(modals, "validate", broken)  # the listener raises before it acks
    state = {"values": {"name": {"n": {"type": "plain_text_input", "value": "Woodgrove"}}}}
    view = {"type": "modal", "id": "V1", "callback_id": "coach.modal.new_deal", "state": state}
    started = time.monotonic()
    resp = await slack.post(_view(view), FORM)
    assert resp.status == 200
    assert time.monotonic() - started < 1.0  # not Bolt's 3 s wait for an ack
    assert slack.done == [] and await _rows(slack.rt) == 0
    assert "slack listener failed: RuntimeError" in caplog.text
    assert "Traceback" not in caplog.text


async def test_a_turn_failing_right_after_ack_still_gets_a_quick_200(slack, fake, caplog):
    async def broken(turn):
        raise RuntimeError("the database is down")

    slack.rt.coach.handle = broken
    started = time.monotonic()
    resp = await slack.post(command("help"), FORM)
    dm = {"type": "message", "channel_type": "im", "user": "U1", "text": "hi", "channel": "D1"}
    resp2 = await slack.post(event(dm, event_id="Ev-broken"), JSON)
    # Bolt alone: 404 after waiting 3 s for an ack it had cleared (and Slack retries the event).
    assert (resp.status, resp2.status) == (200, 200)
    assert time.monotonic() - started < 1.0
    # The turns were acknowledged into the inbox; its worker runs them, fails, and keeps them to
    # retry (adapters/inbox.py), logging the failure by type only.
    async with asyncio.timeout(5):
        while caplog.text.count("(slack) failed (RuntimeError)") < 2:  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_a_command_mentioning_payload_is_answered(slack, fake):
    # Bolt alone reads any form containing "payload" as an interaction, finds none, and drops it.
    resp = await slack.post(command("what goes in the payload of the renewal?", channel="C5"), FORM)
    assert resp.status == 200
    (post,) = await fake.wait_for("chat.postMessage")
    assert post["channel"] == "C5"
