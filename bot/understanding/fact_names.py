"""Which tracked fact a person names: by its key ("term_years"), its label ("Term (years)"),
the label without its bracket ("term"), or the start of one name that fits no other fact."""

from __future__ import annotations

import re
from typing import Any

from bot.knowledge import Knowledge

_BRACKET = re.compile(r"\([^)]*\)")
_LEAD = re.compile(r"^(?:(?:the|our|their|a|an)\s+)+")
_VALUE_LEAD = re.compile(r"^\s*(?:to|as|=|:|is|at|should be|of)?\s*", re.IGNORECASE)


def _norm(text: str) -> str:
    words = re.sub(r"[^\w%]+", " ", text.casefold().replace("_", " ")).split()
    return _LEAD.sub("", " ".join(words))


def _table(kb: Knowledge) -> list[tuple[int, str, Any]]:
    """(rank, name, spec): the key first, then the label, then the label without its bracket
    ("switching cost" is both facts' short label, but one fact's key)."""
    rows = []
    for spec in kb.facts.values():
        for rank, name in enumerate((spec.key, spec.label, _BRACKET.sub(" ", spec.label))):
            if _norm(name):
                rows.append((rank, _norm(name), spec))
    return rows


def fact_by_name(name: str, kb: Knowledge) -> Any | None:
    """The fact `name` means, or None when it names none or could be several."""
    said = _norm(name)
    if not said:
        return None
    rows = kb.derive("understanding.fact_names", _table)
    for rank in range(3):
        exact = {spec.key: spec for r, n, spec in rows if r == rank and n == said}
        if exact:
            return next(iter(exact.values())) if len(exact) == 1 else None
    starts = {spec.key: spec for _, n, spec in rows if n.startswith(said + " ")}
    return next(iter(starts.values())) if len(starts) == 1 else None


def fact_and_value(text: str, kb: Knowledge) -> tuple[Any, str] | None:
    """A fact named at the start of `text` and the words after it ("renewal_date to 2027-06-30",
    "term 3 years"): the longest name that fits wins."""
    low = _LEAD.sub("", text.casefold().strip())
    skipped = len(text.casefold().strip()) - len(low)
    words = text.strip()[skipped:]
    best: tuple[Any, str] | None = None
    for cut in range(len(low), 0, -1):
        if cut < len(low) and not low[cut].isspace():
            continue
        spec = fact_by_name(low[:cut], kb)
        if spec is not None:
            best = (spec, _VALUE_LEAD.sub("", words[cut:]).strip(" ."))
            break
    return best if best and best[1] else None
