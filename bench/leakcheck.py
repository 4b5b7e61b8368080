"""Time to check a 2,000-character e-mail for leaks (goal: p99 ≤ 10 ms).

The e-mails are built from our own drafts (tests/data/leakcheck_drafts.yaml): each is a greeting,
paragraphs and bullets of drafts joined up to about 2,000 characters, a signature and a quoted
reply, checked for the AE against a deal that holds a budget, a walk-away and a signing date
(so the protected-fact readings run too). Printed beside a floor measured in the same run: the
value readers alone (every amount and percentage of the same e-mail), which the check runs once
per sentence, and the rules without the disclosure reading (bot/understanding/disclosure.py);
and after the check, the reply's rewrite checked again (it reuses the first check's readings and
masked sentences).
Run: python -m bench.leakcheck [--rounds N]
"""

from __future__ import annotations

import argparse
import gc
import random
from datetime import UTC, datetime
from pathlib import Path

import yaml

from adapters.runtime import pin_cpu
from bench.fact_reader import line, timings
from bot.features import default_knowledge
from bot.playbooks.leakcheck import check, rewrite_checked
from bot.timeline import FACT, Event, make_view
from bot.understanding.disclosure import reader
from bot.understanding.facts import money_amounts
from bot.understanding.values import read_percents, warm_dates

DRAFTS = Path(__file__).resolve().parents[1] / "tests" / "data" / "leakcheck_drafts.yaml"
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def emails(n: int, size: int = 2000, seed: int = 7) -> list[str]:
    """n e-mails of about `size` characters each from the drafts, in a shuffled order."""
    doc = yaml.safe_load(DRAFTS.read_text(encoding="utf-8"))
    bodies = [" ".join(d["message"].split()) for d in doc["drafts"]]
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        parts = ["Hi Jane,", ""]
        quoted = "\n\nOn Mon, 30 Nov 2026, Jane Doyle wrote:\n> Could you tell me your budget for next year?"
        while sum(len(p) + 1 for p in parts) < size - 60 - len(quoted):
            body = rnd.choice(bodies)
            parts.append(f"- {body}" if rnd.random() < 0.3 else body)
        parts += ["", "Best regards,", "Tom"]
        out.append(("\n".join(parts) + quoted)[:size])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=20, help="passes over the e-mails")
    ap.add_argument("--emails", type=int, default=50)
    args = ap.parse_args()
    pin_cpu("auto")
    kb = default_knowledge()
    warm_dates()
    facts = {
        "budget_per_year": 1_500_000,
        "walk_threshold_per_year": 1_800_000,
        "signature_date": "2027-06-15",
    }
    events = [Event(i + 1, FACT, {"key": k, "value": v}, "u1", NOW) for i, (k, v) in enumerate(facts.items())]
    deal = make_view(1, "Bench deal", events)
    texts = emails(args.emails)
    for t in texts:  # warm the compiled patterns and the disclosure model (a reader per message,
        check(t, "ae", kb, deal, NOW, reader(kb))  # as the skill makes one: nothing read is kept)
    gc.collect()
    gc.freeze()
    avg = sum(len(t) for t in texts) / len(texts)
    print(f"{len(texts)} e-mails of {avg:,.0f} characters x {args.rounds} rounds")
    floor = timings(lambda t: (money_amounts(t, kb), read_percents(t)), texts, args.rounds)
    print(line("floor: value readers alone", floor))
    print(
        line(
            "rules alone (protected facts, AE)",
            timings(lambda t: check(t, "ae", kb, deal, NOW), texts, args.rounds),
        )
    )
    print(
        line(
            "leak check with the disclosure reading",
            timings(lambda t: check(t, "ae", kb, deal, NOW, reader(kb)), texts, args.rounds),
        )
    )

    def with_rewrite(t: str) -> None:  # what the reply does: the check, the rewrite, its re-check
        read = reader(kb)
        rewrite_checked(t, check(t, "ae", kb, deal, NOW, read), kb, deal, NOW, read)

    print(line("check + the rewrite checked again", timings(with_rewrite, texts, args.rounds)))


if __name__ == "__main__":
    main()
