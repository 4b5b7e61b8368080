"""Which intent an everyday sentence most likely means, learnt from knowledge/'s examples.

The model is built once per knowledge base (`Knowledge.derive`; trained, or loaded from
the cache when these examples were trained before) from every typed
intent's `examples:` plus a "none of these" class (understanding.yaml `outside_examples`),
so text unlike anything the coach does gets its probability mass there, not spread over
real intents. Examples and messages both pass through the lexicon first (one word for the
rep, for Microsoft, for a nudge …), so the model learns the thing, not one name for it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import bot.understanding.lexicon as lexicon_module
from bot.knowledge import Knowledge
from bot.understanding.config import config
from bot.understanding.lexicon import compile_lexicon
from bot.understanding.model import TextModel, cached


def canonical(kb: Knowledge) -> Callable[[str], str]:
    """The lexicon's rewrite for this knowledge base."""
    return kb.derive("understanding.lexicon", lambda kb: compile_lexicon(config(kb).lexicon))


def training_pairs(kb: Knowledge) -> list[tuple[str, str]]:
    """(rewritten example, intent) pairs: what the model is trained on."""
    rewrite = canonical(kb)
    return [(rewrite(text), label) for text, label in _examples(kb)]


def _examples(kb: Knowledge) -> list[tuple[str, str]]:
    pairs = [(ex, spec.name) for spec in kb.intents if spec.typed for ex in spec.examples]
    outside = [*config(kb).outside_examples, *more_outside_examples(kb)]
    return pairs + [(ex, config(kb).outside_label) for ex in outside]


def more_outside_examples(kb: Knowledge) -> list[str]:
    """Lines that ask nothing the coach does, written by other hands (the spent blind authors'
    `out_of_scope` lines, knowledge/blind_training_spent.yaml): more of the "none of these" class."""
    return list(kb.section("blind_training_spent.outside_examples"))


def build(kb: Knowledge) -> TextModel:
    """The model: from the cache when these examples were trained before, else trained."""
    # Keyed on the examples as written, the lexicon and the rewrite's code: the examples are
    # rewritten only when the model is trained, not at every start that finds it cached.
    recipe = {"lexicon": config(kb).lexicon, "rewrite": _REWRITE_CODE}
    return cached("intents", _examples(kb), prepare=lambda _raw: training_pairs(kb), recipe=recipe)


# The rewrite's own code, so a change to how the lexicon applies trains afresh.
_REWRITE_CODE = hashlib.sha256(Path(lexicon_module.__file__).read_bytes()).hexdigest()[:16]


def model(kb: Knowledge) -> TextModel:
    return kb.derive("understanding.intents", build)


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
