"""Sharing a deal in Slack, through signed requests to the real app: a colleague in the same
workspace sees nothing of it (chat, App Home) until a member mentions them in `share this deal
with @person`; the mention arrives as `<@U2>` and the user id is what is stored."""

from __future__ import annotations

import json
import logging

from tests.slack.fakes import command, event

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
DEAL = "Woodgrove EA renewal"


def _mention(text: str, user: str, event_id: str) -> bytes:
    inner = {"type": "app_mention", "user": user, "text": text, "channel": "C1", "ts": f"{event_id}.1"}
    return event(inner, event_id=event_id)


async def test_a_colleague_sees_a_deal_only_once_a_member_mentions_them_in_a_share(slack, fake, caplog):
    caplog.set_level(logging.DEBUG)
    await slack.post(command(f"deal new {DEAL}", user="U1"), FORM)
    await slack.post(command("set budget per year: 7654321", user="U1"), FORM)
    await fake.wait_for("chat.postMessage", 2)

    await slack.post(_mention("<@UBOT> deal show", "U2", "Ev-u2-show"), JSON)
    (*_, refused) = await fake.wait_for("chat.postMessage", 3)
    assert refused["text"].startswith("I can't open the deal this conversation is on")
    assert DEAL not in json.dumps(refused) and "7.65" not in json.dumps(refused)

    await slack.post(event({"type": "app_home_opened", "user": "U2", "channel": "D2", "tab": "home"}), JSON)
    (home,) = await fake.wait_for("views.publish")
    assert DEAL not in json.dumps(home["view"]["blocks"])

    await slack.post(_mention("<@UBOT> share this deal with <@U2>", "U1", "Ev-share"), JSON)
    (*_, shared) = await fake.wait_for("chat.postMessage", 4)
    assert shared["text"].startswith(f"Shared {DEAL} with <@U2>.")

    await slack.post(_mention("<@UBOT> deal show", "U2", "Ev-u2-again"), JSON)
    (*_, shown) = await fake.wait_for("chat.postMessage", 5)
    assert shown["text"].startswith(DEAL) and "budget_per_year" in json.dumps(shown["blocks"])
    home_again = event(
        {"type": "app_home_opened", "user": "U2", "channel": "D2", "tab": "home"}, event_id="Ev-home2"
    )
    await slack.post(home_again, JSON)
    (_, home) = await fake.wait_for("views.publish", 2)
    assert DEAL in json.dumps(home["view"]["blocks"])
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert "7654321" not in logged and "7.65" not in logged and "7,654,321" not in logged
