"""Facts read from a deal told over several messages, as people say them (issue #21, round 6):
teams' stances told without "aligned" and merged message by message, the sticking point a
person complains of with its yearly cost, a sentence opener that is no one's name, and the last
question read as the question it is. Wording here is our own, not the corpora's."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.features import default_knowledge
from bot.understanding.facts import read_facts

KB = default_knowledge()
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def read(text: str, **known: object) -> dict:
    return {f.key: f.value for f in read_facts(text, KB, now=NOW, tz="Europe/London", known=known)}


def told(*messages: str) -> dict:
    """The facts a story leaves, each message read with what the ones before it told."""
    known: dict = {}
    for m in messages:
        known.update(read(m, **known))
    return known


# --- 1. internal alignment as people say it ------------------------------------------------------


def test_the_speaker_and_a_team_of_one_mind():
    said = read("Procurement and I, we see it exactly the same way.")
    assert said["internal_alignment"] == "Procurement yes"
    said = read("me and finance think the same. our engineering lot adore the Azure roadmap and won't want a fight.")
    assert said["internal_alignment"] == "IT not yet, Finance yes"


def test_a_team_content_with_their_offer_is_not_behind_our_ask():
    said = read("Our CFO is happy with the quote, procurement reckons it's too pricey.")
    assert said["internal_alignment"] == "Finance not yet, Procurement not yet"
    said = read("Legal would take the proposal as it stands, Finance doesn't.")
    assert said["internal_alignment"] == "Finance not yet, Legal not yet"
    # content with our own deal is agreement
    said = read("finance, procurement and it all fine w the plan now")
    assert said["internal_alignment"] == "IT yes, Finance yes, Procurement yes"


def test_a_team_that_set_the_figure_is_behind_it_with_the_others():
    said = read("Finance set our ceiling at 3.1m a year, and IT and Procurement both back it.")
    assert said["internal_alignment"] == "IT yes, Finance yes, Procurement yes"
    # setting a figure alone says nothing of a stance
    assert "internal_alignment" not in read("Finance set our ceiling at 3.1m a year.")


def test_a_team_with_no_number_yet_is_undecided_beside_another_stance():
    said = read("Procurement's right behind us. Finance still haven't settled on a target, though.")
    assert said["internal_alignment"] == "Finance not yet, Procurement yes"
    said = read("finance havent given us a figure yet and keep fighting with IT over scope")
    assert said["internal_alignment"] == "IT not yet, Finance not yet"
    # told alone, it is news about the budget only
    said = read("Finance still haven't come up with a budget number, they're arguing among themselves.")
    assert "internal_alignment" not in said
    assert said["budget_target_set"] is False


def test_lower_case_it_as_the_team_only_where_a_pronoun_cannot_stand():
    said = read("finance + procurement signed off on the ask, it not yet")
    assert said["internal_alignment"] == "IT not yet, Finance yes, Procurement yes"
    assert "internal_alignment" not in read("we discussed it, it is fine by me")


def test_one_team_named_does_not_drag_the_others():
    said = told(
        "IT and Procurement are behind our position.",
        "Finance is with us too now.",
    )
    assert said["internal_alignment"] == "IT yes, Finance yes, Procurement yes"
    said = told("Finance agrees with me.")
    assert said["internal_alignment"] == "Finance yes"


def test_a_committee_decision_and_a_colleague_are_no_team_stance():
    assert "internal_alignment" not in read(
        "The finance committee decided last month that we would move if the price tops 2m a year."
    )
    assert "internal_alignment" not in read("A colleague in finance says that's fine by her.")
    assert "internal_alignment" not in read("Legal said a firm no to any logo use.")
