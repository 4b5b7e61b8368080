"""Write the training files made from the spent blind corpora (issue #21).

    python scripts/spent_training.py [LAST_AUTHOR]

A blind author's corpus measures strangers' wording only until it is scored once; after that it is
spent, and its lines teach instead. This writes, from tests/data/blind_*/authorN/ (N from 7 to
LAST_AUTHOR, default 54; author6 stays held out):

- knowledge/fact_reading_spent.yaml: the authors' fact sentences, for the fact-key reading;
- knowledge/blind_training_spent.yaml: their intent lines (`more_examples`) and out-of-scope
  lines (`outside_examples`), and the statements of their stories.

The story messages before the question teach what a statement is: without them, thousands of new
question phrasings pull plain statements ("two meetings with the AE so far") to questions. A
message is labelled with what the reading makes of it without this file (its statements only:
the deal told, Microsoft's words, a team's stance, a favour or promise logged, a contact); a
message it leaves open but reads facts from is the deal told; questions in mid-story are left out.

Left out everywhere: lines equal to a held-out corpus, the probe or author6; repeats; phrasings of
`fact.set` and `deal.tell` in the intent files (statements whose facts the fact reader draws); and
the few lines the command grammar, a pattern or a rule reads as another intent once trained, since
every training phrasing must be understood as its own intent (tests/test_understanding.py).
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.understanding.evaluate import strings_in

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
KNOWLEDGE = ROOT / "knowledge"
FACTS_OUT = KNOWLEDGE / "fact_reading_spent.yaml"
INTENTS_OUT = KNOWLEDGE / "blind_training_spent.yaml"
FIRST, HELD_OUT = 7, 6
NOW = datetime(2026, 11, 30, 10, tzinfo=UTC)  # the day the blind authors wrote against
SKIPPED_INTENTS = {"fact.set", "deal.tell", "out_of_scope"}
STATEMENTS = {
    "deal.tell",
    "ms.statement",
    "escalation.alignment",
    "favors.log",
    "contacts.change",
    "commitments.log",
    "escalation.log",
}

FACTS_HEADER = """\
# Training sentences for the fact-key reading (bot/understanding/fact_reading.py), third batch: the
# fact sentences of the spent blind corpora of December 2026, authors 7 to {last}
# (tests/data/blind_round2_2026_12 .. blind_round9_2026_12), added AFTER each was scored once
# (issue #21; their first scores are in those folders' READMEs). They no longer measure strangers'
# wording: only a corpus written after this file (a sealed round) does. author6 stays held out, and
# a sentence that equals a line of a held-out corpus (tests/data/facts_corpus.yaml, the probe, the
# intents corpus) is left out. Taken as written; `by` names the author. Written by
# scripts/spent_training.py, not by hand: the authors' own files stay the source.
"""

INTENTS_HEADER = """\
# Training phrasings written by other hands, fourth batch: the spent blind authors 7 to {last} of
# December 2026 (tests/data/blind_round2_2026_12 .. blind_round9_2026_12, each scored once before
# it joined; their first scores are in those folders' READMEs, issue #21). They no longer measure
# strangers' wording: only a corpus written after this file (a sealed round) does.
# `more_examples`: their intent lines, and the statements told in their stories before the
# question (labelled with what the reading made of each without this file: see the script).
# `outside_examples`: their lines that ask nothing the coach does (the "none of these" class).
# Written by scripts/spent_training.py, which says what is left out and why; not edited by hand.
"""


def norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _number(path: str | Path) -> int:
    m = re.search(r"author(\d+)", str(path))
    return int(m.group(1)) if m else -1


def author_dirs(last: int) -> list[Path]:
    dirs = [p for p in DATA.glob("blind_*/author*") if p.is_dir() and FIRST <= _number(p) <= last]
    return sorted(dirs, key=_number)


def held_out() -> set[str]:
    """Every line of the corpora that still measure: never trained on."""
    lines: set[str] = set()

    for name in ("facts_corpus.yaml", "probe_2026_12_corpus.yaml", "intents_corpus.yaml"):
        lines |= {norm(t) for t in strings_in(yaml.safe_load((DATA / name).read_text(encoding="utf-8")))}
    for path in DATA.glob(f"blind_*/author{HELD_OUT}/*.yaml"):
        lines |= {norm(t) for t in strings_in(yaml.safe_load(path.read_text(encoding="utf-8")))}
    return lines


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _dump(header: str, body: dict[str, Any]) -> str:
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)


def write_facts(dirs: list[Path], held: set[str], last: int) -> int:
    out, seen = [], set()
    for d in dirs:
        for case in _load(d / "intents.yaml").get("facts") or []:
            text = str(case["text"]).strip()
            key = norm(text)
            if key in held or key in seen:
                continue
            seen.add(key)
            out.append({"text": text, "facts": dict(case.get("facts") or {}), "by": d.name})
    FACTS_OUT.write_text(_dump(FACTS_HEADER.format(last=last), {"sentences": out}), encoding="utf-8")
    return len(out)


def _statement_labels(dirs: list[Path]) -> dict[str, str]:
    """What the reading, without this file's phrasings, makes of each story message."""
    from bot.features import load_knowledge
    from bot.understanding.reading import read

    INTENTS_OUT.write_text("more_examples: {}\noutside_examples: []\n", encoding="utf-8")
    kb = load_knowledge()
    labels: dict[str, str] = {}
    for d in dirs:
        for story in _load(d / "stories.yaml").get("stories") or []:
            for message in story["messages"][:-1]:
                r = read(str(message), kb, now=NOW)
                intent = r.intent if r.intent is not None else ("deal.tell" if r.facts else None)
                if intent in STATEMENTS:
                    labels[str(message).strip()] = intent
    return labels


