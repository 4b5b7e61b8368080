"""What one reading of a message costs (bot/understanding/reading.py): command, patterns, the
classifier's ranking, clauses, entities, attribution, facts and the named rules, with the
conversation's dialogue state resolving references, per message over the held-out corpora.

The floor, measured in the same run on the same lines: the classifier alone (rank), which
every reading includes. Memory: RSS with the knowledge and the model loaded (what the coach
held before), then after every line was read (the cues, the compiled rules, caches).
Run: python -m bench.reading [--rounds N]. The issue's budget: p99 <= 3 ms, memory +60 MB.
"""

from __future__ import annotations

import argparse
import gc
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.understanding import percentiles, rss_mb, timed

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=5, help="passes over the corpus")
    ap.add_argument("--cpu", default="auto", help="CPU to pin to, or 'off'")
    args = ap.parse_args(argv)
    from adapters.runtime import pin_cpu

    pin_cpu(args.cpu)
    base = rss_mb()
    from bot.dialogue.state import DialogueState, Person, Topic
    from bot.features import default_knowledge
    from bot.understand import clean
    from bot.understanding.evaluate import load_corpus, load_probe
    from bot.understanding.intents import rank, warm
    from bot.understanding.values import warm_dates

    kb = default_knowledge()
    warm(kb)
    warm_dates()
    corpus = load_corpus(ROOT / "tests" / "data" / "intents_corpus.yaml")
    lines = [t for v in corpus["intents"].values() for t in v] + corpus["out_of_scope"]
    probe = load_probe(ROOT / "tests" / "data" / "probe_2026_12_corpus.yaml")
    for part in ("fixing", "untouched", "written_after", "b_sealed"):
        lines += [t for v in probe[part]["intents"].values() for t in v]
    lines = [clean(t) for t in lines]
    for t in lines[:50]:  # the model's own caches warm, as after a few turns
        rank(t, kb)
    gc.collect()
    before = rss_mb()  # what the coach held before a reading existed: knowledge + model

    from bot.understanding.reading import read

    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    state = DialogueState(
        deal_id=1,
        topic=Topic("disclosure.share", "can I tell the AE our budget?", {}, now.isoformat()),
        people=(Person("Jane Smith", "ae", "microsoft"),),
        figure="2.4M a year",
    )
    contacts = {"Jane Smith": "ae", "Ana Ruiz": "csm"}
    known = {"deal_value_per_year": 2_000_000.0}

    def one_reading(text: str) -> object:
        return read(text, kb, now=now, tz="Europe/Berlin", known=known, contacts=contacts, state=state)

    one_reading(lines[0])
    floor = timed(lambda s: rank(s, kb), lines, args.rounds)
    whole = timed(one_reading, lines, args.rounds)
    gc.collect()
    after = rss_mb()

    print(f"reading bench: {len(lines)} corpus lines x {args.rounds} rounds")
    for name, (every, best) in (("floor (classifier rank alone)", floor), ("one reading (read)", whole)):
        p50, p99 = percentiles(every)
        b50, b99 = percentiles(best)
        print(f"{name}: p50 {p50:.3f} ms  p99 {p99:.3f} ms  (best of rounds: p50 {b50:.3f}  p99 {b99:.3f})")
    print(f"memory: {before - base:.1f} MB RSS for knowledge + model before any reading")
    print(f"memory added by reading every line: +{after - before:.1f} MB RSS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
