"""Tune the fact-key reading (knowledge/fact_reading.yaml) holding out one source at a time.

    [KIND=money] python scripts/fact_reading_tune.py [THRESHOLD_SHIFTS...]

For each held-out group (train3, train4, our fixing corpora, each half of the spent blind
authors), the classifier is trained on the rest; the rules plus the reading are scored on the
group's sentences against their facts (the evaluation of `coach eval facts`: right key and
value). Prints precision/recall of the rules alone and with the reading, and the reading's own
additions per kind.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.features import load_knowledge
from bot.understanding import fact_reading as fr
from bot.understanding.evaluate import same_value
from bot.understanding.facts import read_facts

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Europe/London"))
GROUPS = {
    "train3": {"train3"},
    "train4": {"train4"},
    "ours": {"facts_corpus.dev", "author1", "author2", "author3", "author4", "author5"},
    # the spent blind authors, in two halves (knowledge/fact_reading_spent.yaml)
    "spent_a": {f"author{n}" for n in range(7, 31)},
    "spent_b": {f"author{n}" for n in range(31, 55)},
}


def main(shifts: list[float]) -> None:
    kb = load_knowledge()
    s = fr.spec(kb)
    every = fr.training_sentences(kb)
    for name, group in GROUPS.items():
        scorer = fr._build(kb, frozenset(group))
        test = [x for x in every if x.by in group]

        def score(texts: list[str], scorer=scorer) -> list[dict[str, float]]:
            return [
                dict(zip(scorer.labels, map(float, row), strict=True)) for row in scorer.scores_many(texts)
            ]

        for shift in shifts:
            kind_only = os.environ.get("KIND")
            spec = s.model_copy(
                update={
                    "thresholds": {
                        k: v + (shift if kind_only in (None, k) else 0) for k, v in s.thresholds.items()
                    }
                }
            )
            base, more = Counter(), Counter()
            kinds: Counter[str] = Counter()
            for x in test:
                want = {k: v for k, v in x.facts.items() if k in kb.facts}
                rules = read_facts(x.text, kb, now=NOW, tz="Europe/London")
                added = _more(x.text, kb, rules, score, spec)
                for tally, facts in ((base, rules), (more, rules + added)):
                    got = {f.key: f.value for f in facts}
                    for k, v in got.items():
                        tally["right" if k in want and same_value(v, want[k]) else "wrong"] += 1
                    tally["want"] += len(want)
                for f in added:
                    ok = f.key in want and same_value(f.value, want[f.key])
                    kinds[f"{spec.values[f.key]}:{'ok' if ok else 'bad'}"] += 1
                    if not ok and len(shifts) == 1:
                        print(f"   BAD {f.key}={f.value!r} want {want.get(f.key)!r}: {x.text[:110]!r}")

            def pr(t: Counter[str]) -> str:
                p = t["right"] / max(1, t["right"] + t["wrong"])
                return f"P {p:.1%} R {t['right'] / max(1, t['want']):.1%}"

            print(
                f"{name:7} shift {shift:+.2f}  rules {pr(base)}  +reading {pr(more)}",
                dict(sorted(kinds.items())),
            )


def _more(text, kb, rules, score, spec):  # type: ignore[no-untyped-def]
    original = fr.spec
    fr.spec = lambda _kb: spec
    try:
        return fr.read_more(text, kb, rules, now=NOW, tz="Europe/London", score=score)
    finally:
        fr.spec = original


if __name__ == "__main__":
    main([float(a) for a in sys.argv[1:]] or [0.0])
