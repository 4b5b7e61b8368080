"""Percentages: "18 %", "18 percent", "eighteen per cent", "2.5 pct". Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.understanding.numbers import WORD, words_value

# --- percentages ----------------------------------------------------------------------------

_PCT_RX = re.compile(
    rf"(?P<num>\d+(?:[.,]\d+)?|(?:{WORD})(?:[\s-](?:{WORD}))?)\s?(?:%|per\s?cent\b|pct\b|percent\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Percent:
    value: float
    span: tuple[int, int]


def read_percents(text: str) -> list[Percent]:
    """ "18 %", "18%", "18 percent", "eighteen per cent", "2.5 pct"."""
    out = []
    for m in _PCT_RX.finditer(text):
        raw = m.group("num")
        v = float(raw.replace(",", ".")) if raw[0].isdigit() else words_value(raw)
        if v is not None and 0 <= v <= 100:
            out.append(Percent(v, m.span()))
    return out
