"""Numbers in digits and words: counts, ordinals, number words ("twenty-two", "a dozen",
"twice"), money multipliers ("k", "million") and repeats ("three times now").

Pure and deterministic; the one table of number words and multipliers in the bot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.patterns import compiled

# --- number words ---------------------------------------------------------------------------

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip
SCALES = {"hundred": 100, "thousand": 1e3, "grand": 1e3, "million": 1e6, "billion": 1e9}
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}  # fmt: skip
# Counts said as one word or a fixed phrase.
IDIOMS = {"once": 1, "twice": 2, "thrice": 3, "a dozen": 12, "dozen": 12, "a couple of": 2, "a couple": 2}
WORD = "|".join(sorted([*UNITS, *TENS], key=len, reverse=True))  # a number word, for patterns
_WORD = WORD
# Money multipliers: the one table ("k", "m", "bn", "million", "Mio", "mrd"; "mln"/"mld" as Polish,
# Dutch and Italian write millions and billions; "tys."/"Tsd." thousands) ...
MULTIPLIERS: dict[str, float] = {
    "k": 1e3, "K": 1e3, "thousand": 1e3, "grand": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "mil": 1e6,
    "mill": 1e6, "mio": 1e6, "million": 1e6, "millions": 1e6, "milion": 1e6, "b": 1e9, "bn": 1e9,
    "billion": 1e9, "mrd": 1e9, "crore": 1e7, "crores": 1e7, "lakh": 1e5, "lakhs": 1e5, "lac": 1e5,
    "lacs": 1e5, "mln": 1e6, "mld": 1e9, "tys": 1e3, "tsd": 1e3,
    "t": 1e3,  # "900 T€": German Tausend, only before the euro sign (bot/understanding/money.py)
}  # fmt: skip
_WORDS_RX = compiled(
    rf"\b(?:(?:{WORD})(?:[\s-](?:{WORD}))?)(?:\s+(?:hundred)(?:\s+(?:and\s+)?(?:{WORD})(?:[\s-](?:{WORD}))?)?)?\b"
    rf"|\b(?:a\s+dozen|dozen|a\s+couple(?:\s+of)?|once|twice|thrice)\b",
    re.IGNORECASE,
)
_DIGITS_RX = compiled(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\w]|[.,]\d)")
_ORDINAL_RX = compiled(
    r"\b(?:(\d{1,2})(?:st|nd|rd|th)|(" + "|".join(ORDINALS) + r"))\b",
    re.IGNORECASE,
)


def words_value(words: str) -> float | None:
    """ "twenty-two" → 22, "five hundred" → 500, "a dozen" → 12, "twice" → 2; None if not a number."""
    low = re.sub(r"\s+", " ", words.casefold().replace("-", " ")).strip()
    if low in IDIOMS:
        return IDIOMS[low]
    total = 0.0
    current = 0.0
    seen = False
    for w in low.split():
        if w in ("and", "a", "an"):
            current = current or (1 if w != "and" else 0)
            continue
        if w in UNITS:
            current += UNITS[w]
        elif w in TENS:
            current += TENS[w]
        elif w == "hundred":
            current = (current or 1) * 100
        elif w in SCALES:
            total += (current or 1) * SCALES[w]
            current = 0
        elif w == "half":
            current += 0.5
        elif w == "quarter":
            current += 0.25
        else:
            return None
        seen = True
    return total + current if seen else None


@dataclass(frozen=True, slots=True)
class Count:
    value: int
    span: tuple[int, int]


def read_counts(text: str) -> list[Count]:
    """Whole numbers in digits or words ("5", "five", "twenty-two", "a dozen", "twice")."""
    found: list[Count] = []
    for m in _DIGITS_RX.finditer(text):
        if m.group(2) is None:
            found.append(Count(int(m.group(1).replace(",", "")), m.span()))
    for m in _WORDS_RX.finditer(text):
        v = words_value(m.group(0))
        if v is not None and v == int(v):
            found.append(Count(int(v), m.span()))
    return sorted(found, key=lambda c: c.span)


def read_count(text: str) -> int | None:
    counts = read_counts(text)
    return counts[0].value if counts else None


# Vague counts a short answer may give ("several rounds"): read only when no number is said.
VAGUE_COUNTS = {"several": 3}


def read_count_loosely(text: str) -> int | None:
    """A count from a short answer: a number in digits or words, else a vague count
    ("several" → 3)."""
    n = read_count(text)
    if n is not None:
        return n
    low = text.casefold()
    for word, value in VAGUE_COUNTS.items():
        if re.search(rf"\b{word}\b", low):
            return value
    return None


def read_ordinal(text: str) -> Count | None:
    m = _ORDINAL_RX.search(text)
    if not m:
        return None
    return Count(int(m.group(1)) if m.group(1) else ORDINALS[m.group(2).casefold()], m.span())


# --- repeats: "three times now", "for the fourth time", "twice already" -----------------------

_REPEATS_RX = compiled(
    rf"\b(?:for\s+the\s+(?P<ord>{'|'.join(ORDINALS)}|\d{{1,2}}(?:st|nd|rd|th))\s+time"
    rf"|(?P<n>\d{{1,2}}|{'|'.join(UNITS)})\s+(?:separate\s+|different\s+)?times"
    rf"|(?P<idiom>twice|thrice))\b",
    re.IGNORECASE,
)


def read_repeats(text: str) -> int | None:
    """How many times something was said, when the text tells: "three times now", "for the
    fourth time", "twice already" → 3, 4, 2; None when it doesn't ("again" gives no count)."""
    m = _REPEATS_RX.search(text)
    if m is None:
        return None
    if m.group("ord"):
        raw = m.group("ord").casefold()
        n = int(raw[:-2]) if raw[0].isdigit() else ORDINALS[raw]
    elif m.group("n"):
        raw = m.group("n").casefold()
        n = int(raw) if raw.isdigit() else UNITS[raw]
    else:
        n = IDIOMS[m.group("idiom").casefold()]
    return n if 1 <= n <= 20 else None
