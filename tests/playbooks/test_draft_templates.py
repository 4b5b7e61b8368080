"""Drafts from templates: only the deal's figures, no budget, no names, no threats."""

from __future__ import annotations

import re

from bot.playbooks import draft_templates
from bot.timeline import Contact
from bot.understanding.money import amounts_in
from tests.playbooks.helpers import NOW, READY, deal

JANE = Contact(1, "Jane Doe", "ae")


def escalation_note(kb, facts, contacts=(JANE,)):
    d = deal(facts, contacts=list(contacts))
    return draft_templates.render(
        "escalation", draft_templates.escalation_values(d, kb), kb, d, amounts_in=amounts_in
    )


def test_escalation_note_uses_the_deal_facts(kb):
    note = escalation_note(kb, {**READY, "escalation_ask": "a Copilot price at the level of our benchmark"})
    text = note.text
    assert "Copilot price" in text and "$300k a year" in text and "over 3 rounds" in text
    assert "Dear area VP," in text and text.rstrip().endswith("CFO")
    assert "\n\n\n" not in text


def test_no_figure_the_deal_does_not_hold(kb):
    facts = {"sticking_point": "Copilot price", "escalation_ask": "a better Copilot price"}
    text = escalation_note(kb, facts).text
    assert not re.search(r"\d", text.replace("Woodgrove EA renewal", ""))
    assert "we are still apart on Copilot price" in text


def test_budget_ceiling_never_appears(kb):
    facts = {**READY, "budget_ceiling": 900_000, "escalation_ask": "get the total to $900k"}
    note = escalation_note(kb, facts)
    assert "900" not in note.text
    assert note.dropped == ["a line that would reveal your budget"]


def test_no_rep_named_no_threats(kb):
    note = escalation_note(kb, {**READY, "escalation_ask": "a fix for what Jane refused"})
    assert "Jane" not in note.text and note.dropped
    threat = escalation_note(kb, {**READY, "escalation_ask": "a 20% cut or we walk away"})
    assert "walk away" not in threat.text and threat.dropped == ["a line that reads as a threat"]


def test_templates_hold_no_forbidden_words_or_placeholders(kb):
    words = kb.section("drafts.forbidden_words")
    for tpl in kb.section("drafts.templates").values():
        for line in tpl.lines:
            assert not any(w in line.casefold() for w in words)
            assert not any(draft_templates.SECRET_FACT.search(p) for p in draft_templates.placeholders(line))


def test_confirm_draft(kb):
    d = deal({}, contacts=[JANE])
    values = draft_templates.confirm_values(d, "a 10% licence reduction right in year 2", NOW, "ae", NOW)
    text = draft_templates.render("confirm", values, kb, d, amounts_in=amounts_in).text
    assert "Hi Jane," in text and "today" in text and "- a 10% licence reduction right in year 2" in text
    assert "revised quote" in text


def test_exploding_offer_reply(kb):
    d = deal(
        {"decision_date": "2026-12-15"},
        [(1, "ms_statement", {"type": "deadline", "match": "sign by the end of the month", "role": "ae"})],
    )
    text = draft_templates.render(
        "exploding_offer", draft_templates.exploding_values(d, NOW), kb, d, amounts_in=amounts_in
    ).text
    assert "(sign by the end of the month)" in text and "15 December 2026" in text
    bare = deal({})
    text = draft_templates.render(
        "exploding_offer", draft_templates.exploding_values(bare, NOW), kb, bare, amounts_in=amounts_in
    ).text
    assert "deadline" not in text.split("\n")[0] and "by $" not in text and "Hi there," in text