def _intent_body(
    dirs: list[Path], held: set[str], labels: dict[str, str], drop: set[tuple[str, str]]
) -> dict[str, Any]:
    from bot.features import load_knowledge

    INTENTS_OUT.write_text("more_examples: {}\noutside_examples: []\n", encoding="utf-8")
    kb = load_knowledge()
    typed = {s.name for s in kb.intents if s.typed}
    seen = {norm(e) for s in kb.intents for e in s.examples} | held
    more: dict[str, list[str]] = {}
    outside: list[str] = []

    def take(label: str, text: str) -> bool:
        key = norm(text)
        if not key or key in seen or (label, text) in drop:
            return False
        seen.add(key)
        return True

    for d in dirs:
        intents = _load(d / "intents.yaml").get("intents") or {}
        outside += [t for t in map(str.strip, map(str, intents.get("out_of_scope") or [])) if take("", t)]
        for intent, lines in intents.items():
            if intent in typed and intent not in SKIPPED_INTENTS:
                said = (str(x).strip() for x in lines)
                more.setdefault(intent, []).extend(t for t in said if take(intent, t))
        for story in _load(d / "stories.yaml").get("stories") or []:
            for message in story["messages"][:-1]:
                text = str(message).strip()
                label = labels.get(text)
                if label is not None and take(label, text):
                    more.setdefault(label, []).append(text)
    return {"more_examples": {k: v for k, v in sorted(more.items()) if v}, "outside_examples": outside}


def _misread(body: dict[str, Any]) -> set[tuple[str, str]]:
    from bot.features import load_knowledge
    from bot.understand import understand

    kb = load_knowledge()
    bad = set()
    for intent, lines in body["more_examples"].items():
        for text in lines:
            got = understand(text, kb)
            if got is None or got.name != intent:
                bad.add((intent, text))
    for text in body["outside_examples"]:
        if understand(text, kb) is not None:
            bad.add(("", text))
    return bad


def write_intents(dirs: list[Path], held: set[str], last: int) -> int:
    labels = _statement_labels(dirs)
    drop: set[tuple[str, str]] = set()
    header = INTENTS_HEADER.format(last=last)
    for _ in range(4):  # train, drop what is read as another intent, again until none is
        body = _intent_body(dirs, held, labels, drop)
        INTENTS_OUT.write_text(_dump(header, body), encoding="utf-8")
        bad = _misread(body)
        if not bad:
            break
        drop |= bad
    body = _intent_body(dirs, held, labels, drop)
    INTENTS_OUT.write_text(_dump(header, body), encoding="utf-8")
    return sum(map(len, body["more_examples"].values())) + len(body["outside_examples"])


def main(last: int) -> None:
    sys.path.insert(0, str(ROOT))
    dirs = author_dirs(last)
    held = held_out()
    print(f"{write_facts(dirs, held, last)} fact sentences -> {FACTS_OUT.name}")
    print(f"{write_intents(dirs, held, last)} phrasings -> {INTENTS_OUT.name}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 54)
