"""Transcripts: who said it. Our own people's remarks are ours, never Microsoft's statements;
Microsoft's executive contacting ours is their move (a counter-move), never our escalation;
our executive contacting theirs is ours. Microsoft's roles said with "our" ("our CSM") stay
Microsoft's, and a contact on the deal named by name speaks for Microsoft."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import DealEvent
from bot.features import default_knowledge
from bot.understanding.reading import attribute, read

KB = default_knowledge()


async def logged(coach, kind: str) -> list[dict]:
    async with coach.sessions() as s:
        rows = (await s.execute(select(DealEvent).where(DealEvent.kind == kind))).scalars().all()
    return [r.payload for r in rows]


OURS = [
    "our CFO said the price is too high",
    "our CIO thinks the Copilot bundle is overpriced",
    "my boss feels we're overpaying for E5",
    "our procurement lead told me the quote is way above what we paid last time",
    "our head of IT says the Teams Phone add-on isn't worth it",
]


@pytest.mark.parametrize("text", OURS)
async def test_our_people_s_remarks_never_become_microsoft_statements(chat, coach, deal, text):
    reply = await chat(text)
    assert reply.intent == "note", (text, reply.headline)
    assert "our side" in reply.headline
    assert await logged(coach, "ms_statement") == []
    notes = await logged(coach, "note")
    assert notes and notes[-1]["side"] == "us"


THEIR_EXEC_TO_OURS = [
    "their VP rang our CEO this morning",
    "Microsoft's GM phoned our CFO yesterday",
    "our CEO got a call from their regional VP last night",
    "their area VP emailed our CIO directly",
    "a Microsoft VP went straight to our COO about the renewal",
]


@pytest.mark.parametrize("text", THEIR_EXEC_TO_OURS)
async def test_their_executive_contacting_ours_is_their_move_not_our_escalation(chat, coach, deal, text):
    reply = await chat(text)
    assert reply.intent == "ms.statement", (text, reply.headline)
    assert await logged(coach, "escalation") == []
    said = await logged(coach, "ms_statement")
    assert len(said) == 1 and said[0]["type"] != "other", said


@pytest.mark.parametrize(
    "text",
    ["our CFO emailed their area VP this morning", "we went over the rep's head to their GM yesterday"],
)
async def test_our_executive_contacting_theirs_is_our_escalation(chat, coach, deal, text):
    reply = await chat(text)
    assert reply.intent == "escalation.log", (text, reply.headline)
    assert await logged(coach, "ms_statement") == []


async def test_microsoft_people_said_with_our_and_by_name_stay_microsoft(chat, coach, deal):
    await chat("Jane Smith is our account executive")
    assert (await chat("our CSM told us the discount goes away next month")).intent == "ms.statement"
    assert (await chat("Jane said this is the best they can do")).intent == "ms.statement"
    assert (await chat("she also said it's final")).intent == "ms.statement"  # she: Jane, just named
    said = await logged(coach, "ms_statement")
    assert len(said) == 3 and said[1]["role"] == "ae" and said[2]["role"] == "ae"
    assert said[2]["text"].startswith("Jane Smith also said")


def test_every_statement_is_attributed_with_its_side():
    cases = {
        "our CFO said the price is too high": ("us", "our CFO"),
        "their VP said it's final": ("microsoft", "their VP"),
        "our AE says the price is locked": ("microsoft", "our AE"),
        "Microsoft told us the credits end in June": ("microsoft", "Microsoft"),
        "we told them no": ("us", "we"),
    }
    for text, (side, who) in cases.items():
        sp = attribute(text, KB)
        assert sp is not None and (sp.side, sp.who) == (side, who), text
    named = attribute("Priya insists the bundle is mandatory", KB, {"Priya": "csm"})
    assert named is not None and named.side == "microsoft" and named.who == "Priya"
    r = read("their VP rang our CEO this morning", KB)
    assert r.move == "theirs_to_ours" and r.speaker is not None and r.speaker.side == "microsoft"
    assert read("our CFO called their GM", KB).move == "ours_to_theirs"


def test_facts_carry_who_stated_them():
    from datetime import UTC, datetime

    now = datetime(2026, 11, 23, tzinfo=UTC)
    r = read("our CFO said our budget is 1.2M a year", KB, now=now)
    assert r.facts and r.facts[0].speaker == "us"
    assert r.intent in ("deal.tell", "note")  # our side telling a fact, never ms.statement
