"""Activities through the real /api/messages endpoint, JWT on, replies recorded by a loopback connector."""

from __future__ import annotations

from tests.teams.conftest import Bot, card_of, card_text, message


async def test_personal_message_gets_a_card_reply(bot: Bot) -> None:
    status, _ = await bot.post(message(bot.connector, "deal new Woodgrove EA renewal"))
    assert status == 202
    (sent,) = bot.connector.messages
    card = card_of(sent)
    assert "Woodgrove EA renewal" in card_text(card)
    assert "Woodgrove EA renewal" in card["fallbackText"]
    assert bot.connector.auth_headers[-1] == "Bearer outgoing-token"
    assert bot.connector.posts[-1]["conversation"] == "a:personal-1"
