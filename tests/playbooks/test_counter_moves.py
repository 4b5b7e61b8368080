"""Recognising what Microsoft said, and who said it."""

from __future__ import annotations

import pytest

from bot.playbooks import counter_moves
from bot.understanding import statements
from tests.playbooks.helpers import NOW, deal


@pytest.mark.parametrize(
    "text,type_,label",
    [
        ("the AE said this is their final offer", "final_offer", "final offer"),
        ("AE just told us again this is the best they can do", "final_offer", "best we can do"),
        ("their VP said this is the maximum allowed under our global policy", "global_policy", None),
        (
            "the AE says we must sign by the end of the month or lose the discount",
            "deadline",
            "sign by a deadline",
        ),
        ("the rep said the discount expires on Friday", "deadline", "offer expires"),
        ("they'll give 20% if we extend to 4 years", "strings", "concession with strings"),
        ("Microsoft said we need to deploy 100% of the licences by year 2", "punitive_deployment", None),
        ("their area VP called our CEO this morning", "exec_to_exec", None),
        ("they still won't put the license reduction in writing", "verbal_refused", None),
        ("the AE offered on the call to cap the uplift at 3%", "call_concession", "concession on a call"),
        ("the rep says they are checking internally", "stall", "checking internally"),
        ("the AE said the weather in Seattle is nice", "other", None),
    ],
)
def test_classify(kb, text, type_, label):
    found = statements.classify(text, kb)
    assert found.type == type_
    if label:
        assert found.label == label
    assert (found.rule is None) == (type_ == "other")


def test_deadline_keeps_the_words_that_gave_it_away(kb):
    found = statements.classify("the AE says we must sign by the end of the month", kb)
    assert found.match == "sign by the end of the month"


@pytest.mark.parametrize(
    "text,role,label",
    [
        ("AE just told us again this is the best they can do", "ae", "AE"),
        ("their area VP said no", "avp", "area VP"),
        ("the CSM mentioned a workshop", "csm", "CSM"),
        ("they said it's final", None, "Microsoft"),
        ("the deal desk came back with 5%", "deal_desk", "deal desk"),
    ],
)
def test_speaker(kb, text, role, label):
    assert counter_moves.speaker(text, kb) == (role, label)


def test_counting_and_wording():
    d = deal(
        events=[
            (5, "ms_statement", {"type": "final_offer"}),
            (1, "ms_statement", {"type": "final_offer"}),
            (1, "ms_statement", {"type": "stall"}),
        ]
    )
    assert counter_moves.times_said(d, "final_offer") == 2
    assert [counter_moves.ordinal_time(n) for n in (1, 2, 3, 4, 11, 12, 21)] == [
        "1st time",
        "2nd time",
        "3rd time",
        "4th time",
        "11th time",
        "12th time",
        "21st time",
    ]
    assert counter_moves.day_words(NOW, NOW) == "today"
    assert statements.when_said("the AE said yesterday it's final", NOW).day == NOW.day - 1


@pytest.mark.parametrize(
    "text,type_",
    [
        # The same moves in words no pattern knows (none of these is among the examples).
        ("their CVP rang our chief executive last night", "exec_to_exec"),
        ("they promised the price hold but won't write it into the contract", "verbal_refused"),
        ("the AE says the discount is gone after the 31st", "deadline"),
        ("Microsoft say it's company-wide policy, max 12%", "global_policy"),
        ("they want us to commit to full deployment or repay the discount", "punitive_deployment"),
        ("the AE said 15% more if we sign for 5 years", "strings"),
        ("this is honestly the lowest we can offer, says the rep", "final_offer"),
        ("rep says he has to clear it with his manager first", "stall"),
        ("the AE said she'd send the slides tomorrow", "other"),
    ],
)
def test_a_move_in_other_words_is_still_recognised(kb, text, type_):
    found = statements.classify(text, kb)
    assert found.type == type_
    assert (found.rule is None) == (type_ == "other")


def test_every_statement_type_has_a_dozen_example_wordings(kb):
    types = kb.section("counter_moves.statements")
    assert {t.type: len(t.examples) for t in types if len(t.examples) < 12} == {}
