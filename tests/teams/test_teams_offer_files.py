"""Microsoft's quote attached to a Teams message: the file.download.info attachment's downloadUrl
(served by the loopback connector), read, shown on a card, stored with its button, compared —
through the real Agents SDK endpoint, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from tests.offers import docs
from tests.teams.conftest import Bot, Connector, Issuer, card_of, card_text, message, start_bot, stop_bot

DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"


@pytest.fixture(params=["sqlite", "postgresql"])
def both_url(request) -> str:
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
async def teams(both_url: str, issuer: Issuer, connector: Connector) -> AsyncIterator[Bot]:
    b = await start_bot(both_url, issuer, connector)
    yield b
    await stop_bot(b)


def with_file(connector: Connector, name: str, text: str = "", *, url: str | None = None) -> dict:
    act = message(connector, text)
    act["attachments"] = [
        {
            "contentType": DOWNLOAD_INFO,
            "contentUrl": f"https://contoso.sharepoint.com/personal/ann/Documents/{name}",
            "name": name,
            "content": {
                "downloadUrl": url or f"{connector.url}files/{name}",
                "uniqueId": "1A2B3C",
                "fileType": name.rsplit(".", 1)[-1],
            },
        }
    ]
    return act


def last_card(bot: Bot) -> dict:
    return card_of(bot.connector.messages[-1])


async def press(bot: Bot, card: dict, title: str) -> dict:
    """Press the card's button (an Action.Execute invoke); the answer is the card that replaces it."""
    (data,) = [a["data"] for a in card.get("actions", []) if a.get("title") == title]
    act = message(bot.connector, "")
    del act["text"]
    action = {"type": "Action.Execute", "title": title, "verb": data["intent"], "data": data}
    act.update(type="invoke", name="adaptiveCard/action", replyToId="card-1", value={"action": action})
    status, body = await bot.post(act)
    assert status == 200
    return body["value"]


async def test_an_attached_quote_is_read_shown_and_stored_on_its_button(teams: Bot, caplog) -> None:
    bot = teams
    assert (await bot.post(message(bot.connector, "deal new Woodgrove")))[0] in (200, 201, 202)
    doc = docs.make("xlsx", 40, 6)
    bot.connector.files[doc.name] = doc.data
    with caplog.at_level(logging.DEBUG):
        status, _ = await bot.post(with_file(bot.connector, doc.name, "their latest"))
    assert status in (200, 201, 202)
    assert bot.connector.downloads == [doc.name]
    card = last_card(bot)
    text = card_text(card)
    assert "Read 6 lines from the spreadsheet" in text and doc.lines[0].part in text
    assert doc.lines[0].product not in caplog.text  # no offer content in the logs
    text = card_text(await press(bot, card, "Store as offer 1"))
    assert "Stored as offer 1 from Microsoft (6 lines)" in text

    second = doc.data  # the same quote again: offer 2, nothing moved
    bot.connector.files["again.xlsx"] = second
    await bot.post(with_file(bot.connector, "again.xlsx"))
    await press(bot, last_card(bot), "Store as offer 2")
    await bot.post(message(bot.connector, "what changed in their latest offer?"))
    card = last_card(bot)
    text = card_text(card)
    assert "What changed in offer 2" in text and "Did not move:" in text
    assert any(b.get("type") == "Image" for b in card["body"])  # the totals per round, in the card


async def test_a_bad_attachment_gets_one_line_and_a_foreign_url_is_never_fetched(teams: Bot) -> None:
    bot = teams
    await bot.post(message(bot.connector, "deal new Woodgrove"))
    bot.connector.files["scan.pdf"] = b"%PDF-1.4 nothing readable"
    await bot.post(with_file(bot.connector, "scan.pdf"))
    assert "damaged" in card_text(last_card(bot))
    await bot.post(with_file(bot.connector, "quote.pdf", url="https://evil.example.com/files/quote.pdf"))
    assert "couldn't fetch that file from Teams" in card_text(last_card(bot))
    await bot.post(with_file(bot.connector, "gone.pdf"))  # a link that expired: 404
    assert "couldn't fetch that file from Teams" in card_text(last_card(bot))
    assert bot.connector.downloads == ["scan.pdf", "gone.pdf"]
    await bot.post(message(bot.connector, "show their offers"))
    assert "No offers from Microsoft" in card_text(last_card(bot))
