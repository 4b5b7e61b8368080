"""Transcripts: answer with what was said. A clear intent with some of its arguments uses them
and asks for the rest in one question, never with a syntax example; the next message fills it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import DealEvent


async def favors(coach) -> list[dict]:
    async with coach.sessions() as s:
        rows = (await s.execute(select(DealEvent).where(DealEvent.kind == "favor"))).scalars().all()
    return [r.payload for r in rows]


def no_syntax_example(reply) -> None:
    text = reply.headline + " " + reply.plain_text()
    assert "Ask me like this" not in text and "`" not in reply.headline and "Say who and what" not in text


@pytest.fixture
async def people(chat, deal):
    await chat("Jane Smith is our account executive")
    await chat("Ana Ruiz is our CSM")


@pytest.mark.parametrize(
    "text, asks",
    [
        ("I've asked Jane twice already this month for extensions, can I ask again?", 2),
        (
            "leaned on Jane three times this quarter, would another ask for a price hold be too much?",
            3,
        ),
        ("is it pushing it to go back to Jane a third time for a quote extension?", 2),
        ("I pinged Jane once about early access, can I ask her again for a discount?", 1),
    ],
)
async def test_a_favour_question_naming_the_person_and_how_often_is_answered(chat, people, text, asks):
    reply = await chat(text)
    assert reply.intent == "favors.should_ask"
    assert reply.verdict in ("ask", "find_aligned_contact", "unlikely"), reply.headline
    no_syntax_example(reply)
    told = [i.text for s in reply.sections for i in s.items if i.rule == "favors.told-asks"]
    assert told == [f"You said you've asked Jane Smith {asks} times already; I count those too."]


async def test_the_asks_told_lower_the_verdict(chat, people):
    fresh = await chat("should I ask Jane for a price hold?")
    assert fresh.verdict == "ask"
    tired = await chat("I've asked Jane three times this month already, should I ask her for a price hold?")
    assert tired.verdict != "ask"


@pytest.mark.parametrize(
    "text, direction, who, what",
    [
        (
            "we asked Ana to fast-track the Copilot workshop, that was a favour",
            "asked",
            "Ana Ruiz",
            "fast-track",
        ),
        ("we owe Ana one for chasing support on the outage", "received", "Ana Ruiz", "chasing support"),
        (
            "log that we gave Jane a reference call, count it as a favour",
            "given",
            "Jane Smith",
            "reference call",
        ),
        ("I asked Jane to hold the price until March as a favour", "asked", "Jane Smith", "hold the price"),
    ],
)
async def test_a_favour_logged_in_a_full_sentence(chat, coach, people, text, direction, who, what):
    reply = await chat(text)
    if reply.intent != "favors.log":  # the model may offer it as a button: pressing it logs it
        button = next(a for a in reply.actions if a.payload.get("intent") == "favors.log")
        reply = await chat(action=button.payload)
    assert reply.intent == "favors.log" and reply.verdict == "logged", reply.headline
    no_syntax_example(reply)
    logged = await favors(coach)
    assert logged[-1]["direction"] == direction and logged[-1]["contact"] in (who, who.split()[0])
    assert what in logged[-1]["what"]


async def test_what_is_missing_is_asked_in_one_question_and_the_answer_fills_it(chat, people):
    ask = await chat("should I ask for a price hold?")
    assert ask.headline == "Whom would you ask for a price hold?"
    reply = await chat("Jane")
    assert reply.intent == "favors.should_ask" and reply.verdict == "ask"
    assert "Jane Smith" in reply.headline
    ask = await chat("is it a good time to lean on Ana?")
    assert ask.headline == "What would you ask Ana Ruiz for?"
    reply = await chat("a free Copilot workshop")
    assert reply.intent == "favors.should_ask" and reply.verdict in (
        "ask",
        "find_aligned_contact",
        "unlikely",
    )


async def test_a_favour_with_someone_new_asks_only_for_their_role(chat, coach, deal):
    ask = await chat("we asked Tom to run a design session for us, that was a favour")
    assert ask.headline.startswith("What is Tom's role at Microsoft")
    no_syntax_example(ask)
    done = await chat("he's the technical specialist")
    assert done.verdict == "logged" and "Tom (TS)" in done.plain_text()
    assert (await favors(coach))[-1]["what"] == "run a design session for us"
