"""knowledge/'s patterns are compiled on first use and skipped on texts they cannot match: the
words a pattern's every match contains are read from its text (bot/patterns.py). A gate that
said "no" where the expression finds a match would silently lose a fact, a cue or a leak, so
every gate is held to its own expression over every line of the spent corpora."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.patterns import Gated, compiled, gate, known_gates, memoised
from bot.understanding.evaluate import strings_in

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        (r"\bprice is final\b", {"price is final"}),
        # the most telling group: longer words beat "we"/"they"
        (r"(?:we|they) (?:walk|leave)s?", {"walk", "leave"}),
        # an optional letter ends the literal before it
        (r"colou?r", {"colo"}),
        (r"\d+ rounds?", {"round"}),
        (r"final(?:ly)? offer|best and final", {"final", "best and final"}),
        (r"(?P<n>\d+)\s*(?:meetings|calls)", {"meetings", "calls"}),
        # a look-ahead asks for nothing of its own; what follows it does
        (r"(?=.*budget)spend", {"spend"}),
        (r"ab+c", {"ab"}),
        (r"x{0,2}yz", {"yz"}),
    ],
)
def test_a_pattern_names_the_words_its_matches_contain(pattern: str, needs: set[str]) -> None:
    assert set(gate(pattern, re.IGNORECASE)) == needs


@pytest.mark.parametrize(
    "pattern",
    [
        r"a[bc]d",  # nothing two letters long is certain
        r"(?x) foo bar",  # verbose: a space is not a space
        r"foo bar",  # (with re.VERBOSE below)
        r"(?(1)yes|no)",  # a conditional group
        r"(foo)?|bar",  # one branch may match without any literal
        r"\x41\x42\x43",  # escapes are never read as the letters they spell
    ],
)
def test_a_pattern_it_cannot_read_surely_has_no_gate(pattern: str) -> None:
    assert gate(pattern, re.VERBOSE if pattern == "foo bar" else 0) == ()


def test_brackets_inside_a_class_are_not_groups() -> None:
    assert gate(r"[)(]abc?") == ("ab",)


def test_a_text_without_the_words_is_answered_without_compiling() -> None:
    g = Gated(r"\bbest and final offer\b", re.IGNORECASE)
    assert g.search("they said the price is fixed") is None
    assert g._rx is None  # never compiled for a text it cannot match
    assert g.search("That is our BEST AND FINAL OFFER.") is not None
    assert g.sub("X", "no match here") == "no match here"
    assert g.split("no match here") == ["no match here"]
    assert list(g.finditer("nothing")) == []


def test_a_dotless_i_still_opens_the_gate_as_the_expression_would() -> None:
    g = Gated("final", re.IGNORECASE)
    text = "fınal"  # re.IGNORECASE matches "ı" to "i"; casefold alone would not
    assert (g.search(text) is None) == (re.search("final", text, re.IGNORECASE) is None)


def _corpus_texts() -> list[str]:
    answers = frozenset({"facts", "expect", "deal", "kinds", "words", "voices"})
    texts = [
        t
        for path in sorted(DATA.rglob("*.yaml"))
        for t in strings_in(yaml.safe_load(path.read_text(encoding="utf-8")), answers)
        if len(t) > 3
    ]
    return list(dict.fromkeys(texts))


def test_every_gate_agrees_with_its_expression_on_every_spent_line(kb) -> None:
    from bot.playbooks.leakcheck import check
    from bot.understanding.reading import read

    texts = _corpus_texts()
    assert len(texts) > 3000
    for text in texts[::7]:  # fills the memo with the patterns a reading and a leak check use
        read(text, kb)
        check(text, "ae", kb)
    gated = [g for g in memoised() if g.needs]
    assert len(gated) > 300  # the reader's, the dialogue's and the intent patterns
    samples = texts[::2] + [t.upper() for t in texts[1::10]]
    for g in gated:
        rx = g.compile()
        for text in samples:
            if rx.search(text) is not None:
                assert g.search(text) is not None, (g.pattern, g.needs, text)


def test_the_memo_makes_each_pattern_once() -> None:
    assert compiled("price is final", re.I) is compiled("price is final", re.I)


def test_a_gate_read_by_an_earlier_start_is_not_read_again(monkeypatch):
    import bot.patterns as patterns

    known_gates({f"{re.I}|remembered pattern (?:one|two)": ["remembered pattern"]})

    def never(*_a, **_k):
        raise AssertionError("read again although an earlier start read it")

    monkeypatch.setattr(patterns, "gate", never)
    g = Gated("remembered pattern (?:one|two)", re.I)
    assert g.needs == ("remembered pattern",)
    assert g.search("nothing to see") is None and g.search("Remembered pattern two") is not None


def test_gates_are_written_when_a_start_ends_and_read_by_the_next(tmp_path):
    import subprocess
    import sys

    script = (
        "from pathlib import Path; from bot.features import load_knowledge; "
        "from bot.understanding.reading import read; "
        f"kb = load_knowledge(cache=Path({str(tmp_path)!r})); read('our budget is 2M a year', kb)"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    written = list(tmp_path.glob("gates-*.json"))
    assert len(written) == 1
    import json

    gates = json.loads(written[0].read_text(encoding="utf-8"))
    assert len(gates) > 100 and all(isinstance(v, list) for v in gates.values())
