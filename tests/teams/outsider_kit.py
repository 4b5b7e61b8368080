"""Shared by the Teams outsider tests: the owner's deal with its planted secrets, activities
from outsiders of every kind, and what the coach sent back."""

from __future__ import annotations

import json
from typing import Any

from tests.teams.conftest import TENANT_A, Bot, card_of, message

DEAL = "Woodgrove EA renewal"
BUDGET, WALKAWAY, CODE = "4837291", "5219463", "QUOKKA-5519"
SECRETS = [BUDGET, "4,837,291", "4.8M", "4.84M", WALKAWAY, "5,219,463", "5.2M", "5.22M", CODE, "Woodgrove"]
OWNER_SETUP = [
    f"deal new {DEAL}",
    f"set budget_per_year: ${BUDGET}",
    f"set walk_threshold_per_year: ${WALKAWAY}",
    f"note {CODE} is our fallback if Microsoft holds",
]
OTHER_TENANT = "33333333-3333-3333-3333-333333333333"
GROUP = "19:group-ext@thread.v2"


def leaked(*texts: Any) -> list[str]:
    blob = "\n".join(t if isinstance(t, str) else json.dumps(t, default=str) for t in texts)
    return [s for s in SECRETS if s in blob]


async def plant(bot: Bot) -> None:
    """The owner (aad-user-1 of tenant A) starts the deal in their 1:1 chat and tells it the
    budget, walk-away and a note; the last answer shows the secret is there to find."""
    for text in OWNER_SETUP:
        status, _ = await bot.post(message(bot.connector, text))
        assert status == 202
    await bot.post(message(bot.connector, "show deal"))
    assert "4.84M" in json.dumps(card_of(bot.connector.messages[-1]))


def from_outsider(act: dict[str, Any], who: str, n: int) -> dict[str, Any]:
    """Make `act` come from an outsider of kind `who` (its own sender id, so no cache helps)."""
    person = {"id": f"29:out-{who}-{n}", "name": "Someone Else", "aadObjectId": f"aad-out-{who}-{n}"}
    if who == "other-tenant":
        person["tenantId"] = OTHER_TENANT
    elif who == "guest-payload":
        person["userRole"] = "guest"
    elif who == "anonymous":
        person = {"id": f"29:anon-{n}", "name": "Guest (Unverified)"}
    elif who == "bot":
        person = {"id": f"28:other-bot-{n}", "name": "Some bot", "role": "bot"}
    elif who == "cross-tenant-chat":
        act["channelData"] = {"tenant": {"id": OTHER_TENANT}}
    act["from"] = person
    return act


def card_submit(bot: Bot, payload: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return message(bot.connector, "", value=payload, **kw)


def card_execute(bot: Bot, payload: dict[str, Any], **kw: Any) -> dict[str, Any]:
    act = message(bot.connector, "", **kw)
    del act["text"]
    verb = str(payload.get("intent"))
    act.update(
        type="invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": verb, "data": payload}, "trigger": "manual"},
    )
    return act


def leak_check(bot: Bot, text: str, **kw: Any) -> dict[str, Any]:
    act = message(bot.connector, "", **kw)
    del act["text"]
    act.update(
        type="invoke",
        name="composeExtension/submitAction",
        value={
            "commandId": "leakCheck",
            "commandContext": "message",
            "messagePayload": {"id": "m-1", "body": {"contentType": "html", "content": f"<p>{text}</p>"}},
        },
    )
    return act


def in_group(bot: Bot, text: str, **kw: Any) -> dict[str, Any]:
    return message(
        bot.connector, text, conversation=GROUP, kind="groupChat", mention=True, tenant=TENANT_A, **kw
    )
