"""Shared by the Slack outsider tests: the owner's deal with its planted secrets, request bodies
from outsiders on every surface, and the checks that nothing reached them or the database."""

from __future__ import annotations

import json
from typing import Any

from tests.slack.fakes import command, event, interaction, signed

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
DEAL = "Woodgrove EA renewal"
# The planted secret: a budget and a walk-away nobody would type by chance, and a note's code
# word, in every form a reply could show them.
BUDGET, WALKAWAY, CODE = "4837291", "5219463", "QUOKKA-5519"
SECRETS = [BUDGET, "4,837,291", "4.8M", "4.84M", WALKAWAY, "5,219,463", "5.2M", "5.22M", CODE, "Woodgrove"]
OWNER_SETUP = [
    f"deal new {DEAL}",
    f"set budget_per_year: ${BUDGET}",
    f"set walk_threshold_per_year: ${WALKAWAY}",
    f"note {CODE} is our fallback if Microsoft holds",
]


def leaked(*texts: Any) -> list[str]:
    """The secrets found in any of these (JSON-dumped when not text)."""
    blob = "\n".join(t if isinstance(t, str) else json.dumps(t, default=str) for t in texts)
    return [s for s in SECRETS if s in blob]


async def plant(slack: Any, fake: Any, channel: str = "C1") -> None:
    """The owner (U1 of T1) starts the deal and tells it the budget, walk-away and a note."""
    for n, text in enumerate(OWNER_SETUP, 1):
        await slack.post(command(text, channel=channel), FORM)
        await slack.turns(n)
    shown = (await fake.wait_for("chat.postMessage", len(OWNER_SETUP)))[-1]
    assert CODE in json.dumps(shown) or "Logged" in shown["text"] or "Noted" in shown["text"]


async def post(slack: Any, body: bytes, content_type: str) -> tuple[int, str]:
    """A signed request; the status and the body of Slack's ack (what the sender sees for a
    slash command or a modal)."""
    url = slack.server.make_url("/slack/events")
    async with slack.session.post(url, data=body, headers=signed(body, content_type)) as resp:
        return resp.status, await resp.text()


def mention(text: str, *, user: str, event_id: str, channel: str = "C1", **fields: Any) -> bytes:
    inner = {"type": "app_mention", "user": user, "text": f"<@UBOT> {text}", "channel": channel, "ts": "5.5"}
    return event({**inner, **fields}, event_id=event_id)


def dm(text: str, *, user: str, event_id: str, **fields: Any) -> bytes:
    inner = {"type": "message", "channel_type": "im", "user": user, "text": text, "channel": "D9"}
    return event({**inner, **fields}, event_id=event_id)


def with_top(body: bytes, **fields: Any) -> bytes:
    """An event body with extra top-level fields (e.g. is_ext_shared_channel)."""
    return json.dumps({**json.loads(body), **fields}).encode()


def button(payload: dict[str, Any], *, user: str, team: str = "T1", channel: str = "C1") -> bytes:
    value = json.dumps(payload)
    return interaction(
        {
            "type": "block_actions",
            "team": {"id": team},
            "user": {"id": user, "team_id": team},
            "api_app_id": "A1",
            "channel": {"id": channel},
            "container": {"type": "message", "message_ts": "7.7", "channel_id": channel},
            "message": {"ts": "7.7", "text": "x", "blocks": []},
            "actions": [{"action_id": "coach.act.0", "block_id": "coach.actions.0", "value": value}],
        }
    )


def shortcut(text: str, *, user: str, team: str = "T1", channel: str = "C1") -> bytes:
    return interaction(
        {
            "type": "message_action",
            "callback_id": "check_before_sending",
            "team": {"id": team},
            "user": {"id": user, "team_id": team},
            "channel": {"id": channel},
            "message": {"ts": "8.8", "text": text},
        }
    )


def submission(name: str, *, user: str, team: str = "T1", channel: str = "C1", view_id: str = "V1") -> bytes:
    return interaction(
        {
            "type": "view_submission",
            "team": {"id": team},
            "user": {"id": user, "team_id": team},
            "api_app_id": "A1",
            "view": {
                "id": view_id,
                "type": "modal",
                "hash": "h1",
                "callback_id": "coach.modal.new_deal",
                "private_metadata": json.dumps({"channel": channel, "thread_ts": None}),
                "state": {"values": {"name": {"name": {"value": name}}}},
            },
        }
    )


def home_opened(*, user: str, event_id: str) -> bytes:
    return event({"type": "app_home_opened", "user": user, "channel": "D9", "tab": "home"}, event_id=event_id)


def slash(text: str, *, user: str, team: str = "T1", channel: str = "C1") -> bytes:
    return command(text, user=user, team=team, channel=channel)
