"""A command that takes nothing after it ("deal", "status", "timeline", "promises") is the
command when said alone; followed by a sentence, the sentence is read for what it says, so
"Deal desk came back with 8%" is news from Microsoft, not a request to show the deal."""

from __future__ import annotations

import pytest

from bot.features import default_knowledge
from bot.knowledge import IntentSpec
from bot.understanding.reading import read

KB = default_knowledge()


@pytest.mark.parametrize("text", ["deal", "status", "status please", "Timeline", "deal show", "show deal"])
def test_said_alone_a_bare_command_shows_the_deal(text):
    assert read(text, KB).intent == "deal.show"


@pytest.mark.parametrize("text", ["promises", "commitments", "list commitments"])
def test_said_alone_promises_lists_them(text):
    assert read(text, KB).intent == "commitments.list"


@pytest.mark.parametrize(
    ("text", "not_meant"),
    [
        ("Deal desk came back with 8% off the Copilot line.", "deal.show"),
        ("deal desk says there is no further discount this quarter", "deal.show"),
        ("status of the promises the CSM made?", "deal.show"),
        ("timeline: when does our agreement actually run out?", "deal.show"),
    ],
)
def test_followed_by_a_sentence_the_words_are_read(text, not_meant):
    r = read(text, KB)
    assert r.command is None and r.intent != not_meant, [(s.rule, s.intent) for s in r.steps]


def test_a_bare_command_must_be_one_of_the_intents_commands():
    with pytest.raises(ValueError, match="bare commands"):
        IntentSpec(name="x.y", commands=["deal"], bare=["status"])
