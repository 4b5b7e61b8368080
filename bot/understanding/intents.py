"""Which intent an everyday sentence most likely means, learnt from knowledge/'s examples.

The model is built once per knowledge base (`Knowledge.derive`; trained, or loaded from
the cache when these examples were trained before) from every typed
intent's `examples:` plus a "none of these" class (understanding.yaml `outside_examples`),
so text unlike anything the coach does gets its probability mass there, not spread over
real intents. Examples and messages both pass through the lexicon first (one word for the
rep, for Microsoft, for a nudge …), so the model learns the thing, not one name for it.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.knowledge import Knowledge
from bot.understanding.config import config
from bot.understanding.lexicon import compile_lexicon
from bot.understanding.model import TextModel, cached


def canonical(kb: Knowledge) -> Callable[[str], str]:
    """The lexicon's rewrite for this knowledge base."""
    return kb.derive("understanding.lexicon", lambda kb: compile_lexicon(config(kb).lexicon))


def training_pairs(kb: Knowledge) -> list[tuple[str, str]]:
    """(rewritten example, intent) pairs; the model's cache key is a hash of these, so a
    changed lexicon trains afresh."""
    rewrite = canonical(kb)
    pairs = [(ex, spec.name) for spec in kb.intents if spec.typed for ex in spec.examples]
    outside = config(kb).outside_label
    pairs += [(ex, outside) for ex in config(kb).outside_examples]
    return [(rewrite(text), label) for text, label in pairs]


def _build(kb: Knowledge) -> TextModel:
    return cached("intents", training_pairs(kb))


def model(kb: Knowledge) -> TextModel:
    return kb.derive("understanding.intents", _build)


def rank(text: str, kb: Knowledge) -> list[tuple[str, float]]:
    """Intent names best first, with probabilities (the "none of these" label included)."""
    return model(kb).rank(canonical(kb)(text))


def warm(kb: Knowledge) -> None:
    """Build (or load) every free-text model now, so the first message doesn't wait."""
    from bot.understanding.disclosure import model as disclosure_model
    from bot.understanding.fact_reading import model as fact_reading_model
    from bot.understanding.statements import rank as rank_statement

    rank("hello", kb)
    rank_statement("hello", kb)
    disclosure_model(kb)  # the leak check's disclosure reading
    fact_reading_model(kb)  # the fact-key reading
