"""From a chat message to an intent: the command grammar first, then free-text patterns,
then a classifier trained on the intents' example phrasings.

All three live in knowledge/ (`intents:`, understanding.yaml), so wording can be tuned
without code. Deterministic: the same text always means the same thing. Below the
classifier's confidence threshold nothing is guessed; the ranking is kept so the coach can
ask "Did you mean …".
"""

from __future__ import annotations

from bot.intent import Intent
from bot.knowledge import Knowledge
from bot.understanding.config import config
from bot.understanding.grammar import clean, match_command, match_pattern, pattern_args
from bot.understanding.reading import read

__all__ = [
    "Ranking",
    "button_label",
    "clean",
    "did_you_mean",
    "match_classifier",
    "match_command",
    "match_pattern",
    "pattern_args",
    "suggestions",
    "understand",
    "understand_ranked",
]


Ranking = list[tuple[str, float]]


def match_classifier(text: str, kb: Knowledge) -> tuple[Intent | None, Ranking]:
    """The classifier's pick when it is confident, and its ranking of real intents either way."""
    from bot.understanding.intents import rank

    settings = config(kb)
    ranking = rank(text, kb)
    best, p = ranking[0]
    real = [(name, prob) for name, prob in ranking if name != settings.outside_label]
    if best != settings.outside_label and p >= settings.confident:
        return Intent(best, pattern_args(best, text, kb), text), real
    return None, real


def understand_ranked(text: str, kb: Knowledge) -> tuple[Intent | None, Ranking]:
    """The intent meant (or None) and the classifier's ranking, from one reading of the text
    (bot/understanding/reading.py: command, patterns, the model, then its named rules)."""
    text = clean(text)
    if not text:
        return None, []
    r = read(text, kb, with_facts=False)
    if r.intent is None:
        return None, list(r.ranking)
    return Intent(r.intent, dict(r.args), text), list(r.ranking)


def understand(text: str, kb: Knowledge) -> Intent | None:
    return understand_ranked(text, kb)[0]


def did_you_mean(ranking: Ranking, kb: Knowledge) -> list[str]:
    """The two or three intents worth offering for an unclear message, best first."""
    settings = config(kb)
    offered = {s.name for s in kb.intents if s.typed and s.name not in settings.never_suggest}
    out = [name for name, p in ranking if p >= settings.suggest and name in offered]
    return out[: settings.max_suggestions]


def button_label(name: str, kb: Knowledge) -> str:
    spec = next((s for s in kb.intents if s.name == name), None)
    if spec is None:
        return name
    return spec.label or spec.usage or spec.name


def suggestions(kb: Knowledge, limit: int = 5) -> list[str]:
    """A few things to try, from the intents' own examples."""
    out: list[str] = []
    for spec in sorted(kb.intents, key=lambda s: -s.priority):
        if spec.examples and spec.help:
            out.append(spec.examples[0])
        if len(out) >= limit:
            break
    return out
