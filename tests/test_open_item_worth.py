"""The open item and its yearly worth told in everyday shapes (issue #21, class 1 and 3)."""

from datetime import UTC, datetime

import pytest

from bot.features import default_knowledge
from bot.understanding.fact_reading import read_more
from bot.understanding.facts import read_facts

NOW = datetime(2026, 12, 1, tzinfo=UTC)
KB = default_knowledge()


def facts(text: str) -> dict:
    return {f.key: f.value for f in read_facts(text, KB, now=NOW)}


@pytest.mark.parametrize(
    ("said", "point", "worth"),
    [
        (
            "Open item: Project Plan 3 for the PMO, they won't budge. "
            "By my maths - roughly 9,000 PLN a year.",
            "Project Plan 3 for the PMO",
            9000.0,
        ),
        (
            "the one thing still open is they want to bill us for 15 more Planner seats, maybe 4k gbp/yr",
            "15 more Planner seats",
            4000.0,
        ),
        (
            "it's all about the Teams Phone licences for the call centre, "
            "we're paying about eight grand a year too much",
            "Teams Phone licences",
            8000.0,
        ),
    ],
)
def test_the_open_item_and_what_it_is_worth(said: str, point: str, worth: float) -> None:
    got = facts(said)
    assert got["sticking_point"].startswith(point.split(" for ")[0])
    assert got["sticking_point_value_per_year"] == worth


def test_the_remaining_difference_names_the_point() -> None:
    assert facts("The remaining difference relates to Dynamics 365 seat pricing.")["sticking_point"] == (
        "Dynamics 365 seat pricing"
    )


def test_a_hedged_count_still_hedges_and_around_is_never_rounds() -> None:
    assert facts("we had 3 rounds, maybe 4") == {}
    assert facts("the deal is 2M, maybe 2.2M") == {}
    assert "rounds_with_account_team" not in facts("we met around 5 people there")


def test_wanting_to_email_their_ceo_is_no_relationship() -> None:
    text = "our md is fuming, keen to just email satya about it"
    assert "ceo_knows_ms_leadership" not in {f.key for f in read_more(text, KB, [], now=NOW)}
