"""Drafts typed or dictated the way busy people write (issue #21, session 13): one line that opens
with a greeting and never stops, negations without their apostrophe, a run-on of forty words with
no full stop. Each leak is found by the rules, in the words that give it away."""

from __future__ import annotations

import pytest

from bot.features import default_knowledge
from bot.playbooks.leakcheck import check, sentences
from bot.understanding.disclosure import reader
from bot.understanding.grammar import clean

KB = default_knowledge()


def ruled(message: str) -> set[str]:
    """The kinds the rules (not the reading by meaning) flag in a draft to the AE."""
    return {
        f.kind
        for f in check(message, "ae", KB, read=reader(KB)).flags
        if not f.detector.startswith("reading-")
    }


def test_a_one_line_draft_opening_with_a_greeting_is_checked_after_it():
    assert ruled("hi jake we can't go above 2.4M a year on this") == {"budget"}
    assert ruled("Hi Jake, we can't go above 2.4M a year on this.") == {"budget"}


@pytest.mark.parametrize(
    "draft", ["leaving Microsoft isnt an option for us", "Leaving Microsoft ISN'T an option for us."]
)
def test_a_negation_typed_without_its_apostrophe_is_a_negation(draft):
    assert "position" in ruled(draft)


def test_the_coach_reads_bare_negations_as_the_readers_know_them():
    assert clean("we dont have another option and cant wait") == "we don't have another option and can't wait"


def test_a_run_on_is_read_in_parts_and_each_part_is_checked():
    draft = (
        "so um ok we are locked in with you guys and there is no way we could ever move off teams plus our "
        "board wants this signed by friday and our budget cap from finance is like one point two million"
    )
    assert len(sentences(draft)) > 1
    assert ruled(draft) >= {"position", "urgency", "budget"}


def test_long_punctuated_prose_stays_one_sentence():
    prose = (
        "We are reviewing budgets across all vendors for next year, so please share the revised proposal "
        "with a SKU-wise break-up, including unit prices, any applicable discounts and the support tiers, "
        "at your earliest convenience."
    )
    assert len(sentences(prose)) == 1
    assert ruled(prose) == set()
