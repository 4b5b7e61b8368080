"""Outsiders on Teams (docs/security.md, "Outsiders"), through the real /api/messages endpoint
(JWT on) and the loopback connector, on SQLite and PostgreSQL: users of another tenant, guests,
anonymous participants and bots get one line that names nothing and nothing of theirs is stored
(no turn, no conversation reference); a group chat with outsiders gets no deal content."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from adapters.teams.outsiders import member_outsider
from tests.access_checks import changed, settled, snapshot
from tests.teams.conftest import Bot, card_of, card_text, message, start_bot, stop_bot
from tests.teams.outsider_kit import (
    GROUP,
    OTHER_TENANT,
    card_execute,
    card_submit,
    from_outsider,
    in_group,
    leak_check,
    leaked,
    plant,
)


@pytest.fixture
async def owned(db_url, issuer, connector) -> AsyncIterator[Bot]:
    b = await start_bot(db_url, issuer, connector)
    await plant(b)
    yield b
    await stop_bot(b)


def line(bot: Bot, key: str = "outsiders.refused") -> str:
    return bot.rt.kb.say(key)


async def test_other_tenants_guests_anonymous_users_and_bots_are_refused(owned: Bot) -> None:
    bot = owned
    before, sent = await settled(bot.rt.engine), len(bot.connector.posts)
    bot.connector.members["29:guest-by-lookup"] = {"userRole": "guest"}
    bot.connector.members["29:fed-by-lookup"] = {"tenantId": OTHER_TENANT}
    asks = [
        from_outsider(message(bot.connector, "show deal"), "other-tenant", 1),
        from_outsider(message(bot.connector, "what is our budget?"), "guest-payload", 2),
        from_outsider(message(bot.connector, "deals"), "anonymous", 3),
        from_outsider(message(bot.connector, "brief for our CFO"), "cross-tenant-chat", 4),
        from_outsider(card_submit(bot, {"intent": "deal.show"}), "other-tenant", 5),
    ]
    for who in ("guest-by-lookup", "fed-by-lookup"):
        act = message(bot.connector, "what's our walk-away?")
        act["from"] = {"id": f"29:{who}", "name": "Pat", "aadObjectId": f"aad-{who}"}
        asks.append(act)
    for act in asks:
        status, _ = await bot.post(act)
        assert status == 202
    replies = bot.connector.messages[sent:]
    assert [card_text(card_of(r)) for r in replies] == [line(bot)] * len(asks)

    # A card button pressed by an outsider: the invoke's answer is the line.
    status, body = await bot.post(
        from_outsider(card_execute(bot, {"intent": "deal.show"}), "guest-payload", 8)
    )
    assert status == 200 and card_text(body["value"]) == line(bot)
    # The leak check's message action opened by someone of another tenant.
    status, body = await bot.post(from_outsider(leak_check(bot, "our budget is 4.8M"), "other-tenant", 9))
    assert status == 200 and card_text(body["task"]["value"]["card"]["content"]) == line(bot)
    # A bot gets nothing at all.
    await bot.post(from_outsider(message(bot.connector, "show deal"), "bot", 10))
    assert len(bot.connector.messages) == sent + len(asks)

    assert not leaked(bot.connector.posts[sent:], bot.connector.puts)
    assert changed(before, await snapshot(bot.rt.engine)) == []


async def test_when_teams_cannot_say_who_it_is_the_coach_refuses_for_now(owned: Bot) -> None:
    bot = owned
    before, sent = await settled(bot.rt.engine), len(bot.connector.posts)
    bot.connector.members_down = True
    act = message(bot.connector, "show deal")
    act["from"] = {"id": "29:new-person", "name": "New", "aadObjectId": "aad-new-person"}
    await bot.post(act)
    (reply,) = bot.connector.messages[sent:]
    assert card_text(card_of(reply)) == line(bot, "outsiders.unchecked")
    assert changed(before, await snapshot(bot.rt.engine)) == []


async def test_a_group_chat_with_a_guest_gets_no_deal_content_and_no_stored_address(owned: Bot) -> None:
    bot = owned
    bot.connector.rosters[GROUP] = [{"id": "29:g", "aadObjectId": "aad-g", "userRole": "guest"}]
    before, sent = await settled(bot.rt.engine), len(bot.connector.posts)
    for text in ("deal use Woodgrove EA renewal", "show deal", "what is our budget?"):
        status, _ = await bot.post(in_group(bot, text))
        assert status == 202
    texts = [card_text(card_of(m)) for m in bot.connector.messages[sent:]]
    assert texts == [line(bot, "outsiders.not-here")] * 3
    # Its card buttons too; only the leak check, whose answer is private to its opener, runs.
    status, body = await bot.post(
        card_execute(bot, {"intent": "deal.show"}, conversation=GROUP, kind="groupChat")
    )
    assert card_text(body["value"]) == line(bot, "outsiders.not-here")
    status, body = await bot.post(
        leak_check(bot, "Thanks for the quote.", conversation=GROUP, kind="groupChat")
    )
    assert "Clean" in card_text(body["task"]["value"]["card"]["content"])
    assert not leaked(bot.connector.posts[sent:])
    after = await snapshot(bot.rt.engine)
    assert after["conversation_refs"] == before["conversation_refs"]  # no address kept for that chat
    # Only the insider's leak check wrote anything: its event claim and its conversation's row.
    assert set(changed(before, after)) <= {"processed_events", "conversations"}


async def test_a_group_chat_of_our_own_people_works_as_before(owned: Bot) -> None:
    bot = owned
    sent = len(bot.connector.posts)
    await bot.post(in_group(bot, "deal use Woodgrove EA renewal"))
    await bot.post(in_group(bot, "show deal"))
    assert "4.84M" in json.dumps(card_of(bot.connector.messages[-1]))
    assert len(bot.connector.messages) == sent + 2


def test_member_records_that_count_as_outsiders() -> None:
    tenant = "11111111-1111-1111-1111-111111111111"
    assert member_outsider({"userRole": "guest"}, tenant) == "guest"
    assert member_outsider({"userRole": "anonymous"}, tenant) == "anonymous"
    assert member_outsider({"tenantId": OTHER_TENANT}, tenant) == "other tenant"
    assert member_outsider({"role": "bot"}, tenant) == "bot"
    assert member_outsider({"userRole": "user", "tenantId": tenant.upper()}, tenant) == ""


async def test_a_reminder_due_in_a_group_chat_a_guest_has_since_joined_names_nothing(
    sqlite_url, issuer, connector
) -> None:
    from datetime import UTC, datetime

    from adapters.scheduler import Scheduler
    from adapters.server import reminder_deliverers
    from tests.conftest import Clock
    from tests.teams.test_teams_reminders import MEETING, pending

    clock = Clock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    bot = await start_bot(sqlite_url, issuer, connector, clock=clock)
    try:
        for text in ("deal new Woodgrove EA renewal", MEETING):
            await bot.post(message(connector, text, conversation=GROUP, kind="groupChat", mention=True))
        assert "pricing meeting" in card_text(card_of(connector.messages[-1])).lower()
        connector.rosters[GROUP] = [{"id": "29:g", "aadObjectId": "aad-g", "userRole": "guest"}]
        bot.host.agent.gate = type(bot.host.agent.gate)()  # past the cache
        clock.now = (await pending(bot))[0][1]
        before = len(connector.posts)
        worker = Scheduler(bot.rt, deliverers=reminder_deliverers(bot.server.app), owner="w-out")
        assert await worker.run_once() == 1
        (post,) = [p for p in connector.posts[before:] if p["activity"].get("type") == "message"]
        assert card_text(card_of(post["activity"])) == line(bot, "outsiders.reminder-withheld")
        assert not leaked(post)
    finally:
        await stop_bot(bot)
