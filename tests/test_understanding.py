"""Every phrasing listed in knowledge/ is understood as its own intent, and no other;
every intent a person types has enough example phrasings to learn from."""

from __future__ import annotations

import pytest

from bot.features import default_knowledge, load_knowledge
from bot.understand import clean, understand, understand_ranked
from bot.understanding.config import config

KB = default_knowledge()
EXAMPLES = [(spec.name, ex) for spec in KB.intents for ex in spec.examples]
COUNTER = [(spec.name, ex) for spec in KB.intents for ex in spec.counter_examples]
MIN_EXAMPLES = 15


@pytest.mark.parametrize("intent,text", EXAMPLES, ids=[f"{i}:{t[:40]}" for i, t in EXAMPLES])
def test_example_is_understood(intent, text):
    got = understand(text, KB)
    assert got is not None and got.name == intent, f"{text!r} → {got and got.name}"


@pytest.mark.parametrize("intent,text", COUNTER, ids=[f"{i}:{t[:40]}" for i, t in COUNTER] or None)
def test_counter_example_is_not_that_intent(intent, text):
    got = understand(text, KB)
    assert got is None or got.name != intent


def test_every_typed_intent_has_enough_examples_to_learn_from():
    thin = {s.name: len(s.examples) for s in KB.intents if s.typed and len(s.examples) < MIN_EXAMPLES}
    assert thin == {}


def test_button_only_intents_are_never_picked_from_text():
    hidden = {s.name for s in KB.intents if not s.typed}
    assert "escalation.update" in hidden
    ranked = understand_ranked("the facts changed, update the escalation check", KB)[1]
    assert hidden.isdisjoint(name for name, _ in ranked)


def test_every_intent_has_a_handler():
    from bot.features import load_skills

    handlers = load_skills()
    assert [s.name for s in KB.intents if s.name not in handlers] == []


@pytest.mark.parametrize(
    "text,intent",
    [
        ("do we need to go higher than the account manager?", "escalation.check"),
        ("esclate?", "escalation.check"),
        ("what did the AE commit to?", "commitments.list"),
        ("Microsoft wants us to sign by the 15th, how do I respond", "draft.exploding_offer"),
        ("who gets rewarded if our licences get fixed?", "favors.who"),
        ("good morning", "smalltalk.greet"),
        ("we've met the AE five times now", "deal.tell"),
    ],
)
def test_everyday_words_from_the_brief(text, intent):
    got = understand(text, KB)
    assert got is not None and got.name == intent


def test_a_command_still_wins_over_the_classifier():
    got = understand("note: the AE wants a call about escalation", KB)
    assert got is not None and got.name == "note"
    assert got.args == {"rest": "the AE wants a call about escalation"}


def test_the_classifier_pick_takes_args_from_its_own_patterns():
    # "set FACT: VALUE" is a pattern now; a classifier pick of another intent gets no args.
    got = understand("set renewal date: 2027-06-30", KB)
    assert got is not None and got.name == "fact.set" and got.args == {"rest": "renewal date: 2027-06-30"}
    picked = understand("could you change the renewal date to 1 July 2027", KB)
    assert picked is not None and picked.name == "fact.set" and picked.args == {}


def test_below_the_threshold_nothing_is_guessed_but_the_ranking_is_kept():
    got, ranking = understand_ranked("what's the weather in Paris", KB)
    assert got is None
    assert ranking and all(p < config(KB).confident for _, p in ranking)
    assert [p for _, p in ranking] == sorted((p for _, p in ranking), reverse=True)


def test_the_same_text_always_means_the_same_thing():
    a = understand_ranked("should we lean on Tom for the migration?", KB)[1]
    fresh = load_knowledge()
    b = understand_ranked("should we lean on Tom for the migration?", fresh)[1]
    assert [n for n, _ in a] == [n for n, _ in b]
    assert [round(p, 9) for _, p in a] == [round(p, 9) for _, p in b]


def test_clean_removes_invisible_and_control_characters():
    assert clean("\u200bhel\x00lo\u202e  there\r\n") == "hello there"


def test_a_broken_knowledge_file_fails_at_load(tmp_path):
    (tmp_path / "bad.yaml").write_text("rules:\n  - id: NotAnId\n    text: x\n")
    with pytest.raises(ValueError, match=r"bad\.yaml"):
        load_knowledge(tmp_path)
