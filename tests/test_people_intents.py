"""Every example of the people intents routes to its intent; counter-examples do not."""

from __future__ import annotations

import pytest

from bot.features import default_knowledge
from bot.understand import understand

KB = default_knowledge()
MINE = {"disclosure", "leakcheck", "favors", "commitments", "meetings"}
SPECS = [
    s
    for s in KB.intents
    if any(s.name == n or s.name.startswith(n.rstrip("s")) for n in MINE)
    or s.name in {"contacts.change", "contacts.kpis", "meeting.prep"}
]
EXAMPLES = [(s.name, e) for s in SPECS for e in s.examples]
COUNTER = [(s.name, e) for s in SPECS for e in s.counter_examples]
OTHERS = [(s.name, e) for s in KB.intents if s not in SPECS for e in s.examples]


def test_the_people_intents_are_all_here():
    names = {s.name for s in SPECS}
    assert names == {
        "disclosure.share",
        "leakcheck",
        "favors.log",
        "favors.should_ask",
        "favors.who",
        "favors.balance",
        "commitments.log",
        "commitments.list",
        "commitments.status",
        "contacts.change",
        "contacts.kpis",
        "meeting.prep",
    }


@pytest.mark.parametrize(("name", "text"), EXAMPLES)
def test_examples_route_to_their_intent(name, text):
    intent = understand(text, KB)
    assert intent is not None and intent.name == name


@pytest.mark.parametrize(("name", "text"), COUNTER)
def test_counter_examples_do_not(name, text):
    intent = understand(text, KB)
    assert intent is None or intent.name != name


@pytest.mark.parametrize(("name", "text"), OTHERS)
def test_other_features_examples_are_not_stolen(name, text):
    intent = understand(text, KB)
    assert intent is not None and intent.name == name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("can I tell the CSM our budget?", "disclosure.share"),
        ("check before I send to the AE: we need this signed by Friday", "leakcheck"),
        ("should I ask Jane for X?", "favors.should_ask"),
        ("who do I ask about licences missing from our tenant?", "favors.who"),
        ("log favor: asked Ana (CSM) to expedite the Purview workshop", "favors.log"),
        ("log commitment: Jane (AE) promised 15% on Copilot in year 2", "commitments.log"),
        ("our AE changed to Bob", "contacts.change"),
        ("prep me for the architecture session with their technical specialist on Monday", "meeting.prep"),
        ("favors", "favors.balance"),
        ("commitment 4 in contract", "commitments.status"),
    ],
)
def test_the_briefs_phrases(text, name):
    intent = understand(text, KB)
    assert intent is not None and intent.name == name
