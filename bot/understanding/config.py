"""When a classifier's guess is acted on, and what the coach says when it is not.

Everything tunable lives in knowledge/understanding.yaml; this module only validates it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.knowledge import Knowledge, KnowledgeSection


class Wording(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    did_you_mean: str
    did_you_mean_footer: str
    can_help: str
    can_help_items: list[str] = Field(min_length=1)
    can_help_footer: str
    # A bare "not sure" / "no idea" when no question of mine is open.
    unsure_nothing_open: str


class UnderstandingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # At or above this probability the best intent is taken as meant.
    confident: float = Field(gt=0, le=1)
    # While the coach waits for an answer, a statement it is at least this sure of is taken as
    # something new rather than the answer (questions need only `confident`).
    digress: float = Field(default=0.7, gt=0, le=1)
    # An act that removes what was told (undo) is taken from the classifier alone only at or
    # above this probability.
    acting_confident: float = Field(default=0.85, gt=0, le=1)
    # Torn between two readings: the second is at least this share of the first's probability.
    torn: float = Field(default=0.5, gt=0, le=1)
    # Intents at or above this probability are offered as "Did you mean …" buttons.
    suggest: float = Field(gt=0, le=1)
    max_suggestions: int = Field(ge=1, le=5)
    # Intents never offered as a button (nothing useful happens when they are pressed).
    never_suggest: list[str] = Field(default_factory=list)
    # Label of the "none of these" class trained from `outside_examples`.
    outside_label: str
    outside_examples: list[str] = Field(min_length=10)
    # Microsoft's statement types: below this the statement is kept as "other".
    statement_confident: float = Field(gt=0, le=1)
    # Canonical word -> the phrases people use for it; applied to examples and messages alike
    # before the intent model sees them (bot/understanding/lexicon.py).
    lexicon: dict[str, list[str]] = Field(default_factory=dict)
    # Cue words of the reading's rules that let a pattern give way (bot/understanding/reading.py).
    rule_cues: dict[str, str] = Field(default_factory=dict)
    wording: Wording

    @model_validator(mode="after")
    def _ordered(self) -> UnderstandingConfig:
        if self.suggest > self.confident:
            raise ValueError("suggest must not be above confident")
        return self


def _lines(raw: Any) -> tuple[str, ...]:
    """A list of non-empty phrasings."""
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise ValueError("must be a list of quoted, non-empty phrasings")
    return tuple(raw)


SECTIONS = (
    KnowledgeSection("understanding", "understanding", UnderstandingConfig),
    # More of the "none of these" class, written by other hands (bot/understanding/intents.py).
    KnowledgeSection("blind_training_spent", "outside_examples", _lines),
)


def config(kb: Knowledge) -> UnderstandingConfig:
    return kb.section("understanding.understanding")
