"""Every phrasing listed in knowledge/ is understood as its own intent, and no other."""

from __future__ import annotations

import pytest

from bot.knowledge import default_knowledge, load_knowledge
from bot.understand import clean, understand

KB = default_knowledge()
EXAMPLES = [(spec.name, ex) for spec in KB.intents for ex in spec.examples]
COUNTER = [(spec.name, ex) for spec in KB.intents for ex in spec.counter_examples]


@pytest.mark.parametrize("intent,text", EXAMPLES, ids=[f"{i}:{t[:40]}" for i, t in EXAMPLES])
def test_example_is_understood(intent, text):
    got = understand(text, KB)
    assert got is not None and got.name == intent, f"{text!r} → {got and got.name}"


@pytest.mark.parametrize("intent,text", COUNTER, ids=[f"{i}:{t[:40]}" for i, t in COUNTER] or None)
def test_counter_example_is_not_that_intent(intent, text):
    got = understand(text, KB)
    assert got is None or got.name != intent


def test_every_intent_has_a_handler():
    from bot.skills import load_skills

    handlers = load_skills()
    assert [s.name for s in KB.intents if s.name not in handlers] == []


def test_clean_removes_invisible_and_control_characters():
    assert clean("\u200bhel\x00lo\u202e  there\r\n") == "hello there"


def test_a_broken_knowledge_file_fails_at_load(tmp_path):
    (tmp_path / "bad.yaml").write_text("rules:\n  - id: NotAnId\n    text: x\n")
    with pytest.raises(ValueError, match=r"bad\.yaml"):
        load_knowledge(tmp_path)
