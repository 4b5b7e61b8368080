"""A small text classifier trained from labelled example phrasings.

Word 1–2-grams carry meaning ("go higher", "sign by"); character 2–5-grams inside word
boundaries carry spelling (typos, "licence"/"license", plurals). Each group is TF-IDF
weighted (sublinear counts) and scaled to unit length; a linear SVM scores every label,
and a softmax over the scores, at a fixed sharpness, turns them into probabilities.

scikit-learn only trains. The trained weights are plain arrays that this module applies
itself with numpy, so reading a message never needs scikit-learn, and a model already
trained for the same examples is loaded from a cache file instead of trained again (see
`cached`). scikit-learn's import alone costs seconds and ~90 MB, so training runs in a
child process when it can; the server and the CLI only ever hold numpy and the arrays.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import math
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

log = logging.getLogger("coach.understanding")

# Bump when features or training change: old cache files then no longer match.
FORMAT = 1
C = 1.0  # the SVM's regularisation: 1 generalised best to the held-out corpus
SEED = 0
# Softmax sharpness over the SVM's margins (which mostly fall within -1.5..1): at 5 a clear
# winner gets most of the mass and a near-tie splits it, which the thresholds rely on.
SHARPNESS = 5.0
CACHE_ENV = "COACH_MODEL_CACHE"
# Joins the labels of one text for a multi-label model (see `train`).
MULTI = "|"
MULTI_FORMAT = 1  # bump when multi-label training changes (its models only are trained again)

# Numbers, money and dates differ in every message and say nothing about what is asked;
# one placeholder each keeps "$1.2M" and "250k" from looking like new words.
_MONEY = re.compile(r"[$€£]\s?\d[\d,.]*\s*(k|m|mm|bn|million|thousand)?\b|\b\d[\d,.]*\s*(k|m|mm|bn)\b", re.I)
_NUMBER = re.compile(r"\d[\d,.:/-]*")
_WORD = re.compile(r"\b\w+\b")


def normalise(text: str) -> str:
    low = text.casefold().replace("’", "'")
    low = _MONEY.sub(" 0money ", low)
    return _NUMBER.sub(" 0 ", low)


def word_features(text: str) -> list[str]:
    """Words and word pairs of normalised text."""
    tokens = _WORD.findall(text)
    return tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


def char_features(text: str) -> list[str]:
    """2–5-character pieces of each word, padded with a space on both sides."""
    out: list[str] = []
    for word in text.split():
        padded = f" {word} "
        for n in range(2, 6):
            if n > len(padded):
                break
            out.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return out


@dataclass(frozen=True)
class TextModel:
    """Trained weights: `rank(text)` gives every label with its probability, best first."""

    labels: tuple[str, ...]
    columns: dict[str, int]  # "w:word" / "c:chars" -> column
    idf: Any  # numpy float array, one per column
    weights: Any  # numpy (columns, labels)
    bias: Any  # numpy (labels,)

    @cached_property
    def _lookup(self) -> tuple[dict[str, int], dict[str, int], list[float]]:
        """Word columns and character columns by feature (without their "w:"/"c:" prefix), and
        the idf weights as Python floats: built once, so scoring a message makes no key strings
        and reads no numpy scalars. The same numbers as `columns` and `idf`."""
        words = {k[2:]: v for k, v in self.columns.items() if k.startswith("w:")}
        chars = {k[2:]: v for k, v in self.columns.items() if k.startswith("c:")}
        return words, chars, [float(x) for x in self.idf]

    def scores(self, text: str) -> Any:
        import numpy as np

        norm = normalise(text)
        words, chars, idf = self._lookup
        cols: list[int] = []
        vals: list[float] = []
        for columns, feats in ((words, word_features(norm)), (chars, char_features(norm))):
            group_cols, group_vals = [], []
            for feat, count in Counter(feats).items():
                col = columns.get(feat)
                if col is not None:
                    group_cols.append(col)
                    # (1 + log 1) is exactly 1: most features occur once, and skip the log
                    group_vals.append(idf[col] if count == 1 else (1.0 + math.log(count)) * idf[col])
            length = math.sqrt(sum(v * v for v in group_vals)) or 1.0
            cols += group_cols
            vals += [v / length for v in group_vals]
        if not cols:
            return self.bias.copy()
        # Multiply and sum rather than a matrix product: a BLAS call would wake its thread
        # pool, whose spinning threads then compete with the event loop for a pinned CPU.
        return (self.weights[cols] * np.asarray(vals)[:, None]).sum(axis=0) + self.bias

    def rank(self, text: str) -> list[tuple[str, float]]:
        scores = [float(s) * SHARPNESS for s in self.scores(text)]
        top = max(scores)
        weights = [math.exp(s - top) for s in scores]
        total = sum(weights)
        ranked = sorted(zip(self.labels, weights, strict=True), key=lambda lw: -lw[1])
        return [(label, w / total) for label, w in ranked]

    def save(self, path: Path) -> None:
        """Write atomically (a temporary file, then rename): a reader never sees half a file."""
        import numpy as np

        names = sorted(self.columns, key=self.columns.__getitem__)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(
                    fh,
                    labels=np.array(self.labels),
                    columns=np.array(names),
                    idf=self.idf,
                    weights=self.weights,
                    bias=self.bias,
                )
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> TextModel:
        import numpy as np

        with np.load(path, allow_pickle=False) as data:  # arrays only: no code in a cache file
            labels = tuple(str(x) for x in data["labels"])
            names = [str(x) for x in data["columns"]]
            idf, weights, bias = data["idf"], _compact(data["weights"]), data["bias"]
        if (
            weights.shape != (len(names), len(labels))
            or idf.shape != (len(names),)
            or bias.shape != (len(labels),)
        ):
            raise ValueError("model file shapes don't agree")
        return cls(labels, {n: i for i, n in enumerate(names)}, idf, weights, bias)


def train(pairs: Sequence[tuple[str, str]]) -> TextModel:
    """Fit on (text, label) pairs with scikit-learn. Deterministic: same pairs, same model."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    if len({one for _, label in pairs for one in label.split(MULTI)}) < 3:
        raise ValueError("a classifier needs examples of at least three labels")
    texts = [normalise(t) for t, _ in pairs]
    labels = [label for _, label in pairs]
    words = TfidfVectorizer(analyzer=word_features, sublinear_tf=True)
    chars = TfidfVectorizer(analyzer=char_features, sublinear_tf=True, min_df=2)
    from scipy.sparse import hstack

    x = hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
    if any(MULTI in label for label in labels):
        # Multi-label: a pair's label is several joined by MULTI ("budget_per_year|term_years");
        # one binary SVM per label, a text positive for each of its labels and negative for
        # the rest (duplicated rows would count one sentence against itself); classes weighted
        # by their size, since each label has few positives among many sentences.
        sets = [label.split(MULTI) for label in labels]
        names = sorted({one for s in sets for one in s})
        coef, bias = [], []
        for name in names:
            y = np.array([name in s for s in sets])
            one = LinearSVC(C=C, random_state=SEED, class_weight="balanced").fit(x, y)
            coef.append(one.coef_[0])
            bias.append(float(one.intercept_[0]))
        classes, weights, intercept = names, np.asarray(coef).T, np.asarray(bias)
    else:
        svm = LinearSVC(C=C, random_state=SEED).fit(x, labels)
        classes, weights, intercept = [str(c) for c in svm.classes_], svm.coef_.T, svm.intercept_.copy()
    columns = {f"w:{f}": i for f, i in words.vocabulary_.items()}
    offset = len(words.vocabulary_)
    columns.update({f"c:{f}": offset + i for f, i in chars.vocabulary_.items()})
    return TextModel(
        labels=tuple(classes),
        columns=columns,
        idf=np.concatenate([words.idf_, chars.idf_]),
        weights=_compact(weights),
        bias=intercept,
    )


