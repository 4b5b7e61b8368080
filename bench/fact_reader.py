"""Time to read the facts of one message: read_facts over every sentence of the fact corpus.

Prints p50/p99 per message for read_facts (and read_contacts), beside a floor measured in the
same run: the form reader as it reads a statement today (bot.forms.read_answers with the keys
marked from_statements), which is a handful of regex scans. dateparser is warmed first, as
the server does at start-up. Run: python -m bench.fact_reader [--rounds N]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from adapters.runtime import pin_cpu
from bot.features import default_knowledge
from bot.forms import read_answers
from bot.understanding.facts import read_contacts, read_facts
from bot.understanding.values import warm_dates

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "facts_corpus.yaml"


def timings(fn: Callable[[str], object], texts: list[str], rounds: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds per call. On a shared machine a call preempted by another
    process lands in the wall-clock p99; its CPU time shows what the code itself costs."""
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(rounds):
        for t in texts:
            c0, w0 = time.thread_time(), time.perf_counter()
            fn(t)
            wall.append(time.perf_counter() - w0)
            cpu.append(time.thread_time() - c0)
    return wall, cpu


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * q))] * 1e3


def line(name: str, samples: tuple[list[float], list[float]]) -> str:
    wall, cpu = samples
    return (
        f"{name:34} wall p50 {statistics.median(wall) * 1e3:6.3f} ms  p99 {_pct(wall, 0.99):6.3f} ms"
        f"  | cpu p50 {statistics.median(cpu) * 1e3:6.3f} ms  p99 {_pct(cpu, 0.99):6.3f} ms"
        f"  max {max(cpu) * 1e3:6.3f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=20, help="passes over the corpus")
    args = ap.parse_args()
    pin_cpu("auto")  # the bench keeps to one CPU for steady figures
    doc = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    tz = doc["tz"]
    now = datetime.fromisoformat(doc["now"]).replace(tzinfo=ZoneInfo(tz))
    texts = [c["text"] for part in ("dev", "held_out") for c in doc[part]]
    kb = default_knowledge()
    warm_dates()
    keys = [k for k, spec in kb.facts.items() if spec.extract and spec.from_statements]
    for t in texts:  # warm the compiled patterns and caches
        read_facts(t, kb, now=now, tz=tz)
        read_answers(t, keys, kb)
    gc.collect()
    gc.freeze()  # the knowledge base and compiled patterns are long-lived, as in the server
    print(f"{len(texts)} messages x {args.rounds} rounds")
    print(
        line(
            "floor: forms.read_answers (today)",
            timings(lambda t: read_answers(t, keys, kb), texts, args.rounds),
        )
    )
    print(line("read_facts", timings(lambda t: read_facts(t, kb, now=now, tz=tz), texts, args.rounds)))
    print(line("read_contacts", timings(lambda t: read_contacts(t, kb), texts, args.rounds)))
    both = timings(lambda t: (read_facts(t, kb, now=now, tz=tz), read_contacts(t, kb)), texts, args.rounds)
    print(line("read_facts + read_contacts", both))


if __name__ == "__main__":
    main()
