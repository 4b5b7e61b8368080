"""Button payloads are input: every intent's payload with wrong types gets one short line back
and writes nothing; keys a skill does not read are dropped."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from bot.actions import CORE_PAYLOADS, MALFORMED, Payload, checked
from bot.db.models import Base
from bot.features import default_skills

# Every payload model the product declares (`@skill(..., payload=Model)`), and the Coach's own.
SCHEMAS = default_skills().schemas
OURS = {
    intent: schema for intent, schema in SCHEMAS.items() if schema is not Payload or intent in CORE_PAYLOADS
}
WRONG = ["abc", 7, -1, 2**70, 1.5, True, None, [1, [2]], {"x": {"y": 1}}, "x" * 9000]


def _rejected_values(intent: str, field: str) -> list[Any]:
    """The wrong values for one field: those its schema refuses with the others left out."""
    schema = SCHEMAS[intent]
    base = _valid(intent)
    out = []
    for value in WRONG:
        try:
            schema.model_validate({**base, field: value})
        except ValidationError:
            out.append(value)
    return out


def _valid(intent: str) -> dict[str, Any]:
    """The smallest payload its schema accepts: required keys filled with something sane."""
    filler = {"id": 1, "event_id": 1, "draft": 1, "answers": {}}
    return {k: filler[k] for k, f in SCHEMAS[intent].model_fields.items() if f.is_required()}


async def _rows(engine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {
            t.name: (await conn.execute(select(func.count()).select_from(t))).scalar_one()
            for t in Base.metadata.sorted_tables
        }


# What the issue reported, each of which ended in "turn failed" and a traceback.
REPORTED = [
    {"intent": "reminders.snooze", "id": 1, "minutes": "abc"},
    {"intent": "reminders.done", "id": "abc"},
    {"intent": "favors.should_ask", "name": 1},
    {"intent": "contacts.change", "name": "Jane", "role": 7},
    {"intent": "disclosure.share", "role": 7},
    {"intent": "commitments.status", "id": "abc", "status": "verbal"},
    {"intent": "undo", "event_ids": "abc"},
    {"intent": "reminders.cancel", "id": 2**64},
    {"intent": "nobody.handles.this"},
    {"intent": 5},
    {"intent": "note", "_text": 5},
    {"intent": "note", "user_text": 5},
    {"intent": "form.answer", "answers": "abc"},
]


@pytest.mark.parametrize("payload", REPORTED, ids=[str(p.get("intent")) for p in REPORTED])
async def test_reported_payloads_get_a_short_answer_and_write_nothing(chat, deal, engine, caplog, payload):
    before = await _rows(engine)
    with caplog.at_level(logging.ERROR):
        reply = await chat(action=payload)
    assert reply.headline == MALFORMED
    assert "turn failed" not in caplog.text
    assert await _rows(engine) == before


async def test_every_intent_with_every_wrong_type_is_refused(chat, deal, engine, caplog):
    tried = 0
    before = await _rows(engine)
    with caplog.at_level(logging.ERROR):
        for intent, schema in OURS.items():
            for field in schema.model_fields:
                key = schema.model_fields[field].alias or field
                for value in _rejected_values(intent, key):
                    reply = await chat(action={"intent": intent, **_valid(intent), key: value})
                    assert reply.headline == MALFORMED, (intent, key, value)
                    tried += 1
    assert "turn failed" not in caplog.text
    assert await _rows(engine) == before
    # Every schema has fields, and every field refuses several kinds of wrong value.
    assert tried >= 5 * sum(len(s.model_fields) for s in OURS.values())


def test_every_intent_is_declared_once_with_its_payload_and_handler():
    skills = default_skills()
    # A button is checked against the model its intent declares, and only an intent that a
    # skill or the Coach (an open form's buttons) answers has one.
    assert set(SCHEMAS) == set(skills.table) | set(CORE_PAYLOADS)
    for intent, (spec, handler) in skills.table.items():
        assert SCHEMAS[intent] is (spec.payload or Payload), intent
        assert handler.skill is spec, intent
    # The models live with their skills now; bot/actions.py keeps the bases.
    assert {s.__module__ for s in OURS.values()} > {"bot.skills.reminders", "bot.skills.core", "bot.actions"}


async def test_unknown_keys_are_dropped_before_the_skill_sees_them(chat, deal):
    noted = await chat("note: first pricing round")
    undo = dict(noted.actions[0].payload)
    reply = await chat(action={**undo, "evil": {"x": 1}, "event_ids": None})
    assert reply.headline.startswith("Undone")
    given = {"intent": "reminders.snooze", "id": "7", "minutes": 30, "evil": {"x": 1}, "channel": "C1"}
    assert checked(given, SCHEMAS) == {
        "intent": "reminders.snooze",
        "id": 7,
        "minutes": 30,
        "user_text": "",
    }


async def test_a_button_posted_before_the_rename_still_carries_its_words(chat, deal):
    """Buttons already in Slack and Teams carry the user's words as `_text`; they still work."""
    said = "the CSM thing and our number"  # left open by the local reading: "did you mean" buttons
    offered = await chat(said)
    assert offered.actions, "the test's premise: a message the reading leaves open"
    new = dict(offered.actions[0].payload)
    assert new["user_text"] == said
    old = {k: v for k, v in new.items() if k != "user_text"} | {"_text": new["user_text"]}
    assert checked(old, SCHEMAS) == checked(new, SCHEMAS)
    assert checked(old, SCHEMAS)["user_text"] == said
    before, after = await chat(action=old), await chat(action=new)
    assert before.intent == after.intent == new["intent"]
    assert before.plain_text() == after.plain_text()


def test_typed_text_may_run_as_long_as_the_setting_allows_but_a_button_s_text_may_not():
    long = "our offer paste " * 1500  # about 24,000 characters
    assert Payload.model_validate({"rest": long}).rest == long  # typed: up to a Slack message
    assert checked({"intent": "note", "rest": long}, SCHEMAS) is None  # a button: 8,000 at most
    with pytest.raises(ValidationError):
        Payload.model_validate({"rest": "x" * 40_001})
