"""A rehearsal in Teams runs in the chat: Microsoft's lines and the verdicts come back as cards,
and "stop" gives the scorecard."""

from __future__ import annotations

from tests.teams.conftest import Bot, card_of, card_text, message


async def test_a_rehearsal_runs_in_the_teams_chat(bot: Bot) -> None:
    async def say(text: str) -> str:
        status, _ = await bot.post(message(bot.connector, text))
        assert status == 202
        return card_text(card_of(bot.connector.messages[-1]))

    await say("deal new Woodgrove EA renewal")
    opened = await say("role-play the CSM")
    assert "customer success manager" in opened and "Microsoft (customer success manager), opening" in opened
    leak = await say("Honestly our budget is $1.9M for all of this.")
    assert "Gave something away" in leak and "disclosure.budget" in leak
    card = await say("stop")
    assert "0 good, 0 risky, 1 gave something away (1 answer to the customer success manager)" in card
    assert "Three lines to remember" in card
