"""The deal brief in Teams: the card carries the renewal timeline as an inline PNG and the whole
message stays under Teams' size limit (real Agents SDK endpoint, loopback connector)."""

from __future__ import annotations

import base64
import json
import struct
from typing import Any

from tests.teams.conftest import Bot, card_of, card_text, message

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TEAMS_MESSAGE_LIMIT = 28_000  # bytes for a whole bot message with a card (the safe figure)
TOLD = [
    "deal new Woodgrove EA renewal",
    "we renew on 2027-03-31",
    "we've had 4 rounds with the account team",
    "the sticking point is Copilot price, worth about $300k a year",
    "budget per year: 2400000",
    "the AE said this is their final offer",
    "Sam (AE) promised a Copilot pilot credit",
]


async def _ask(bot: Bot, text: str) -> dict[str, Any]:
    status, _ = await bot.post(message(bot.connector, text))
    assert status in (200, 202)
    return bot.connector.messages[-1]


def _images(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in card["body"] if b.get("type") == "Image"]


async def test_the_brief_card_shows_the_timeline_and_fits_a_teams_message(bot: Bot) -> None:
    for line in TOLD:
        await _ask(bot, line)
    sent = await _ask(bot, "write a one-pager for our CFO")
    card = card_of(sent)
    text = card_text(card)
    assert "Brief for Woodgrove EA renewal" in text and "Summary" in text and "$2.4M" in text
    (image,) = _images(card)
    head, _, b64 = image["url"].partition(",")
    assert head == "data:image/png;base64"
    png = base64.b64decode(b64, validate=True)
    assert png.startswith(PNG_MAGIC)
    assert struct.unpack(">II", png[16:24]) == (720, 256)  # 9 x 3.2 inches at knowledge/brief.yaml's 80 dpi
    assert image["altText"] == "Renewal timeline"
    assert len(json.dumps(sent).encode()) <= TEAMS_MESSAGE_LIMIT
    assert "couldn't go into this card" not in text


async def test_a_brief_card_for_the_ae_has_the_picture_and_no_budget(bot: Bot) -> None:
    for line in TOLD:
        await _ask(bot, line)
    sent = await _ask(bot, "brief for the AE")
    card = card_of(sent)
    raw = json.dumps(card)
    assert "2.4M" not in raw and "2,400,000" not in raw and "Where we stand" not in raw
    (image,) = _images(card)
    assert base64.b64decode(image["url"].partition(",")[2]).startswith(PNG_MAGIC)
    assert len(json.dumps(sent).encode()) <= TEAMS_MESSAGE_LIMIT


async def test_other_answers_carry_no_picture(bot: Bot) -> None:
    await _ask(bot, "deal new Woodgrove EA renewal")
    sent = await _ask(bot, "deal show")
    assert _images(card_of(sent)) == []


def _press(bot: Bot, data: dict[str, Any], title: str) -> dict[str, Any]:
    act = message(bot.connector, "")
    del act["text"]
    action = {"type": "Action.Execute", "title": title, "verb": data["intent"], "data": data}
    act.update(type="invoke", name="adaptiveCard/action", replyToId="card-1", value={"action": action})
    return act


async def test_a_missing_fact_button_brings_the_brief_back_with_its_picture(bot: Bot) -> None:
    await _ask(bot, "deal new Woodgrove EA renewal")
    brief = card_of(await _ask(bot, "exec summary"))
    add = next(a for a in brief["actions"] if a["data"].get("keys") == ["rounds_with_account_team"])
    status, body = await bot.post(_press(bot, add["data"], add["title"]))
    assert status == 200
    question = body["value"]
    (form,) = [a for a in question["actions"] if a["verb"] == "form.answer"]
    (qid,) = form["data"]["_inputs"]
    status, body = await bot.post(_press(bot, {**form["data"], qid: "3"}, form["title"]))
    assert status == 200
    card = body["value"]
    assert "3 rounds with the account team so far." in card_text(card)
    (image,) = _images(card)
    assert base64.b64decode(image["url"].partition(",")[2]).startswith(PNG_MAGIC)
    assert len(json.dumps(body).encode()) <= TEAMS_MESSAGE_LIMIT
