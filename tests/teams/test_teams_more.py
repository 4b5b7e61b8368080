"""Proactive sends after a restart, replicas on one PostgreSQL, slow turns, forms, message action."""

from __future__ import annotations

import asyncio

from bot.reply import Reply
from tests.teams.conftest import (
    TENANT_A,
    Bot,
    Connector,
    Issuer,
    card_of,
    card_text,
    message,
    start_bot,
    stop_bot,
)


async def test_proactive_send_after_restart(sqlite_url: str, issuer: Issuer, connector: Connector) -> None:
    first = await start_bot(sqlite_url, issuer, connector)
    await first.post(message(connector, "help", conversation="a:personal-9"))
    await stop_bot(first)  # the process goes away; only the database remembers the chat

    second = await start_bot(sqlite_url, issuer, connector)
    try:
        send = second.host.send_proactive
        connector.fail_next = [429]
        reminder = Reply(headline="Reminder: renewal in 30 days.", intent="remind")
        ok = await send(TENANT_A, "a:personal-9", reminder)
        assert ok is True and connector.attempts >= 3  # help reply, the 429, then the reminder
        last = connector.posts[-1]
        assert last["conversation"] == "a:personal-9"
        assert "Reminder: renewal in 30 days." in card_text(card_of(last["activity"]))
        assert await send(TENANT_A, "a:never-seen", Reply(headline="x")) is False
        stranger = "99999999-0000-0000-0000-000000000000"
        assert await send(stranger, "a:personal-9", Reply(headline="x")) is False
    finally:
        await stop_bot(second)


async def test_resend_to_two_replicas_on_postgres_one_reply(
    pg_url: str, issuer: Issuer, connector: Connector
) -> None:
    a = await start_bot(pg_url, issuer, connector)
    b = await start_bot(pg_url, issuer, connector)
    try:
        act = message(connector, "deal new Woodgrove EA renewal", activity_id="replayed-1")
        results = await asyncio.gather(a.post(act), b.post(act), a.post(act))
        assert [r[0] for r in results] == [202, 202, 202]
        assert len(connector.messages) == 1
    finally:
        await stop_bot(a)
        await stop_bot(b)


async def test_slow_turn_sends_typing_then_updates_first_reply(bot: Bot) -> None:
    host = bot.host
    host.config.typing_after = 0.01
    host.config.first_reply_after = 0.05
    real = bot.rt.coach.handle

    async def slow(turn):  # stands in for a long drafting turn
        await asyncio.sleep(0.2)
        return await real(turn)

    bot.rt.coach.handle = slow
    status, _ = await bot.post(message(bot.connector, "deal new Woodgrove EA renewal"))
    assert status == 202
    await host.agent.drain()  # the turn finishes after the HTTP response
    kinds = [p["activity"]["type"] for p in bot.connector.posts]
    assert kinds == ["typing", "message"]
    assert bot.connector.posts[1]["activity"]["text"] == "Working on it…"
    (update,) = bot.connector.puts
    assert "Woodgrove EA renewal" in card_text(card_of(update["activity"]))


def test_form_questions_render_as_inputs_and_answers_map_back() -> None:
    from adapters.teams import cards
    from bot.reply import Choice, Question

    reply = Reply(
        headline="Before I can say, 2 things:",
        intent="form.ask",
        questions=[
            Question("stage", "Which stage?", "choice", [Choice("Early", "early"), Choice("Late", "late")]),
            Question("renewal_date", "When does it renew?", "date"),
        ],
    )
    card = cards.render(reply)
    inputs = [b for b in card["body"] if b["type"].startswith("Input.")]
    kinds = [(i["type"], i["id"]) for i in inputs]
    assert kinds == [("Input.ChoiceSet", "stage"), ("Input.Text", "renewal_date")]
    (submit,) = card["actions"]
    assert submit["type"] == "Action.Execute" and submit["verb"] == "form.answer"
    data = {**submit["data"], "stage": "late", "renewal_date": "2027-06-30"}
    assert cards.action_payload(data) == {
        "intent": "form.answer",
        "answers": {"stage": "late", "renewal_date": "2027-06-30"},
    }
