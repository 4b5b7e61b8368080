"""Sharing a deal by @mention in Teams (docs/security.md, "Sharing"; docs/teams.md), through the
real /api/messages endpoint (JWT on) and the loopback connector, on SQLite and PostgreSQL.

Teams gives a mention as an entity with the person's channel account id (`29:…`); memberships
are stored under their Entra object id (what a turn's user is on Teams). The adapter resolves
each mention through the connector's member record, so the colleague then finds the deal in
their own 1:1 chat; guests, other tenants' people, tags and people it can't look up are refused
in one line, and nothing changes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.access_checks import snapshot
from tests.teams.conftest import Bot, card_of, card_text, message, start_bot, stop_bot
from tests.teams.outsider_kit import DEAL, OTHER_TENANT, plant

TEAM_CHAT = "19:deal-team@thread.v2"
JANE = {"id": "29:jane", "name": "Jane Doe", "aadObjectId": "aad-jane"}
RAJ = {"id": "29:raj", "name": "Raj Patel", "aadObjectId": "aad-raj"}
ACCESS_TABLES = ("deal_members", "deal_channels", "deal_audit", "events", "tenant_settings")


@pytest.fixture
async def owned(db_url: str, issuer: Any, connector: Any) -> AsyncIterator[Bot]:
    """Ann (aad-user-1) owns the deal, with its budget, from her 1:1 chat. Jane and Raj are
    colleagues of the same tenant; Jane is in the deal team's group chat with Ann."""
    b = await start_bot(db_url, issuer, connector)
    for person in (JANE, RAJ):
        connector.members[person["id"]] = {"name": person["name"], "aadObjectId": person["aadObjectId"]}
    connector.rosters[TEAM_CHAT] = [
        {"id": JANE["id"], "name": JANE["name"], "aadObjectId": JANE["aadObjectId"]}
    ]
    await plant(b)
    yield b
    await stop_bot(b)


def mentioning(act: dict[str, Any], *people: dict[str, str]) -> dict[str, Any]:
    """The activity as Teams sends it: each `@Name` in the text becomes `<at>Name</at>`, with a
    mention entity carrying the person's channel account id (and no object id)."""
    entities = list(act.get("entities") or [])
    for person in people:
        tag = f"<at>{person['name']}</at>"
        act["text"] = act["text"].replace(f"@{person['name']}", tag)
        entities.append(
            {"type": "mention", "text": tag, "mentioned": {"id": person["id"], "name": person["name"]}}
        )
    act["entities"] = entities
    return act


async def say(
    bot: Bot, text: str, *people: dict[str, str], by: dict[str, str] | None = None, **kw: Any
) -> str:
    """One message (from Ann, or `by` in their own 1:1 chat); the text of the card it answers."""
    act = mentioning(message(bot.connector, text, **kw), *people)
    if by is not None:
        act["from"] = dict(by)
        act["conversation"]["id"] = f"a:personal-{by['aadObjectId']}"
    sent = len(bot.connector.messages)
    status, _ = await bot.post(act)
    assert status == 202
    assert len(bot.connector.messages) == sent + 1
    return card_text(card_of(bot.connector.messages[-1]))


def in_team_chat() -> dict[str, Any]:
    return {"conversation": TEAM_CHAT, "kind": "groupChat", "mention": True}


async def access_rows(bot: Bot) -> dict[str, list[str]]:
    snap = await snapshot(bot.rt.engine)
    return {t: snap.get(t, []) for t in ACCESS_TABLES}


async def test_a_member_shares_by_mention_and_the_colleague_sees_it_in_their_own_chat(owned: Bot) -> None:
    bot = owned
    # Before: Jane can't open Ann's deal, and doesn't learn that it exists.
    assert (await say(bot, f"deal use {DEAL}", by=JANE)).startswith(f"I don't know a deal called “{DEAL}”.")

    # Ann, in the deal team's group chat, @mentions the coach and Jane.
    answer = await say(bot, f"deal share {DEAL} with @Jane Doe", JANE, **in_team_chat())
    assert answer.startswith(f"Shared {DEAL} with aad-jane.")
    assert "29:jane" in bot.connector.lookups  # resolved through the connector's member record

    # Jane, in her own 1:1 chat with the coach, now opens it and reads it.
    assert DEAL in await say(bot, f"deal use {DEAL}", by=JANE)
    shown = await say(bot, "show deal", by=JANE)
    assert "4.84M" in shown
    members = await say(bot, f"deal members {DEAL}", by=JANE)
    assert "aad-jane" in members and "aad-user-1" in members

    # "share this deal with @Raj" in Ann's 1:1 chat shares the active deal.
    assert (await say(bot, "share this deal with @Raj Patel", RAJ)).startswith(f"Shared {DEAL} with aad-raj.")
    assert "4.84M" in (await say(bot, f"deal use {DEAL}", by=RAJ)) + await say(bot, "show deal", by=RAJ)

    # Sharing again says so and adds nothing.
    assert (await say(bot, f"deal share {DEAL} with @Jane Doe", JANE, **in_team_chat())) == (
        f"aad-jane can already see {DEAL}."
    )


