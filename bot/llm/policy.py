"""What may go into a prompt: knowledge/llm.yaml's allow-lists, redaction, and figures.

Pure functions over plain data; nothing here talks to a network or a database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator

from bot.knowledge import Knowledge, KnowledgeSection
from bot.patterns import check
from bot.understanding.numbers import MULTIPLIERS as _MULT  # the one table of multipliers
from bot.understanding.numbers import TENS, UNITS, words_value  # the one table of number words


class KindSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    recipient: str = "ae"
    allow: list[str] = Field(default_factory=list)
    min_chars: int = Field(default=40, ge=0)
    max_chars: int = Field(default=1500, gt=0)


class Kinds(RootModel[dict[str, KindSpec]]):
    pass


class NeverSend(RootModel[list[str]]):
    @field_validator("root")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        for p in v:
            check(p)
        return v


class Tone(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    threat: list[str]
    insult: list[str]
    emotional: list[str]
    blame: list[str]

    @field_validator("threat", "insult", "emotional", "blame")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        for p in v:
            check(p)
        return v


class Reasons(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    disabled: str
    budget: str
    timeout: str
    error: str
    failed_checks: str
    repaired: str
    unknown_kind: str


SECTIONS = (
    KnowledgeSection("llm", "kinds", Kinds),
    KnowledgeSection("llm", "never_send", NeverSend),
    KnowledgeSection("llm", "tone", Tone),
    KnowledgeSection("llm", "reasons", Reasons),
)


def kinds(kb: Knowledge) -> dict[str, KindSpec]:
    return kb.section("llm.kinds").root


def is_secret_key(key: str, kb: Knowledge) -> bool:
    return any(re.search(p, key, re.IGNORECASE) for p in kb.section("llm.never_send").root)


# --- redaction ---------------------------------------------------------------------------

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w.])(\+\d{1,3}[\s.-]?)?(\(\d{1,4}\)[\s.-]?)?\d{2,4}([\s.-]\d{2,4}){1,4}(?![\w.])")


def _is_phone(m: re.Match[str]) -> bool:
    s = m.group(0)
    digits = sum(c.isdigit() for c in s)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        return False  # an ISO date
    return digits >= 9 or (s.startswith("+") and digits >= 7)


def redact(text: str) -> str:
    """E-mail addresses and phone numbers never go into a prompt."""
    text = EMAIL.sub("[email]", text)
    return PHONE.sub(lambda m: "[phone]" if _is_phone(m) else m.group(0), text)


# --- figures -----------------------------------------------------------------------------

# Product names and such whose digits are not figures ("Microsoft 365").
_NOT_FIGURES = re.compile(r"\b(microsoft|office|dynamics|m|o|d)\s?365\b|\b24/7\b|\bwindows \d+\b", re.I)
_NUMBER = re.compile(
    r"(?<![\w.])[$€£]?\s?(?P<num>\d{1,3}(?:[,\s]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<mult>k|m|mm|bn|b|thousand|million|billion)\b)?(?:\s?%|\s?per ?cent\b)?",
    re.IGNORECASE,
)
_LIST_MARKER = re.compile(r"^\s*\d{1,2}[.)]\s", re.MULTILINE)


_UNITS = [w for w, _ in sorted(UNITS.items(), key=lambda kv: kv[1])]  # zero .. nineteen
_WORD_NUM = "|".join([*TENS, *_UNITS[::-1], "a hundred", "one hundred", "half a"])
# Spelled-out amounts ("fifteen percent", "two million"): figures too, so a draft can't sneak one in.
_WORDS = re.compile(
    rf"\b(?P<w>(?:{_WORD_NUM})(?:[- ](?:{'|'.join(_UNITS[1:10])}))?)\s+"
    r"(?P<unit>percent|per cent|million|thousand|billion)\b",
    re.IGNORECASE,
)


def _word_value(words: str) -> float:
    return words_value(words) or 0.0


def figures(text: str) -> list[tuple[float, str]]:
    """Every number in the text as (value, as written): money, percentages, counts, dates' parts."""
    text = _NOT_FIGURES.sub(" ", _LIST_MARKER.sub(" ", text))
    out: list[tuple[float, str]] = []
    for m in _WORDS.finditer(text):
        unit = m.group("unit").casefold()
        out.append((_word_value(m.group("w")) * _MULT.get(unit, 1.0), m.group(0)))
    for m in _NUMBER.finditer(text):
        raw = m.group("num")
        if re.fullmatch(r"\d{1,3}(\s\d{3})+", raw) and "$" not in m.group(0):
            # "2027 30" is two numbers, not one grouped by a space; read them one by one
            out += [(float(p), p) for p in raw.split()]
            continue
        value = float(re.sub(r"[,\s]", "", raw))
        value *= _MULT.get((m.group("mult") or "").casefold(), 1.0)
        out.append((value, m.group(0).strip()))
    return out


def figures_of(values: Iterable[Any]) -> set[float]:
    """The figures that plain data holds: numbers as they are, strings read for numbers."""
    found: set[float] = set()
    for v in values:
        if isinstance(v, bool) or v is None:
            continue
        if isinstance(v, int | float):
            found.add(float(v))
        elif isinstance(v, Mapping):
            found |= figures_of(v.values())
        elif isinstance(v, list | tuple | set):
            found |= figures_of(v)
        else:
            found |= {f for f, _ in figures(str(v))}
    return found


def close(a: float, b: float, tolerance: float = 0.02) -> bool:
    """Equal, or a rounding of each other ("$1.2M" for 1,234,567)."""
    if a == b:
        return True
    big = max(abs(a), abs(b))
    return big >= 1000 and abs(a - b) <= tolerance * big


# --- minimisation -------------------------------------------------------------------------


@dataclass(frozen=True)
class Minimised:
    facts: dict[str, Any]  # only allowed keys, redacted
    secrets: set[float]  # figures that must not appear in a request or a draft
    withheld: list[str]  # keys left out (for tests and the log, never their values)


def minimise(kind: str, facts: Mapping[str, Any], kb: Knowledge) -> Minimised:
    spec = kinds(kb)[kind]
    allowed = {k for k in spec.allow if not is_secret_key(k, kb)}
    secrets = figures_of(v for k, v in facts.items() if is_secret_key(k, kb))
    kept: dict[str, Any] = {}
    for key, value in facts.items():
        if key in allowed and value not in (None, ""):
            kept[key] = redact(value) if isinstance(value, str) else value
    withheld = sorted(k for k in facts if k not in kept)
    return Minimised(kept, secrets, withheld)


def mask_secrets(text: str, secrets: set[float], keep: set[float] = frozenset()) -> str:
    """Replace any figure close to a secret (and not typed by the user) with [withheld]."""
    if not secrets:
        return text
    out = text
    for value, written in sorted(figures(text), key=lambda f: -len(f[1])):
        if any(close(value, s) for s in secrets) and not any(close(value, k) for k in keep):
            out = out.replace(written, "[withheld]")
    return out
