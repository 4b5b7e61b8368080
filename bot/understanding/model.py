"""A small text classifier trained from labelled example phrasings.

Word 1–2-grams carry meaning ("go higher", "sign by"); character 2–5-grams inside word
boundaries carry spelling (typos, "licence"/"license", plurals). A linear SVM
(liblinear: fast to train, deterministic) scores every label; a softmax over the scores,
at a fixed sharpness, turns them into probabilities that sum to 1. scikit-learn is
imported here, lazily, so only code that reads free text pays for it; `coach --help`
never does.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Numbers, money and dates differ in every message and say nothing about what is asked;
# one placeholder each keeps "$1.2M" and "250k" from looking like new words.
_MONEY = re.compile(r"[$€£]\s?\d[\d,.]*\s*(k|m|mm|bn|million|thousand)?\b|\b\d[\d,.]*\s*(k|m|mm|bn)\b", re.I)
_NUMBER = re.compile(r"\d[\d,.:/-]*")
# Softmax sharpness over the SVM's margins (which mostly fall within -1.5..1): at 5 a clear
# winner gets most of the mass and a near-tie splits it, which the thresholds rely on.
SHARPNESS = 5.0


def normalise(text: str) -> str:
    low = text.casefold().replace("’", "'")
    low = _MONEY.sub(" 0money ", low)
    return _NUMBER.sub(" 0 ", low)


@dataclass(frozen=True)
class TextModel:
    """A trained classifier: `rank(text)` gives every label with its probability, best first."""

    labels: tuple[str, ...]
    pipeline: Any  # sklearn Pipeline; opaque to callers

    def rank(self, text: str) -> list[tuple[str, float]]:
        scores = [float(s) * SHARPNESS for s in self.pipeline.decision_function([normalise(text)])[0]]
        top = max(scores)
        weights = [math.exp(s - top) for s in scores]
        total = sum(weights)
        ranked = sorted(zip(self.labels, weights, strict=True), key=lambda lw: -lw[1])
        return [(label, w / total) for label, w in ranked]


def train(pairs: Sequence[tuple[str, str]], *, c: float = 1.0, seed: int = 0) -> TextModel:
    """Fit on (text, label) pairs. Deterministic: the same pairs give the same model."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.svm import LinearSVC

    if len({label for _, label in pairs}) < 2:
        raise ValueError("a classifier needs examples of at least two labels")
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)),
        ]
    )
    pipeline = Pipeline([("features", features), ("classify", LinearSVC(C=c, random_state=seed))])
    texts = [normalise(t) for t, _ in pairs]
    labels = [label for _, label in pairs]
    pipeline.fit(texts, labels)
    return TextModel(labels=tuple(str(c) for c in pipeline.classes_), pipeline=pipeline)
