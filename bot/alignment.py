"""A leaf: which of the buyer's teams agree to escalate (the `internal_alignment` fact): free answers
such as "Finance and IT yes, procurement not yet" read into one verdict per team, and written
back in the words this reader reads. The escalation playbook and meeting prep read the stored
fact through it, as they read money through bot/understanding/values.py."""

from __future__ import annotations

import re
from typing import Any

TEAMS = ("it", "finance", "procurement")  # all three on board before escalating
# Read and shown when people name them; the escalation check does not wait for them.
OTHER_TEAMS = ("legal",)
TEAM_LABELS = {"it": "IT", "finance": "Finance", "procurement": "Procurement", "legal": "Legal"}

_NEG = re.compile(
    r"\b(no|not|nope|isn'?t|aren'?t|hasn'?t|haven'?t|disagree\w*|against|pending|still|undecided|unsure)\b"
)
_POS = re.compile(r"\b(yes|yep|yeah|aligned|agreed|agree|on board|ok|okay|fine|signed off|happy|done|all)\b")
# "IT agrees, procurement too": a team that follows the verdict of the one said before it.
# "too" only where it ends the clause: "finance says too expensive" is no agreement.
SAME_AS_BEFORE = re.compile(r"\b(?:too\b(?!\s*\w)|as well\b|also\b|likewise\b)", re.IGNORECASE)
_TEAM_RE = {t: re.compile(rf"\b{t}\b") for t in (*TEAMS, *OTHER_TEAMS)}
_TEAM_RE["it"] = re.compile(r"\b(?:it|eng)\b")  # "eng, finance and procurement agreed"


def parse_alignment(text: Any) -> dict[str, bool | None]:
    """Which of IT, Finance, Procurement agree, from a free answer such as
    "Finance and IT yes, procurement not yet". Unknown teams are None."""
    if isinstance(text, bool):
        return dict.fromkeys(TEAMS, text)
    low = str(text or "").casefold().strip()
    result: dict[str, bool | None] = dict.fromkeys(TEAMS, None)
    if not low:
        return result
    clauses = [c for c in re.split(r"[,;/]|\bbut\b|\bwhile\b|\bwhereas\b", low) if c.strip()]
    named = False
    waiting: list[str] = []  # teams listed before their verdict: "IT, Finance and Procurement agreed"
    last: bool | None = None
    for clause in clauses:
        teams = [t for t in _TEAM_RE if _TEAM_RE[t].search(clause)]
        if not teams:
            continue
        named = True
        polarity = False if _NEG.search(clause) else True if _POS.search(clause) else None
        if polarity is None and SAME_AS_BEFORE.search(clause):  # "IT and Finance agree, procurement too"
            polarity = last
        last = polarity if polarity is not None else last
        if polarity is None:
            waiting += teams
            continue
        for t in [*waiting, *teams]:
            result[t] = polarity
        waiting = []
    if not named:  # "yes" / "not yet" / "everyone's aligned": one answer for all three
        polarity = False if _NEG.search(low) else True if _POS.search(low) else None
        result = dict.fromkeys(TEAMS, polarity)
    return result


def merge_alignment(old: dict[str, bool | None], news: dict[str, bool | None]) -> dict[str, bool | None]:
    """What was known, with the teams the news names replaced (other teams only once said)."""
    merged = {t: news[t] if news.get(t) is not None else old.get(t) for t in (*TEAMS, *OTHER_TEAMS)}
    return {t: ok for t, ok in merged.items() if t in TEAMS or ok is not None}


def alignment_text(state: dict[str, bool | None]) -> str:
    """Back to the words `parse_alignment` reads: "IT yes, Finance yes, Procurement not yet"."""
    parts = [f"{TEAM_LABELS[t]} {'yes' if ok else 'not yet'}" for t, ok in state.items() if ok is not None]
    return ", ".join(parts)
