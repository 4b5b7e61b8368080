"""The verdict's wording appears exactly once on every surface, whether a reply gives it beside
the headline ("Not yet." + "You've had one round.") or as the headline's first words ("Logged: …").
One rule (`bot.reply.headline_parts`) decides for the terminal, the JSON text, Slack and Teams."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
from rich.console import Console

from adapters.console import render as console
from adapters.slack import blocks
from adapters.teams import cards
from bot.reply import Reply, headline_parts

SHAPES = [
    # (label, headline, the words the label must show once, what must follow it)
    ("Not yet.", "You've had one round with the account team.", "not yet", "one round with the account team"),
    ("Logged:", "Logged: Jane promised unit prices.", "logged", "jane promised unit prices"),
    ("Contact map", "Contact map for Woodgrove:", "contact map", "for woodgrove"),
    ("Not yet.", "not yet, the sponsor hasn't seen it.", "not yet", "the sponsor hasn't seen it"),
    ("Clean.", "Clean.", "clean", None),
    ("Fine to share.", "", "fine to share", None),
]


def plain(reply: Reply) -> str:
    return reply.plain_text()


def json_text(reply: Reply) -> str:
    return reply.to_dict()["text"]


def terminal(reply: Reply) -> str:
    screen = Console(record=True, width=200, color_system=None)
    console.render(reply, screen)
    return screen.export_text()


def slack_blocks(reply: Reply) -> str:
    def texts(node: Any) -> list[str]:
        if isinstance(node, dict):
            found = [node["text"]] if isinstance(node.get("text"), str) else []
            return found + [t for v in node.values() for t in texts(v)]
        if isinstance(node, list):
            return [t for v in node for t in texts(v)]
        return []

    return "\n".join(texts(blocks.render(reply)))


def slack_notification(reply: Reply) -> str:
    return blocks.fallback_text(reply)


def teams_card(reply: Reply) -> str:
    return "\n".join(b["text"] for b in cards.render(reply)["body"] if b.get("type") == "TextBlock")


SURFACES = [plain, json_text, terminal, slack_blocks, slack_notification, teams_card]


def times(words: str, text: str) -> int:
    return len(re.findall(re.escape(words), text.casefold()))


@pytest.mark.parametrize("surface", SURFACES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("label,headline,words,rest", SHAPES)
def test_each_surface_shows_the_label_once(surface, label, headline, words, rest) -> None:
    shown = surface(Reply(headline=headline, verdict="not_yet", verdict_label=label))
    assert times(words, shown) == 1, shown
    if rest:
        assert times(rest, shown) == 1, shown


@pytest.mark.parametrize("surface", SURFACES, ids=lambda f: f.__name__)
def test_a_reply_without_a_verdict_shows_its_headline_as_is(surface) -> None:
    shown = surface(Reply(headline="Deal Woodgrove EA renewal created."))
    assert "Deal Woodgrove EA renewal created." in shown


def test_the_split_keeps_the_headline_whole_on_one_line() -> None:
    carried = headline_parts("Logged: Jane promised unit prices.", "Logged:")
    assert (carried.label, carried.rest) == ("Logged:", "Jane promised unit prices.")
    assert carried.line == "Logged: Jane promised unit prices."
    beside = headline_parts("You've had one round.", "Not yet.")
    assert (beside.label, beside.rest) == ("Not yet.", "You've had one round.")
    assert beside.line == "Not yet. You've had one round."
    # a label that only resembles the opening words is not taken for it
    other = headline_parts("Notably, one round.", "Not yet.")
    assert other.line == "Not yet. Notably, one round."


@pytest.mark.parametrize("surface", SURFACES, ids=lambda f: f.__name__)
async def test_a_real_logged_commitment_says_logged_once(chat, deal, surface) -> None:
    reply = await chat("log commitment: Jane Doe (AE) promised named unit prices in the quote")
    assert reply.verdict_label and reply.headline.startswith("Logged")
    assert times("logged", surface(reply)) == 1


@pytest.mark.parametrize("surface", SURFACES, ids=lambda f: f.__name__)
async def test_a_real_escalation_verdict_says_its_label_once(chat, deal, surface) -> None:
    await chat("should we escalate now?")
    reply = await chat("2 rounds. Finance and IT yes, procurement not yet. Copilot price, about $300k.")
    assert reply.verdict == "not_yet"
    first = reply.headline_parts()
    assert first.label
    top = replace(reply, sections=[], actions=[], questions=[], footer=None)  # "not yet" recurs below
    assert times(first.label.rstrip(".!:").casefold(), surface(top)) == 1
