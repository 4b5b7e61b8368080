"""A follow-up in a Teams chat leans on the chat's dialogue state, through the real
/api/messages endpoint: "should I ask her …" after naming the contact, "and the CSM?"."""

from __future__ import annotations

from tests.teams.conftest import Bot, card_of, card_text, message


async def test_follow_ups_in_a_teams_group_chat(bot: Bot) -> None:
    chat = "19:followups@thread.v2"

    async def say(text: str) -> str:
        await bot.post(message(bot.connector, text, conversation=chat, kind="groupChat"))
        return card_text(card_of(bot.connector.messages[-1]))

    await say("deal new Woodgrove EA renewal")
    await say("Jane Smith is our account executive")
    assert "Jane Smith" in await say("should I ask her for a price hold?")
    assert "account executive" in await say("can I tell the AE our budget?")
    assert "customer success manager" in await say("and the CSM?")
