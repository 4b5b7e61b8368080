"""Transcript: a Slack button whose value does not fit its intent's payload model (a note's
words that are not words, an audience that is no reader) gets one short line in the channel
and writes nothing to the deal; the same request typed as `/coach …` still works."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.actions import MALFORMED
from bot.db.models import DealEvent
from tests.slack.fakes import command, interaction

FORM = "application/x-www-form-urlencoded"


async def _events(slack) -> int:
    async with slack.rt.sessions() as s:
        return await s.scalar(select(func.count()).select_from(DealEvent))


def _press(value: dict, n: int) -> bytes:
    blocks = [{"type": "actions", "block_id": "coach.actions.0", "elements": []}]
    return interaction(
        {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": "U1"},
            "api_app_id": "A1",
            "channel": {"id": "C1"},
            "container": {"type": "message", "message_ts": f"7.{n}"},
            "message": {"ts": f"7.{n}", "text": "an answer", "blocks": blocks},
            "actions": [
                {
                    "type": "button",
                    "action_id": f"coach.a.{n}",
                    "block_id": "coach.actions.0",
                    "value": json.dumps(value),
                    "text": {"type": "plain_text", "text": "Keep it"},
                    "action_ts": f"9.{n}",
                }
            ],
        }
    )


async def test_a_malformed_button_gets_one_line_and_a_typed_command_still_works(slack, fake):
    await slack.post(command("deal new Woodgrove"), FORM)
    await fake.wait_for("chat.postMessage")
    before = await _events(slack)

    for n, value in enumerate(
        [
            {"intent": "note", "rest": {"x": 1}},
            {"intent": "deal.brief", "audience": ["ae"]},
            {"intent": "ms.statement", "rest": "it's final", "asked": {"x": 1}},
        ],
        start=1,
    ):
        assert (await slack.post(_press(value, n), FORM)).status == 200
        posts = await fake.wait_for("chat.postMessage", 1 + n)
        assert posts[n]["text"] == MALFORMED, value
    assert await _events(slack) == before

    await slack.post(command("note AE promised a workshop"), FORM)
    posts = await fake.wait_for("chat.postMessage", 5)
    assert posts[4]["text"].startswith("Noted on Woodgrove.")
    assert await _events(slack) == before + 1
