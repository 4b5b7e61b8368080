"""The leak check's message action, welcome dedup, and slow turns answered past the HTTP response."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.actions import Payload
from bot.context import Context
from bot.features import skills_with
from bot.reply import Reply
from bot.skills import skill
from tests.teams.conftest import APP_ID, Bot, card_of, card_text, message

FLAGGED = "<p>Our CFO has signed off on up to <b>$900k</b>, so if you get close to that we can move fast.</p>"
CLEAN = "<p>Thanks for the proposal. Could you send an itemised quote with unit prices?</p>"


def leak_action(bot: Bot, content: str, data: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    act = message(bot.connector, "", **extra)
    del act["text"]
    value: dict[str, Any] = {
        "commandId": "leakCheck",
        "commandContext": "message",
        "messagePayload": {"id": "m-1", "body": {"contentType": "html", "content": content}},
    }
    if data is not None:
        value["data"] = data
    act.update(type="invoke", name="composeExtension/submitAction", value=value)
    return act


def task_card(body: dict[str, Any]) -> dict[str, Any]:
    assert body["task"]["type"] == "continue"
    attachment = body["task"]["value"]["card"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


# --- the message action reaches the real leak check ----------------------------------------------
async def test_message_action_flags_a_budget_leak(bot: Bot) -> None:
    status, body = await bot.post(leak_action(bot, FLAGGED, {"role": "ae"}))
    assert status == 200
    card = task_card(body)
    text = card_text(card)
    assert card["body"][0]["text"] == "Hold on"  # leakcheck verdict "flagged"
    assert "Rule: " in text and "budget" in text.lower()
    assert bot.connector.posts == []  # the answer is the task module, not a chat message


async def test_message_action_passes_a_clean_message(bot: Bot) -> None:
    status, body = await bot.post(leak_action(bot, CLEAN))  # no form data: the default role
    assert status == 200
    text = card_text(task_card(body))
    assert text.startswith("Clean.") and "Rule: leakcheck.clean" in text


async def test_message_action_uses_typed_text_and_the_chosen_role(bot: Bot) -> None:
    seen = []
    real = bot.rt.coach.handle

    async def spy(turn):
        seen.append(turn)
        return await real(turn)

    bot.rt.coach.handle = spy
    typed = "We have budget left this year."
    status, body = await bot.post(leak_action(bot, CLEAN, {"role": "csm", "message": typed}))
    assert status == 200
    assert seen[0].action == {"intent": "leakcheck", "message": typed, "user_text": typed, "role": "csm"}
    assert task_card(body)["body"][0]["text"] == "Hold on"


async def test_message_action_reads_the_message_as_posted(bot: Bot) -> None:
    # Paragraphs, a bullet list and a quoted reply (<blockquote>) as Teams posts them.
    content = (
        "<p>Hi Jane,</p><p>Thanks for the update. A few points:</p>"
        "<ul><li>Please split out the <b>Copilot</b> line.</li>"
        "<li>Our CIO and Procurement still disagree on the E5 scope.</li></ul>"
        "<p>Best,<br>Tom</p>"
        '<blockquote itemtype="http://schema.skype.com/Reply"><strong>Jane</strong>'
        "<p>We need your signature by 31 December and can approve 12% at my level.</p></blockquote>"
    )
    status, body = await bot.post(leak_action(bot, content, {"role": "ae"}))
    assert status == 200
    card = task_card(body)
    text = card_text(card)
    assert card["body"][0]["text"] == "Hold on"
    assert "leakcheck.internal-split" in text  # our own bullet
    assert "urgency" not in text.casefold() and "approval limits" not in text.casefold()  # Jane's words
    assert "Please split out the Copilot line." in text  # the rewrite keeps the other bullet


async def test_resent_message_action_runs_once(bot: Bot) -> None:
    act = leak_action(bot, FLAGGED, activity_id="leak-resent")
    await bot.post(act)
    status, body = await bot.post(act)
    assert status == 200
    assert card_text(task_card(body)) == "Already checked."


# --- conversationUpdate --------------------------------------------------------------------------
async def test_resent_conversation_update_welcomes_once(bot: Bot) -> None:
    act = message(bot.connector, "", activity_id="join-1", conversation="a:group-7", kind="groupChat")
    act.update(type="conversationUpdate", membersAdded=[{"id": f"28:{APP_ID}"}])
    del act["text"]
    results = await asyncio.gather(bot.post(act), bot.post(act))
    results.append(await bot.post(act))
    assert [status for status, _ in results] == [202, 202, 202]
    assert len(bot.connector.messages) == 1
    assert "Deal Coach" in card_text(card_of(bot.connector.messages[0]))
    again = dict(act, id="join-2")  # removed and added again later: a new welcome
    await bot.post(again)
    assert len(bot.connector.messages) == 2


# --- slow turns --------------------------------------------------------------------------------
SLOW_SECONDS = 3.0


@pytest.fixture
async def slow_llm() -> AsyncIterator[str]:
    """Stands in for an LLM server that takes SLOW_SECONDS to answer."""

    async def complete(request: web.Request) -> web.Response:
        await asyncio.sleep(SLOW_SECONDS)
        return web.json_response({"text": "Dear AE, please hold E5 at today's price."})

    app = web.Application()
    app.router.add_post("/draft", complete)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/draft"))
    await server.close()


class SlowDraft(Payload):
    llm: str


@skill("test.teams.slowdraft", needs_deal=False, payload=SlowDraft)
async def slow_draft(ctx: Context, p: SlowDraft) -> Reply:
    """A drafting turn whose model call is slow; like the real drafter, the call runs after
    the turn's transaction (ctx.defer), holding no database lock."""
    url = p.llm

    async def draft(reply: Reply, _tx: object) -> Reply:
        async with aiohttp.ClientSession() as s, s.post(url, json={}) as r:
            reply.draft = (await r.json())["text"]
        return reply

    ctx.defer(draft)
    return Reply(headline="Here is your draft.", intent="test.teams.slowdraft")


