"""Probe 2026-12 (tests/data/probe_2026_12_corpus.yaml): everyday wording written fresh, before
the training examples were read, and never trained on (tests/test_intent_model.py checks that).

Its `fixing` part is what misses were fixed against; its `untouched` part was set aside at
random before any fix; `written_after` was written once the fixes were done. Each must hold
its floor; run with -s for the tables.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.features import default_knowledge
from bot.understanding.evaluate import (
    PROBE_PARTS,
    format_fact_report,
    format_intent_report,
    load_probe,
    probe_reports,
)

PROBE_PATH = Path(__file__).parent / "data" / "probe_2026_12_corpus.yaml"
PROBE = load_probe(PROBE_PATH)
KB = default_knowledge()
# part -> (intent accuracy, fact precision, fact recall) it must keep
PROBE_TURNS = yaml.safe_load(PROBE_PATH.read_text(encoding="utf-8"))["turns"]
TURNS_FLOOR = 0.9
FLOORS = {"fixing": (0.87, 0.97, 0.95), "untouched": (0.65, 0.90, 0.80), "written_after": (0.80, 0.90, 0.80)}


def test_the_probe_covers_every_typed_intent_and_states_facts_and_non_facts():
    typed = {s.name for s in KB.intents if s.typed}
    intents = {name for part in PROBE_PARTS for name in PROBE[part]["intents"]}
    assert intents == typed
    lines = [t for part in PROBE_PARTS for v in PROBE[part]["intents"].values() for t in v]
    assert len(lines) >= 150 and len(lines) == len(set(lines))
    cases = [c for part in PROBE_PARTS for c in PROBE[part]["facts"]]
    assert len([c for c in cases if c.get("facts")]) >= 75
    assert len([c for c in cases if not c.get("facts")]) >= 15
    for case in cases:
        for key in case.get("facts") or {}:
            assert key in KB.facts, f"{case['text']!r} expects an unknown fact {key!r}"


@pytest.mark.parametrize("part", PROBE_PARTS)
def test_the_probe_holds_its_floor(part):
    intents, facts = probe_reports(PROBE, part, KB)
    print(f"\n-- {part}\n{format_intent_report(intents)}\n{format_fact_report(facts)}")
    accuracy, precision, recall = FLOORS[part]
    assert intents.accuracy >= accuracy, f"{intents.accuracy:.1%}"
    assert facts.precision >= precision, facts.lines
    assert facts.recall >= recall, facts.lines
    assert len(intents.outside_misread) <= 0.2 * intents.outside_total, intents.outside_misread


async def test_conversations_with_a_question_open(chat, deal):
    """Each conversation in the probe's `turns`, in one deal after another; the share that
    goes as expected must hold its floor (the misses are printed)."""
    scenarios = PROBE_TURNS
    failed: list[str] = []
    for n, scenario in enumerate(scenarios):
        await chat(f"deal new Probe conversation {n}")
        for step in scenario["steps"]:
            reply = await chat(step["say"])
            shown = (await chat("deal show")).plain_text().split("Timeline")[0]
            if "intent" in step and reply.intent != step["intent"]:
                failed.append(f"{scenario['name']}: {step['say']!r} -> {reply.intent}")
            failed += [
                f"{scenario['name']}: {step['say']!r} shows no {s!r}"
                for s in step.get("shows", ())
                if s not in shown
            ]
            failed += [
                f"{scenario['name']}: {step['say']!r} shows {s!r}"
                for s in step.get("hides", ())
                if s in shown
            ]
    ok = len(scenarios) - len({f.split(":")[0] for f in failed})
    print(f"\nconversations: {ok} of {len(scenarios)} as expected", *failed, sep="\n  ")
    assert ok >= TURNS_FLOOR * len(scenarios), failed
