"""A verdict looks the same everywhere: its tone (go / wait / stop / info / neutral, in
bot/reply.py) is the one rule the Slack header, the Teams card and the terminal follow. Every
verdict word the README lists, and every one the core emits, has a tone."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from adapters.console import render as terminal
from adapters.slack import blocks
from adapters.teams import cards
from bot.reply import VERDICT_TONE, Reply, tone_of

ROOT = Path(__file__).resolve().parents[1]


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


def reply(verdict: str) -> Reply:
    return Reply(headline="Headline.", verdict=verdict, verdict_label="The verdict.")


def card_colour(verdict: str) -> str:
    (block,) = [b for b in cards.render(reply(verdict))["body"] if b.get("text") == "The verdict."]
    return block["color"]


def slack_header(verdict: str) -> str:
    (header,) = [b for b in blocks.render(reply(verdict)) if b["type"] == "header"]
    return header["text"]["text"]


def terminal_style(verdict: str) -> str:
    console = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor", width=100)
    terminal.render(reply(verdict), console)
    out = console.file.getvalue()
    return out[: out.index("The verdict.")]


def test_the_readme_table_was_read() -> None:
    words = readme_verdicts()
    assert len(words) > 40 and {"escalate_now", "flagged", "at_risk", "share", "in_contract"} <= set(words)


@pytest.mark.parametrize("verdict", readme_verdicts())
def test_every_readme_verdict_has_a_tone(verdict: str) -> None:
    assert verdict in VERDICT_TONE, f"{verdict} has no tone in bot/reply.py"


def test_verdicts_the_core_emits_have_tones_too() -> None:
    assert core_verdicts() - set(VERDICT_TONE) == set()


@pytest.mark.parametrize("verdict", readme_verdicts())
def test_every_surface_follows_the_tone(verdict: str) -> None:
    tone = tone_of(verdict)
    assert card_colour(verdict) == cards.TONE_COLOR[tone]
    assert slack_header(verdict) == f"{blocks.TONE_EMOJI[tone]} The verdict.".strip()
    assert terminal_style(verdict) == terminal_style_of_tone(tone)


def terminal_style_of_tone(tone: str) -> str:
    """What the terminal prints before the wording for a verdict of this tone."""
    sample = next(v for v, t in VERDICT_TONE.items() if t == tone)
    return terminal_style(sample)


@pytest.mark.parametrize(
    "verdict,tone,colour,emoji",
    [
        ("escalate_now", "go", "Good", ":large_green_circle:"),
        ("not_yet", "wait", "Warning", ":large_yellow_circle:"),
        ("do_not_escalate", "stop", "Attention", ":red_circle:"),  # red on every surface
        ("flagged", "stop", "Attention", ":red_circle:"),
        ("protect", "stop", "Attention", ":red_circle:"),
        ("at_risk", "stop", "Attention", ":red_circle:"),
        ("clean", "go", "Good", ":large_green_circle:"),
        ("in_contract", "go", "Good", ":large_green_circle:"),
        ("verbal", "wait", "Warning", ":large_yellow_circle:"),
    ],
)
def test_urgent_and_good_verdicts_look_alike_in_slack_and_teams(verdict, tone, colour, emoji) -> None:
    assert tone_of(verdict) == tone
    assert card_colour(verdict) == colour
    assert slack_header(verdict).startswith(emoji)


def test_the_terminal_styles_stop_red_and_go_green() -> None:
    assert "\x1b[1;31m" in terminal_style("do_not_escalate")
    assert "\x1b[1;32m" in terminal_style("escalate_now")


def test_an_unknown_verdict_is_no_false_alarm() -> None:
    assert tone_of("something_new") == "neutral"
    assert card_colour("something_new") == "Default"
    assert slack_header("something_new") == "The verdict."
