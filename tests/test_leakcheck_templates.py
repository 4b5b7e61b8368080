"""The coach's own drafts pass its own leak check: every draft template (knowledge/drafts.yaml),
filled with realistic facts, is checked for every recipient role, with the deal's budget and
walk-away stored, and nothing may be flagged."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.playbooks import leakcheck
from bot.playbooks.draft_templates import placeholders, render
from bot.timeline import DealView, Timeline
from bot.understanding.disclosure import reader
from bot.understanding.money import amounts_in

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

# Two deals written the way users fill them in: a US one in dollars, a German one in euros.
DEALS: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "dollars": (
        {
            "budget_per_year": 2_100_000,
            "walk_threshold_per_year": 2_300_000,
            "deal_value_per_year": 2_400_000,
        },
        {
            "deal_name": "Contoso renewal",
            "target_title": "Area Vice President",
            "deliverer_title": "Chief Financial Officer",
            "sticking_point": "the Copilot uplift",
            "sticking_value": "$180,000",
            "rounds": "3",
            "escalation_ask": "hold the uplift at last year's rate for the term",
            "recipient": "Jane",
            "when": "yesterday",
            "commitment_to_confirm": "the E5 price is held at today's rate for three years",
            "deadline": "Friday 11 December",
            "decision_date": "15 January 2027",
            "counter_offer": "E5 at 18% off list with Copilot credits of $150,000",
            "counter_justification": "a third of our E5 seats only use E3 features",
            "deal_value": "$2.4M",
            "topic": "pricing review",
            "day": "Thursday 10 December",
            "agenda_item": "the Copilot adoption figures",
        },
    ),
    "euros": (
        {"budget_per_year": 850_000, "walk_threshold_per_year": 950_000, "deal_value_per_year": 1_100_000},
        {
            "deal_name": "Fabrikam EA",
            "target_title": "General Manager",
            "deliverer_title": "Chief Information Officer",
            "sticking_point": "the price of the Azure commitment",
            "sticking_value": "€95,000",
            "rounds": "4",
            "escalation_ask": "a MACC discount in line with last term",
            "recipient": "Markus",
            "when": "on 3 December",
            "commitment_to_confirm": "migration funding of two partner days per workload",
            "deadline": "the end of your quarter",
            "decision_date": "29 January 2027",
            "counter_offer": "the Azure commitment at 12% off with a one-year ramp",
            "counter_justification": "our consumption grew 30% last year without any incentive",
            "deal_value": "€1.1M",
            "topic": "commercial workshop",
            "day": "Tuesday 15 December",
            "agenda_item": "the ramp of the Azure commitment",
        },
    ),
}


def test_every_placeholder_of_every_template_is_filled_here(kb):
    """A new template or placeholder must be added to the values above, so it is checked too."""
    for name, tpl in kb.section("drafts.templates").items():
        for line in tpl.lines:
            for ph in placeholders(line):
                for deal, (_, values) in DEALS.items():
                    assert ph in values, f"{deal}: template {name!r} uses ${ph}"


@pytest.mark.parametrize("deal_key", sorted(DEALS))
def test_no_template_is_flagged_by_the_leak_check_for_any_role(kb, deal_key):
    facts, values = DEALS[deal_key]
    deal = DealView(1, values["deal_name"], Timeline(facts=facts))
    matrix = kb.section("disclosure.matrix")
    roles = list(getattr(matrix, "root", matrix))
    assert {"ae", "csm", "ts", "partner"} <= set(roles)
    flagged: list[str] = []
    for name in kb.section("drafts.templates"):
        draft = render(name, values, kb, deal, amounts_in=amounts_in)
        assert draft.text and not draft.dropped, (name, draft.dropped)
        for role in roles:
            result = leakcheck.check(draft.text, role, kb, deal, NOW, reader(kb))
            flagged += [f"{name} → {role}: {f.rule_id} on {f.quote!r}" for f in result.flags]
    assert not flagged, "\n".join(flagged)


def test_the_check_still_flags_a_budget_line_in_the_same_draft(kb):
    """The test above would pass with a check that flags nothing: the same counter-proposal with
    our budget written into it is flagged."""
    facts, values = DEALS["dollars"]
    deal = DealView(1, values["deal_name"], Timeline(facts=facts))
    draft = render("counter_proposal", values, kb, deal, amounts_in=amounts_in).text
    leaky = draft.replace("Could you come back", "Our budget is capped at $2.1M a year. Could you come back")
    result = leakcheck.check(leaky, "ae", kb, deal, NOW, reader(kb))
    assert "budget" in result.kinds