def _compact(weights: Any) -> Any:
    """Weights held as 32-bit floats: half the memory of a model (most of it is this matrix, a
    row per feature), and a margin read to seven digits is more than the thresholds use."""
    import numpy as np

    return np.ascontiguousarray(weights, dtype=np.float32)


def fingerprint(pairs: Sequence[tuple[str, str]]) -> str:
    settings: dict[str, Any] = {"format": FORMAT, "c": C, "seed": SEED}
    if any(MULTI in label for _, label in pairs):
        settings["multi"] = MULTI_FORMAT  # multi-label training has its own settings
    doc = json.dumps({**settings, "pairs": list(pairs)}, ensure_ascii=False)
    return hashlib.sha256(doc.encode()).hexdigest()[:32]


def cache_dir() -> Path:
    from bot.settings import Settings, load

    configured = load(Settings).model_cache  # read now, not cached: tests set it per session
    if configured:
        return Path(configured)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("deal-coach")) / "models"


def cached(
    name: str,
    pairs: Sequence[tuple[str, str]],
    *,
    prepare: Callable[[Sequence[tuple[str, str]]], Sequence[tuple[str, str]]] | None = None,
    recipe: Any = None,
) -> TextModel:
    """The model for these examples: from the cache when it was trained before, else
    trained (in a child process when possible) and cached. The file name carries a hash of
    the examples and the settings, so a changed example never meets a stale model.

    `prepare` turns the examples into what is trained on (the lexicon's rewrite); it runs only
    when training, so a start that finds the model pays nothing for it. `recipe` is what
    `prepare` depends on (the lexicon, the code that applies it): part of the hash."""
    key = list(pairs) if recipe is None else [*pairs, ("\x00recipe", json.dumps(recipe, sort_keys=True))]
    path = cache_dir() / f"{name}-{fingerprint(key)}.npz"
    try:
        return TextModel.load(path)
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError) as exc:  # unreadable or foreign: train afresh
        log.warning("model cache %s unusable (%s); training again", path.name, type(exc).__name__)
    if prepare is not None:
        pairs = prepare(pairs)
    if _train_in_child(pairs, path):
        try:
            return TextModel.load(path)
        except (OSError, ValueError, KeyError):
            pass
    model = train(pairs)
    try:
        model.save(path)
    except OSError as exc:  # a read-only home: keep the model in memory only
        log.warning("model cache not writable (%s); keeping it in memory", type(exc).__name__)
    return model


def _train_in_child(pairs: Sequence[tuple[str, str]], path: Path) -> bool:
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot.understanding.train", str(path)],
            input=json.dumps(list(pairs)),
            text=True,
            capture_output=True,
            timeout=300,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("training in a child process failed (%s); training here", type(exc).__name__)
        return False
    if done.returncode != 0:
        log.warning("training in a child process exited %s; training here", done.returncode)
    return done.returncode == 0
