"""Recognising what Microsoft said: a note about their statement → a `Classified` move of
knowledge/counter_moves.yaml (its patterns first, then a classifier trained from its example
wordings), and when it was said. The playbook (bot/playbooks/counter_moves.py) coaches the
answer from this result; it reads no model, no environment and no disk."""

from __future__ import annotations

import re
from datetime import datetime

from bot.knowledge import Knowledge
from bot.patterns import compiled
from bot.playbooks.counter_moves import OTHER, Classified, StatementType, excerpt
from bot.understanding.config import config
from bot.understanding.model import TextModel, cached
from bot.understanding.values import read_past_moment


def classify(text: str, kb: Knowledge) -> Classified:
    low = text.casefold()
    types: list[StatementType] = kb.section("counter_moves.statements")
    for st in types:
        for p in st.patterns:
            m = compiled(p.match, re.IGNORECASE).search(low)
            if m:
                return Classified(st.type, p.label, st.rule, m.group(0))
    guess = rank(text, kb)[0]
    if guess[0] != OTHER and guess[1] >= config(kb).statement_confident:
        st = next(t for t in types if t.type == guess[0])
        return Classified(st.type, st.default_label, st.rule, "")
    return Classified(OTHER, excerpt(text), None, "")


def _train(kb: Knowledge) -> TextModel:
    pairs = [(ex, st.type) for st in kb.section("counter_moves.statements") for ex in st.examples]
    pairs += [(ex, OTHER) for ex in kb.section("counter_moves.other_examples")]
    return cached("statements", pairs)


def rank(text: str, kb: Knowledge) -> list[tuple[str, float]]:
    """Every statement type (and "other") with the classifier's probability, best first."""
    return kb.derive("counter_moves.model", _train).rank(text)


def when_said(text: str, now: datetime, tz: str | None = "UTC") -> datetime:
    """When it happened, if the words say ("yesterday", "about a month ago", "on Tuesday",
    "on 3 November"); otherwise now."""
    return read_past_moment(text, now, tz) or now