@pytest.fixture
def skills():
    return skills_with(slow_draft)


async def test_slow_turn_answers_http_quickly_then_updates_the_first_reply(bot: Bot, slow_llm: str) -> None:
    host = bot.host
    host.config.typing_after = 0.2
    host.config.first_reply_after = 0.5
    act = message(bot.connector, "", value={"intent": "test.teams.slowdraft", "llm": slow_llm})
    started = time.monotonic()
    status, _ = await bot.post(act)
    took = time.monotonic() - started
    assert status == 202
    assert took < SLOW_SECONDS - 1.0, took  # the request did not wait for the model
    kinds = [p["activity"]["type"] for p in bot.connector.posts]
    assert kinds == ["typing", "message"]
    assert bot.connector.posts[1]["activity"]["text"] == "Working on it…"
    assert bot.connector.puts == []  # the draft is still being written
    await host.agent.drain()  # bounded (30 s); shutdown waits the same way
    (update,) = bot.connector.puts
    assert update["id"].startswith("sent-")  # the placeholder, replaced in place
    assert "hold E5 at today's price" in card_text(card_of(update["activity"]))
    assert time.monotonic() - started >= SLOW_SECONDS - 0.1
    assert len(bot.connector.messages) == 1  # no second message: the placeholder was updated


async def test_slow_turn_still_lands_when_the_update_is_rate_limited(bot: Bot, slow_llm: str) -> None:
    host = bot.host
    host.config.typing_after = 0.1
    host.config.first_reply_after = 0.2
    act = message(bot.connector, "", value={"intent": "test.teams.slowdraft", "llm": slow_llm})
    await bot.post(act)
    bot.connector.fail_next = [429]  # the next connector call (the update) is throttled once
    await host.agent.drain()  # what shutdown does: wait for background turns
    (update,) = bot.connector.puts
    assert "hold E5" in card_text(card_of(update["activity"]))


async def test_slow_card_button_answers_the_invoke_then_replaces_the_card(bot: Bot, slow_llm: str) -> None:
    host = bot.host
    host.config.first_reply_after = 0.3
    act = message(bot.connector, "")
    del act["text"]
    data = {"intent": "test.teams.slowdraft", "llm": slow_llm}
    act.update(
        type="invoke",
        name="adaptiveCard/action",
        replyToId="card-msg-1",
        value={
            "action": {"type": "Action.Execute", "title": "Draft it", "verb": data["intent"], "data": data}
        },
    )
    started = time.monotonic()
    status, body = await bot.post(act)
    assert status == 200 and time.monotonic() - started < SLOW_SECONDS - 1.0
    assert "Working on it…" in card_text(body["value"])
    await host.agent.drain()
    (update,) = bot.connector.puts
    assert update["id"] == "card-msg-1"  # the pressed card is replaced, no new message
    text = card_text(card_of(update["activity"]))
    assert text.startswith("You chose: Draft it") and "hold E5" in text
    assert bot.connector.messages == []


async def test_fast_turn_is_answered_inside_the_request(bot: Bot) -> None:
    status, _ = await bot.post(message(bot.connector, "help"))
    assert status == 202
    assert [p["activity"]["type"] for p in bot.connector.posts] == ["message"]
    assert bot.host.agent.background == set()


# --- reference saves ---------------------------------------------------------------------------------
async def test_group_chat_turns_store_the_reference_once(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.memory import Memory

    writes = []
    real = Memory.save_reference

    async def counted(self, *args, **kwargs):
        wrote = await real(self, *args, **kwargs)
        if wrote:  # in the turn's own transaction; an unchanged reference writes nothing
            writes.append(args[0])
        return wrote

    monkeypatch.setattr(Memory, "save_reference", counted)
    for n in range(4):  # two people take turns in one group chat
        act = message(bot.connector, "help", conversation="19:group-1@thread.v2", kind="groupChat")
        act["from"] = {"id": f"29:user-{n % 2}", "name": f"User {n % 2}", "aadObjectId": f"aad-{n % 2}"}
        assert (await bot.post(act))[0] == 202
    assert writes == ["19:group-1@thread.v2"]
    moved = message(bot.connector, "help", conversation="19:group-1@thread.v2", kind="groupChat")
    moved["serviceUrl"] = bot.connector.url.replace("127.0.0.1", "localhost")  # Teams moved the chat
    assert (await bot.post(moved))[0] == 202
    assert len(writes) == 2
