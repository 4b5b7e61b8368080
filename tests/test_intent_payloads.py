"""Transcripts: every intent is declared once, with the model of what may be said for it, and its
handler reads that model alone. A button carrying a value of the wrong shape for an intent that
takes free text, people, an audience or a follow-up gets one short line and writes nothing;
the same request typed still works; and what only the reader may say (whose remark a note is)
cannot be said by a button."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.actions import MALFORMED, Payload
from bot.db.models import Base, DealEvent
from bot.features import default_skills
from bot.reply import Reply
from bot.skills import Skills, skill

SKILLS = default_skills()


async def _rows(engine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {
            t.name: (await conn.execute(select(func.count()).select_from(t))).scalar_one()
            for t in Base.metadata.sorted_tables
        }


async def _logged(coach, kind: str) -> list[dict[str, Any]]:
    async with coach.sessions() as s:
        rows = (await s.execute(select(DealEvent).where(DealEvent.kind == kind))).scalars().all()
    return [r.payload for r in rows]


# Intents that took their arguments from the raw dict before they declared a model, each with a
# button whose value does not fit it.
MALFORMED_BUTTONS = [
    {"intent": "note", "rest": 7},
    {"intent": "note", "rest": ["AE promised a workshop"]},
    {"intent": "note", "rest": "AE promised a workshop", "who": {"x": 1}},  # reader-only, still checked
    {"intent": "deal.share", "people": {"x": 1}},
    {"intent": "deal.unshare", "people": [1, 2]},
    {"intent": "deal.members", "rest": 5},
    {"intent": "deal.brief", "audience": "AE; drop table deals"},
    {"intent": "deal.brief", "audience": 5},
    {"intent": "ms.statement", "rest": {"said": "final"}},
    {"intent": "ms.statement", "rest": "it's final", "asked": {"x": 1}},
    {"intent": "fact.set", "rest": "x" * 9000},
    {"intent": "offer.fix", "rest": [1]},
    {"intent": "draft.revise", "how": 5},
    {"intent": "draft.counter_proposal", "rest": True},
    {"intent": "escalation.alignment", "rest": 1.5},
    {"intent": "reminders.capture", "id": 1, "then": "junk"},
    {"intent": "workspace.open_deals", "rest": {"on": True}},
]


@pytest.mark.parametrize("button", MALFORMED_BUTTONS, ids=lambda b: f"{b['intent']}-{sorted(b)[-1]}")
async def test_a_malformed_button_gets_one_line_and_writes_nothing(chat, deal, engine, button):
    before = await _rows(engine)
    reply = await chat(action=button)
    assert reply.headline == MALFORMED
    assert reply.actions == [] and reply.sections == []
    assert await _rows(engine) == before


async def test_the_same_requests_typed_still_work(chat, coach, deal):
    noted = await chat("note: AE promised a workshop")
    assert noted.headline == "Noted on Woodgrove EA renewal."
    assert (await _logged(coach, "note"))[-1] == {"text": "AE promised a workshop"}

    shared = await chat("share this deal with <@u2>")  # the pattern's `people`
    assert shared.headline.startswith("Shared Woodgrove EA renewal with u2.")
    unshared = await chat("deal unshare this deal from <@u2>")  # the command's `rest`
    assert unshared.headline == "u2 can no longer see Woodgrove EA renewal."

    brief = await chat("brief for the AE")
    assert brief.intent == "deal.brief" and brief.verdict == "for_microsoft"
    internal = await chat("brief")
    assert internal.verdict == "internal"

    fact = await chat("set term to 3 years")
    assert fact.intent == "fact.set" and "3" in fact.headline

    said = await chat("ms: this is our final offer")
    assert said.intent == "ms.statement"
    assert len(await _logged(coach, "ms_statement")) == 1


async def test_a_button_can_give_the_audience_but_not_one_that_is_no_reader(chat, deal):
    """`audience` may come from a button (a role's key); an unknown key is not a reader, so the
    words decide, as when none is given."""
    for_ae = await chat(action={"intent": "deal.brief", "audience": "ae"})
    assert for_ae.verdict == "for_microsoft"
    unknown = await chat(action={"intent": "deal.brief", "audience": "nobody_here"})
    assert unknown.verdict == "internal"


async def test_whose_remark_a_note_is_comes_from_the_reader_never_from_a_button(chat, coach, deal):
    typed = await chat("our CFO said the price is too high")
    assert typed.intent == "note" and "our side" in typed.headline
    assert (await _logged(coach, "note"))[-1]["side"] == "us"

    pressed = await chat(
        action={
            "intent": "note",
            "rest": "the price is too high",
            "side": "us",
            "who": "Satya",
            "said_as": "dialogue.our-rule",
        }
    )
    # Accepted (the keys fit), but a button cannot say whose remark it is: a plain note.
    assert pressed.headline == "Noted on Woodgrove EA renewal."
    assert (await _logged(coach, "note"))[-1] == {"text": "the price is too high"}


async def test_a_note_button_made_by_the_coach_still_works(chat, coach, deal):
    told = await chat("the AE was on holiday last week")
    assert told.intent == "deal.tell"
    (keep,) = [a for a in told.actions if a.label == "Keep it as a note"]
    # What a surface adds to a button (or a client we do not control) is dropped, not refused.
    reply = await chat(action={**keep.payload, "channel": "C1", "evil": {"x": 1}})
    assert reply.headline == "Noted on Woodgrove EA renewal."
    assert (await _logged(coach, "note"))[-1] == {"text": "the AE was on holiday last week"}


def test_every_intent_declares_its_payload_model_and_its_handler_takes_it():
    for intent, (spec, handler) in SKILLS.table.items():
        assert issubclass(spec.payload, Payload), intent
        assert SKILLS.schemas[intent] is spec.payload, intent
        assert len(inspect.signature(handler).parameters) == 2, intent  # (ctx, payload)


def test_a_skill_without_a_payload_model_is_refused_when_declared_or_built():
    with pytest.raises(TypeError):
        skill("test.nothing")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        skill("test.not_a_model", payload=dict)  # type: ignore[arg-type]

    @skill("test.old_style", payload=Payload)
    async def old_style(ctx) -> Reply:  # reads ctx.intent.args by hand: not allowed any more
        raise AssertionError

    with pytest.raises(TypeError, match=r"test\.old_style"):
        Skills.build([old_style])


def test_no_skill_reads_the_raw_arguments():
    """`Skills.run` turns arguments into the model; a skill reads only the model."""
    skills_dir = Path(__file__).resolve().parents[1] / "bot" / "skills"
    readers = [
        f"{path.name}:{n}"
        for path in sorted(skills_dir.glob("*.py"))
        if path.name != "__init__.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if "intent.args" in line
    ]
    assert readers == []
