"""Transcript: a Teams card whose submitted data does not fit its intent's payload model gets
one short line and writes nothing to the deal; the same request typed still works."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.actions import MALFORMED
from bot.db.models import DealEvent
from tests.teams.conftest import Bot, card_of, card_text, message


async def _events(bot: Bot) -> int:
    async with bot.rt.sessions() as s:
        return await s.scalar(select(func.count()).select_from(DealEvent))


async def test_a_malformed_card_gets_one_line_and_a_typed_message_still_works(bot: Bot) -> None:
    await bot.post(message(bot.connector, "deal new Woodgrove EA renewal"))
    before = await _events(bot)
    for value in (
        {"intent": "note", "rest": 7},
        {"intent": "deal.share", "people": {"x": 1}},
        {"intent": "deal.brief", "audience": "not a role!"},
    ):
        status, _ = await bot.post(message(bot.connector, "", value=value))
        assert status == 202
        assert MALFORMED in card_text(card_of(bot.connector.messages[-1])), value
    assert await _events(bot) == before

    await bot.post(message(bot.connector, "note: the AE promised a workshop"))
    assert "Noted on Woodgrove EA renewal." in card_text(card_of(bot.connector.messages[-1]))
    assert await _events(bot) == before + 1
