"""Which intent an everyday sentence most likely means, learnt from knowledge/'s examples.

The model is built once per knowledge base (`Knowledge.derive`; trained, or loaded from
the cache when these examples were trained before) from every typed
intent's `examples:` plus a "none of these" class (understanding.yaml `outside_examples`),
so text unlike anything the coach does gets its probability mass there, not spread over
real intents.
"""

from __future__ import annotations

from bot.knowledge import Knowledge
from bot.understanding.config import config
from bot.understanding.model import TextModel, cached


def training_pairs(kb: Knowledge) -> list[tuple[str, str]]:
    pairs = [(ex, spec.name) for spec in kb.intents if spec.typed for ex in spec.examples]
    outside = config(kb).outside_label
    pairs += [(ex, outside) for ex in config(kb).outside_examples]
    return pairs


def _build(kb: Knowledge) -> TextModel:
    return cached("intents", training_pairs(kb))


def model(kb: Knowledge) -> TextModel:
    return kb.derive("understanding.intents", _build)


def rank(text: str, kb: Knowledge) -> list[tuple[str, float]]:
    """Intent names best first, with probabilities (the "none of these" label included)."""
    return model(kb).rank(text)


def warm(kb: Knowledge) -> None:
    """Build (or load) every free-text model now, so the first message doesn't wait."""
    from bot.playbooks.counter_moves import rank as rank_statement

    rank("hello", kb)
    rank_statement("hello", kb)
