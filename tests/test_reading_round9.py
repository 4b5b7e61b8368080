"""One reading per message, round-5 classes (issue #21, session 9): a promise in so many words, or
what they said kept "as a promise", is for the register; a leak check asked in those words takes
the quoted draft; a question about what to be ready for after a meeting was told is meeting prep;
greetings and thanks in other languages; a team signing off a figure tells our budget, not its
stance. Wording here is our own."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.features import default_knowledge
from bot.understanding.reading import read

KB = default_knowledge()
NOW = datetime(2026, 11, 30, 10, 0)


def intent(text: str) -> str | None:
    return read(text, KB, now=NOW).intent


@pytest.mark.parametrize(
    "said",
    [
        "Their CSM promised us three extra FastTrack days.",
        "The deal desk guaranteed the 2028 price. Log it.",
        "The AE said we can drop 5% of seats after year one. Keep that as a promise please.",
    ],
)
def test_a_promise_said_so_or_kept_as_one_is_for_the_register(said):
    assert intent(said) == "commitments.log"


def test_a_promise_with_strings_attached_stays_their_move():
    assert intent("The AE said they'd waive the uplift if we add 200 seats.") == "ms.statement"


@pytest.mark.parametrize(
    "said",
    [
        "leak check pls, note to the CSM: 'Could you confirm the FastTrack hours we were promised?'",
        "quick leakcheck on my reply to the AE: Thanks, we will review the proposal with Finance next week.",
    ],
)
def test_a_leak_check_asked_in_those_words_checks_the_quoted_draft(said):
    assert intent(said) == "leakcheck"


def test_what_to_be_ready_for_after_a_meeting_was_told_is_prep():
    assert intent(
        "We have the pricing call with the deal desk on the 12th. What should we be ready for?"
    ) == ("meeting.prep")


@pytest.mark.parametrize(
    "said, meant", [("buongiorno!", "smalltalk.greet"), ("merci beaucoup", "smalltalk.thanks")]
)
def test_greetings_and_thanks_in_other_languages(said, meant):
    assert intent(said) == meant


def test_a_team_signing_off_a_figure_tells_the_budget_not_its_stance():
    r = read("Finance signed off 1.8M a year for this renewal.", KB, now=NOW)
    assert r.intent == "deal.tell"
    assert {f.key for f in r.facts} >= {"budget_per_year"} and "internal_alignment" not in {
        f.key for f in r.facts
    }
    assert intent("Finance and procurement are on board with the ask now.") == "escalation.alignment"
