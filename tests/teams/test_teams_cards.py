"""Verdict colours on cards: every verdict word the README lists (and every one the core emits)
has its own colour, and the urgent ones stand out from the good ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adapters.teams import cards
from bot.reply import Reply

ROOT = Path(__file__).resolve().parents[2]


def readme_verdicts() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Verdicts", 1)[1].split("\n#", 1)[0]
    words: list[str] = []
    for line in section.splitlines():
        if line.startswith("| `"):
            first_column = line.split("|")[1]
            words += [w for w in re.findall(r"`([a-z_]+)`", first_column) if w not in words]
    return words


def core_verdicts() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        found.update(re.findall(r'verdict="([a-z_]+)"', path.read_text(encoding="utf-8")))
    return found


def colour_of(verdict: str) -> str:
    card = cards.render(Reply(headline="Headline.", verdict=verdict, verdict_label="The verdict."))
    (block,) = [b for b in card["body"] if b.get("text") == "The verdict."]
    return block["color"]


def test_the_readme_table_was_read() -> None:
    words = readme_verdicts()
    assert len(words) > 40 and {"escalate_now", "flagged", "at_risk", "share", "in_contract"} <= set(words)


@pytest.mark.parametrize("verdict", readme_verdicts())
def test_every_readme_verdict_has_its_own_colour(verdict: str) -> None:
    assert verdict in cards.VERDICT_COLOR, f"{verdict} has no colour in adapters/teams/cards.py"
    assert colour_of(verdict) == cards.VERDICT_COLOR[verdict]


def test_verdicts_the_core_emits_have_colours_too() -> None:
    assert core_verdicts() - set(cards.VERDICT_COLOR) == set()


@pytest.mark.parametrize(
    "verdict,colour",
    [
        ("escalate_now", "Attention"),
        ("flagged", "Attention"),
        ("at_risk", "Attention"),
        ("protect", "Attention"),
        ("share", "Good"),
        ("clean", "Good"),
        ("in_contract", "Good"),
        ("not_yet", "Warning"),
        ("verbal", "Warning"),
    ],
)
def test_urgent_and_good_verdicts(verdict: str, colour: str) -> None:
    assert colour_of(verdict) == colour


def test_an_unknown_verdict_is_no_false_alarm() -> None:
    assert colour_of("something_new") == "Default"
