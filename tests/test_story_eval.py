"""`coach eval stories`: a deal told over several messages, played through the real core on a
throwaway SQLite database, then scored (bot/story_eval.py). These stories are our own."""

from __future__ import annotations

import json

import pytest

from bot.features import default_knowledge
from bot.story_eval import evaluate, format_report, point_found
from bot.understanding.evaluate import same_fact
from tests.test_cli import coach

KB = default_knowledge()

STORIES = """
stories:
- name: told plainly, then asked
  voice: terse
  messages:
  - "we've met the AE 4 times and finance is on board"
  - "their offer is 2.4M a year"
  - "should we escalate?"
  expect:
    facts: {rounds_with_account_team: 4, internal_alignment: "Finance yes", ms_annual_cost: 2400000}
    intent: escalation.check
    verdict: not_yet
    points: ["budget target", "quantum physics lecture"]
- name: one wrong figure expected
  messages: ["their offer is 2.4M a year", "note: the CFO wants a call"]
  expect:
    facts: {ms_annual_cost: 3000000, rounds_with_account_team: 2}
    intent: note
    verdict: null
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    path = tmp_path_factory.mktemp("stories") / "stories.yaml"
    path.write_text(STORIES, encoding="utf-8")
    return evaluate(path, KB)


def test_each_story_runs_in_its_own_deal_and_is_scored_on_facts_and_the_final_answer(report):
    first, second = report.outcomes
    assert sorted(first.right) == ["internal_alignment", "ms_annual_cost", "rounds_with_account_team"]
    assert first.facts["rounds_with_account_team"] == 4 and not first.extra
    assert first.answer_right and first.deal_kept
    assert first.points_found == [True, False]  # the loose word check
    # The second story's deal does not see the first one's facts; its figure is wrong.
    assert second.wrong == ["ms_annual_cost"] and second.missed == [
        "ms_annual_cost",
        "rounds_with_account_team",
    ]
    assert second.answer_right  # a null verdict: the intent alone
    assert report.answers_right == (2, 2)
    assert report.recall == pytest.approx(3 / 5)
    text = format_report(report)
    assert "wrong  ms_annual_cost: 2400000.0, expected 3000000" in text
    assert "missed rounds_with_account_team: 2" in text


def test_values_compare_as_documented():
    assert same_fact("ms_annual_cost", 2_950_000.0, 2_930_000, KB)  # money within 1 %
    assert not same_fact("ms_annual_cost", 2_950_000.0, 2_900_000, KB)
    assert same_fact("rounds_with_account_team", 5, 5, KB) and not same_fact(
        "rounds_with_account_team", 4, 5, KB
    )
    assert same_fact("exec_sponsor", True, True, KB) and not same_fact("exec_sponsor", "CFO", True, KB)
    assert same_fact("renewal_date", "2027-03-31", "2027-03-31", KB)
    assert same_fact(
        "internal_alignment", "IT yes, Finance yes, Procurement yes", "IT, finance and procurement yes", KB
    )
    assert not same_fact("internal_alignment", "IT yes, Finance not yet", "IT yes, Finance yes", KB)
    assert same_fact("sticking_point", "the copilot uplift", "Copilot uplift", KB)
    assert not same_fact("sticking_point", "Azure", "the Copilot uplift", KB)
    assert point_found("never share the budget with the CSM", "Don't share your budget with a CSM.")


def test_coach_eval_stories_prints_the_figures_and_json(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(STORIES, encoding="utf-8")
    out = coach(tmp_path, "eval", "stories", "--data", str(path), "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["stories"] == 2 and doc["final_answer_right"] == {"right": 2, "of": 2, "share": 1.0}
    assert set(doc["facts"]) == {"precision", "recall"}
    missing = coach(tmp_path, "eval", "stories", "--data", str(tmp_path / "none"))
    assert missing.returncode == 1 and "no stories found" in missing.stderr


def test_coach_eval_understanding_reads_a_blind_authors_intents_file(tmp_path):
    path = tmp_path / "intents.yaml"
    path.write_text(
        'intents:\n  help: ["what can you do for me"]\n  out_of_scope: ["book me a flight"]\n'
        'facts:\n- text: "we have met the AE 3 times"\n  facts: {rounds_with_account_team: 3}\n',
        encoding="utf-8",
    )
    out = coach(tmp_path, "eval", "understanding", "--data", str(path))
    assert out.returncode == 0, out.stderr
    assert "overall: 100.0% of 1 held-out lines" in out.stdout
    assert "facts: 1 sentences, precision 100.0%, recall 100.0%" in out.stdout
    assert "out of scope: 1 of 1 lines not acted on" in out.stdout


def test_coach_eval_alone_prints_every_figure(tmp_path):
    out = coach(tmp_path, "eval")
    assert out.returncode == 0, out.stderr
    assert "== intents_corpus.yaml" in out.stdout and "(blind author)" in out.stdout
    assert "== stories (tests/data/blind_2026_12)" in out.stdout
    assert "final answer right (intent and verdict):" in out.stdout