async def test_unshare_by_mention_takes_the_deal_away(owned: Bot) -> None:
    bot = owned
    await say(bot, f"deal share {DEAL} with @Jane Doe", JANE, **in_team_chat())
    assert "4.84M" in (await say(bot, f"deal use {DEAL}", by=JANE)) + await say(bot, "show deal", by=JANE)

    answer = await say(bot, f"deal unshare {DEAL} from @Jane Doe", JANE, **in_team_chat())
    assert answer == f"aad-jane can no longer see {DEAL}."

    # Jane's chat is still on the deal, but she can no longer open it.
    refused = await say(bot, "show deal", by=JANE)
    assert refused == bot.rt.kb.say("access.not-yours")
    assert (await say(bot, f"deal use {DEAL}", by=JANE)).startswith(f"I don't know a deal called “{DEAL}”.")
    audit = await say(bot, f"deal audit {DEAL}")
    assert "share aad-jane" in audit and "unshare aad-jane" in audit


@pytest.mark.parametrize(
    ("record", "why"),
    [
        ({"userRole": "guest"}, "outside"),
        ({"tenantId": OTHER_TENANT}, "outside"),
        ({"userRole": "anonymous"}, "outside"),
        ({"aadObjectId": None}, "outside"),
    ],
    ids=["guest", "other-tenant", "anonymous", "no-object-id"],
)
async def test_a_guest_or_another_tenants_person_is_refused_and_nothing_changes(
    owned: Bot, record: dict[str, Any], why: str
) -> None:
    bot = owned
    pat = {"id": "29:pat", "name": "Pat Vendor"}
    bot.connector.members["29:pat"] = {"name": "Pat Vendor", "aadObjectId": "aad-pat", **record}
    before = await access_rows(bot)
    for text, where in (
        (f"deal share {DEAL} with @Pat Vendor", {}),
        ("share this deal with @Pat Vendor", {}),
        (f"deal unshare {DEAL} from @Pat Vendor", {}),
    ):
        answer = await say(bot, text, pat, **where)
        assert answer == bot.rt.kb.say(f"access.mention-{why}", people="Pat Vendor")
    # Sharing with a colleague and the guest at once changes nothing either.
    answer = await say(bot, f"deal share {DEAL} with @Jane Doe and @Pat Vendor", JANE, pat)
    assert answer == bot.rt.kb.say("access.mention-outside", people="Pat Vendor")
    assert await access_rows(bot) == before
    assert (await say(bot, f"deal use {DEAL}", by=JANE)).startswith("I don't know a deal called")


async def test_a_mention_the_lookup_cannot_resolve_gets_a_clear_line_and_changes_nothing(owned: Bot) -> None:
    bot = owned
    ghost = {"id": "29:ghost", "name": "Sam Elsewhere"}
    bot.connector.absent.add("29:ghost")  # not a member of this conversation: the connector says 404
    await say(bot, f"deal share {DEAL} with @Jane Doe", JANE)
    before = await access_rows(bot)
    for text in (
        f"deal share {DEAL} with @Sam Elsewhere",
        f"deal unshare {DEAL} from @Jane Doe @Sam Elsewhere",
    ):
        answer = await say(bot, text, ghost, JANE) if "unshare" in text else await say(bot, text, ghost)
        assert answer == bot.rt.kb.say("access.mention-unknown", people="Sam Elsewhere")
    # A tag (or a channel, a team) is no one person.
    tag = {"id": "19:tag-sales@thread.tag", "name": "Sales"}
    assert await say(bot, "share this deal with @Sales", tag) == bot.rt.kb.say(
        "access.mention-not-a-person", people="Sales"
    )
    assert await access_rows(bot) == before
    # Jane is still a member: the unshare that named someone unresolvable did nothing.
    assert "4.84M" in (await say(bot, f"deal use {DEAL}", by=JANE)) + await say(bot, "show deal", by=JANE)

    # The connector down: the same line, nothing changes. (Ann's own record is cached.)
    before = await access_rows(bot)  # Jane's read of the budget was audited, as it should be
    bot.connector.members_down = True
    assert await say(bot, f"deal share {DEAL} with @Raj Patel", RAJ) == bot.rt.kb.say(
        "access.mention-unknown", people="Raj Patel"
    )
    assert await access_rows(bot) == before


async def test_the_coachs_own_mention_is_no_one_to_share_with(owned: Bot) -> None:
    bot = owned
    # The bot's mention anywhere in the message is not a person to share with.
    act = message(
        bot.connector, f"deal share {DEAL} with <at>Deal Coach</at>", conversation=TEAM_CHAT, kind="groupChat"
    )
    act["entities"] = [
        {
            "type": "mention",
            "text": "<at>Deal Coach</at>",
            "mentioned": {"id": act["recipient"]["id"], "name": "Deal Coach"},
        }
    ]
    before = await access_rows(bot)
    status, _ = await bot.post(act)
    assert status == 202
    assert card_text(card_of(bot.connector.messages[-1])) == bot.rt.kb.say("access.who", deal=DEAL)
    assert await access_rows(bot) == before
    assert json.dumps(bot.connector.lookups).count("28:") == 0  # the bot itself is never looked up


async def test_a_typed_id_is_not_a_mention(owned: Bot) -> None:
    """Only Teams' own mention entities name a person: text typed to look like one is not."""
    bot = owned
    before = await access_rows(bot)
    answer = await say(bot, f"deal share {DEAL} with <@aad-jane>")
    assert answer == bot.rt.kb.say("access.mention", deal=DEAL)
    assert await access_rows(bot) == before
